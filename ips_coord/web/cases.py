from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import case_filter, visible_case_or_404
from ..access.audit import audit
from ..models import CaseEvent, FollowUp
from ..workflows import allowed_events
from ..workflows.phases import FollowUpStatus
from ..clock import utcnow
from ..extensions import db
from ..models import IpsCase
from ..workflows.phases import Phase

bp = Blueprint("cases", __name__)


@bp.get("/")
@login_required
def index():
    cases = db.session.scalars(
        select(IpsCase).where(case_filter(current_user)).order_by(IpsCase.phase, IpsCase.id)
    ).all()
    by_phase = {p: [] for p in Phase}
    for case in cases:
        by_phase[Phase(case.phase)].append(case)
    now = utcnow()

    def days_since_contact(case):
        last = case.last_contact_at or case.enrolled_at or case.referred_at
        return (now - last) // timedelta(days=1)

    return render_template("cases.html", by_phase=by_phase, total=len(cases), days_since_contact=days_since_contact)


@bp.get("/cases/<id:case_id>")
@login_required
def detail(case_id: int):
    """The case summary (the full case page with forms comes with the dashboards)."""
    case = visible_case_or_404(current_user, case_id)
    audit(current_user, case.id, "read", "phase_and_plan")
    follow_ups = db.session.scalars(select(FollowUp).where(FollowUp.case_id == case.id,
                                                           FollowUp.status == FollowUpStatus.OPEN)
                                    .order_by(FollowUp.due_at)).all()
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                .order_by(CaseEvent.seq.desc()).limit(20)).all()
    return render_template("case.html", case=case, follow_ups=follow_ups, events=events, now=utcnow(),
                           events_allowed=allowed_events(case.phase))

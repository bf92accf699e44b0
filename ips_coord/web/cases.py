from datetime import timedelta

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import access_for, case_filter, visible_case_or_404
from ..access import policy as P
from ..access.audit import audit, audit_many
from ..models import AccessLog, BenefitFact, User, CaseEvent, Consent, Contact, FollowUp, SharedHealthInfo
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
    audit_many(current_user, [c.id for c in cases], "case_list")
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
    """The shared case page: each part shown only as the access policy allows."""
    case = visible_case_or_404(current_user, case_id)
    now = utcnow()
    access = access_for(current_user, case, now.date())
    audit(current_user, case.id, "read", "case_page")
    ctx = {"case": case, "access": access, "now": now, "events_allowed": allowed_events(case.phase)}
    if access.can_read(P.FOLLOW_UPS):
        ctx["follow_ups"] = db.session.scalars(select(FollowUp).where(
            FollowUp.case_id == case.id, FollowUp.status == FollowUpStatus.OPEN).order_by(FollowUp.due_at)).all()
    if access.can_read(P.HISTORY):
        ctx["events"] = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                           .order_by(CaseEvent.seq.desc()).limit(20)).all()
    if access.can_read(P.CONSENTS):
        ctx["consents"] = db.session.scalars(select(Consent).where(Consent.case_id == case.id)
                                             .order_by(Consent.given_at.desc())).all()
    if access.can_read(P.HEALTH):
        ctx["shared"] = db.session.scalars(select(SharedHealthInfo).where(
            SharedHealthInfo.case_id == case.id, SharedHealthInfo.category.in_(access.health_categories))
            .order_by(SharedHealthInfo.created_at.desc())).all()
    if access.can_read(P.BENEFITS):
        ctx["benefits"] = db.session.scalars(select(BenefitFact).where(BenefitFact.case_id == case.id)
                                             .order_by(BenefitFact.created_at.desc())).all()
    if access.can_read(P.NOTES):
        ctx["contacts"] = db.session.scalars(select(Contact).where(Contact.case_id == case.id)
                                             .order_by(Contact.occurred_at.desc()).limit(20)).all()
    return render_template("case.html", **ctx)


@bp.get("/cases/<id:case_id>/access-log")
@login_required
def access_log(case_id: int):
    """Who has seen or changed this case: for the coordinator."""
    case = visible_case_or_404(current_user, case_id)
    access = access_for(current_user, case, utcnow().date())
    if not access.can_read(P.ACCESS_LOG):
        abort(403)
    audit(current_user, case.id, "read", "access_log")
    rows = db.session.execute(select(AccessLog, User).outerjoin(User, User.id == AccessLog.user_id)
                              .where(AccessLog.case_id == case.id)
                              .order_by(AccessLog.created_at.desc(), AccessLog.id.desc()).limit(500)).all()
    return render_template("access_log.html", case=case, rows=rows)

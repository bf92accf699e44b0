from datetime import timedelta

from flask import Blueprint, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import case_filter
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

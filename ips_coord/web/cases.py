from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..access import authorize, case_filter
from ..access.audit import audit_many, shows_no_citizen_data
from ..clock import utcnow
from ..extensions import db
from ..models import AccessLog, IpsCase, User
from ..workflows.phases import AuditPart, Part, Phase, Role

bp = Blueprint("cases", __name__)


@bp.get("/")
@login_required
@shows_no_citizen_data  # a redirect
def home():
    """Each role's start page."""
    if current_user.role == Role.IPS_CONSULTANT:
        return redirect(url_for("consultant.my_day"))
    if current_user.role == Role.COORDINATOR:
        return redirect(url_for("coordinator.overview"))
    if current_user.role == Role.PRIVACY_OFFICER:
        return redirect(url_for("privacy.index"))
    if current_user.role == Role.ADMIN:
        return redirect(url_for("admin.users"))
    if current_user.role == Role.JOBCENTER:
        return redirect(url_for("sectors.workspace"))  # the caseworker's workspace (issue 15)
    return redirect(url_for("cases.index"))


PAGE_SIZE = 100


@bp.get("/cases")
@login_required
def index():
    """The cases the user is related to, by phase, a page at a time. Consultants start with
    their own and may widen to the team; every case shown is a read and is logged."""
    if current_user.role == Role.PRIVACY_OFFICER:
        abort(404)  # no lists: the privacy officer finds one case by its number
    team_view = current_user.role == Role.IPS_CONSULTANT and request.args.get("scope") == "team"
    where = [case_filter(current_user)]
    if current_user.role == Role.IPS_CONSULTANT and not team_view:
        where.append(IpsCase.consultant_id == current_user.id)
    phase = request.args.get("phase")
    if phase in {p.value for p in Phase}:
        where.append(IpsCase.phase == phase)
    else:
        phase = None
    page = min(max(request.args.get("page", 1, type=int), 1), 100_000)
    total = db.session.scalar(select(func.count()).select_from(IpsCase).where(*where)) or 0
    cases = db.session.scalars(
        select(IpsCase).where(*where).options(selectinload(IpsCase.consultant))
        .order_by(IpsCase.phase, IpsCase.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    audit_many(current_user, [c.id for c in cases], AuditPart.CASE_LIST)
    by_phase: dict[Phase, list[IpsCase]] = {p: [] for p in Phase}
    for case in cases:
        by_phase[Phase(case.phase)].append(case)

    def page_url(**changes):
        args = {"scope": "team" if team_view else None, "phase": phase, "page": None, **changes}
        return url_for("cases.index", **{k: v for k, v in args.items() if v})

    return render_template("cases.html", by_phase=by_phase, total=total, shown=len(cases), page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), phase=phase, team_view=team_view,
                           page_url=page_url, now=utcnow())


@bp.get("/cases/<id:case_id>/access-log")
@login_required
def access_log(case_id: int):
    """Who has seen or changed this case: for the coordinator."""
    case, _access = authorize(current_user, case_id, Part.ACCESS_LOG)
    rows = db.session.execute(select(AccessLog, User).outerjoin(User, User.id == AccessLog.user_id)
                              .where(AccessLog.case_id == case.id)
                              .order_by(AccessLog.created_at.desc(), AccessLog.id.desc()).limit(500)).all()
    return render_template("access_log.html", case=case, rows=rows)

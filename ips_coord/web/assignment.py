"""Referrals reach a consultant: the coordinator's queue of unassigned referrals, assigning or
reassigning a consultant (also moving a case to another team or municipality), and what the
case page shows about consents: who sees what, which consent is missing, and which
notifications were not sent for lack of it (ips_coord.services.referrals, .records)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..access.audit import audit_pairs
from ..access.consent_view import consent_flows
from ..access.policy import Access
from ..clock import local_today, utcnow
from ..extensions import db
from ..i18n import translate
from ..models import CaseEvent, IpsCase, Organisation, User
from ..reports.referrals import unassigned_cases
from ..services import ServiceError
from ..services.referrals import assign_case
from ..workflows.phases import ENDED, ON_CASELOAD, AccessAction, HistoryEntry, OrgKind, Part, Role
from .forms import SafeForm, coerce_id
from .guards import safe_next

bp = Blueprint("assignment", __name__, url_prefix="/coordinator")


class AssignForm(SafeForm):
    consultant_id = SelectField(_l("IPS consultant"), coerce=coerce_id, validators=[Optional()])
    team_id = SelectField(_l("IPS team"), coerce=coerce_id, validators=[Optional()])
    municipality = StringField(_l("Municipality (if the citizen has moved)"), validators=[Optional(), Length(max=100)])
    next = HiddenField()


def assign_form(
    case: IpsCase,
    formdata: Any = None,
    own_team_only: bool = False,
    choices: tuple[list[SelectChoice], list[SelectChoice]] | None = None,
) -> AssignForm:
    """Consultants of every IPS team (choosing one in another team moves the case there).
    `choices`: made already for a case of the same team (the overview's queue shares them)."""
    form = AssignForm(formdata=formdata, prefix=f"a{case.id}")
    consultants, teams = choices or assign_choices(case.ips_team_id, own_team_only)
    form.consultant_id.choices = list(consultants)
    form.team_id.choices = list(teams)
    if formdata is None:
        form.consultant_id.data = case.consultant_id or 0
        form.team_id.data = case.ips_team_id
    return form


def assign_choices(team_id: int | None, own_team_only: bool = False) -> tuple[list[SelectChoice], list[SelectChoice]]:
    """The consultant and team choices for a case of this team: the same for every case of it."""
    query = (
        select(User.id, User.name, Organisation.name, User.organisation_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.role == Role.IPS_CONSULTANT, User.active)
        .order_by(Organisation.name, User.name)
    )
    if own_team_only:
        query = query.where(User.organisation_id == team_id)
    rows = db.session.execute(query).all()
    # Each consultant's caseload beside the name, so the choice weighs who has room.
    loads: dict[int | None, int] = (
        dict(
            db.session.execute(
                select(IpsCase.consultant_id, func.count())
                .where(IpsCase.consultant_id.in_([r[0] for r in rows]), IpsCase.phase.in_(ON_CASELOAD))
                .group_by(IpsCase.consultant_id)
            )
            .tuples()
            .all()
        )
        if rows
        else {}
    )
    consultants = [SelectChoice(0, "–")] + [
        SelectChoice(
            uid,
            _("%(name)s (%(n)s cases)", name=name if team == team_id else f"{name} · {team_name}", n=loads.get(uid, 0)),
        )
        for uid, name, team_name, team in rows
    ]
    teams = [
        SelectChoice(t.id, t.name)
        for t in db.session.scalars(
            select(Organisation).where(Organisation.kind == OrgKind.IPS_TEAM).order_by(Organisation.name)
        )
    ]
    return consultants, teams


def overview_context() -> dict[str, Any]:
    """The queue for the coordinator's overview (audited: the queue names the cases)."""
    team = current_user.organisation_id
    cases = unassigned_cases(team)
    # The choices read once for the whole queue (every case in it is the team's), not per case.
    choices = assign_choices(team, own_team_only=True) if cases else None
    queue = [
        {"case": case, "referrer": referrer, "form": assign_form(case, own_team_only=True, choices=choices)}
        for case, referrer in cases
    ]
    audit_pairs(current_user, [(case.id, Part.IDENTITY) for case, _referrer in cases])
    return {"queue": queue}


def case_context(case: IpsCase, access: Access, rows: dict[str, Any]) -> tuple[dict[str, Any], set[Part]]:
    """The case page's consent panel (every reader of the consents), the notifications withheld
    for lack of consent (readers of the history) and the coordinator's assignment form. `rows`:
    what the case page read already (its consents, history and withheld notifications)."""
    ctx: dict[str, Any] = {}
    shown: set[Part] = set()
    if access.can_read(Part.CONSENTS):
        ctx["consent_flows"] = consent_flows(case.id, local_today(utcnow()), rows["consents"])
        shown.add(Part.CONSENTS)
    if access.can_read(Part.HISTORY) and access.can_read(Part.CONSENTS):
        ctx["withheld"] = rows["withheld"]
        shown.add(Part.HISTORY)
    if access.can_read(Part.HISTORY):
        ctx["assigned_names"] = _assignment_names(rows["events"])
    if access.relation == "coordinator" and case.phase not in ENDED:
        ctx["assign_form"] = assign_form(case)
        ctx["assign_form"].next.data = url_for("case_page.detail", case_id=case.id)
    return ctx, shown


def _assignment_names(events: list[CaseEvent]) -> dict[str, dict[int, str]]:
    """The names of the consultants and teams the case's assignments name (for its history)."""
    data = [e.data or {} for e in events if e.event == HistoryEntry.CASE_ASSIGNED]
    users = {d.get(k) for d in data for k in ("consultant_id", "from_consultant_id")} - {None}
    teams = {d.get(k) for d in data for k in ("team_id", "from_team_id")} - {None}
    return {
        "users": {uid: name for uid, name in db.session.execute(select(User.id, User.name).where(User.id.in_(users)))}
        if users
        else {},
        "teams": {
            tid: name
            for tid, name in db.session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(teams))
            )
        }
        if teams
        else {},
    }


@bp.post("/cases/<id:case_id>/assign")
@login_required
def assign(case_id: int):
    """Assign or reassign the consultant, or move the case (from the queue or the case page)."""
    case = db.session.get(IpsCase, case_id)
    if current_user.role != Role.COORDINATOR or case is None or case.ips_team_id != current_user.organisation_id:
        abort(404)
    form = assign_form(case, formdata=request.form)
    back = safe_next(form.next.data) or url_for("coordinator.overview")
    if not form.validate_on_submit():
        flash(_("Choose a consultant or a team."), "error")
        return redirect(back)
    consultant_id = form.consultant_id.data or None
    team_id = form.team_id.data or case.ips_team_id
    if consultant_id and team_id == case.ips_team_id:
        # A consultant of another team takes the case to that team.
        team_id = db.session.scalar(select(User.organisation_id).where(User.id == consultant_id)) or team_id
    try:
        assign_case(
            case, current_user, consultant_id=consultant_id, team_id=team_id, municipality=form.municipality.data
        )
    except ServiceError as exc:
        flash(translate(exc.message), "error")
        return redirect(back)
    audit_pairs(current_user, [(case.id, Part.PHASE)], action=AccessAction.WRITE)
    if case.consultant is not None:
        flash(
            _(
                "%(ref)s is assigned to %(name)s. The first contact is due within 7 days; the referrer is told.",
                ref=case.reference,
                name=case.consultant.name,
            ),
            "ok",
        )
    else:
        flash(_("%(ref)s is moved and waits in the team's queue.", ref=case.reference), "ok")
    if case.ips_team_id != current_user.organisation_id:
        return redirect(url_for("coordinator.overview"))  # no longer this coordinator's case
    return redirect(back)

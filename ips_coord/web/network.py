"""The citizen's network: the IPS team's page on a case (people, what each may know, invitations
and who came, an action a network person owns) and the citizen's own page (add a person, give
or withdraw what each may know, remove them)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import labels
from ..access import authorize
from ..access.audit import audit_citizen, audit_parts, for_the_citizen
from ..clock import local_tz
from ..extensions import db
from ..i18n import translate
from ..services import ServiceError
from ..services import network as svc
from ..services.errors import N_
from ..validation import record_id
from ..workflows.network import NetworkCategory, NetworkRelation, NetworkRole
from ..workflows.phases import AccessAction, Part, Role
from .citizen import _own_case, citizen_required
from .citizen import bp as citizen_bp  # the citizen's page lives in the citizen's own view (its session)

bp = Blueprint("network", __name__)
PERSON_FIELDS = ("name", "relation", "phone", "email")


def _typed() -> dict:
    return {
        **{k: request.form.get(k, "") for k in (*PERSON_FIELDS, "meeting_at", "place", "text")},
        "roles": request.form.getlist("roles"),
        "categories": request.form.getlist("categories"),
    }


def _ctx(case, typed: dict, errors: dict) -> dict:
    people = svc.people(case)
    live = svc.live_categories_of(people)
    return {
        "case": case,
        "people": people,
        "live": live,
        "invitable": [p for p in people if NetworkCategory.MEETINGS in live[p.id]],
        "plan_people": [p for p in people if NetworkCategory.PLAN in live[p.id]],
        "typed": typed,
        "errors": errors,
        "relations": labels.NETWORK_RELATIONS,
        "roles": labels.NETWORK_ROLES,
        "categories": labels.NETWORK_CATEGORIES,
        "relation_values": list(NetworkRelation),
        "role_values": list(NetworkRole),
        "category_values": list(NetworkCategory),
    }


# --- The IPS team's page on a case -----------------------------------------------------------------
def _staff_case(case_id: int, write: bool = False):
    case, access = authorize(current_user, case_id, Part.SHARED_PLAN, write=write, log=False)
    if current_user.role not in (Role.IPS_CONSULTANT, Role.COORDINATOR):
        abort(404)  # the citizen's network is kept by the IPS team with the citizen
    return case, access


def _staff_page(case, typed: dict, errors: dict, status: int = 200):
    audit_parts(current_user, case.id, {Part.IDENTITY, Part.SHARED_PLAN})
    return render_template("network.html", meetings=svc.meetings(case), **_ctx(case, typed, errors)), status


@bp.get("/cases/<id:case_id>/network")
@login_required
def staff_page(case_id: int):
    case, _access = _staff_case(case_id)
    return _staff_page(case, {}, {})


def _staff_write(case_id: int, do, message: str, anchor: str = "network"):
    case, _access = _staff_case(case_id, write=True)
    typed = _typed()
    try:
        do(case, typed)
    except ServiceError as exc:
        db.session.rollback()
        return _staff_page(case, typed, {exc.field or "form": translate(exc.message)}, 422)
    audit_parts(current_user, case.id, {Part.SHARED_PLAN}, AccessAction.WRITE)
    flash(message, "ok")
    return redirect(url_for("network.staff_page", case_id=case.id) + f"#{anchor}")


def _form_id(name: str) -> int:
    found = record_id(request.form.get(name, ""))
    if found is None:
        raise ServiceError(N_("Choose a person from the list."), name)
    return found


def _meeting_at() -> datetime:
    try:
        local = datetime.fromisoformat(request.form.get("meeting_at", ""))
    except ValueError:
        raise ServiceError(N_("Give the meeting's date and time."), "meeting_at") from None
    return local.replace(tzinfo=local_tz()) if local.tzinfo is None else local


@bp.post("/cases/<id:case_id>/network")
@login_required
def staff_add(case_id: int):
    return _staff_write(
        case_id,
        lambda case, t: svc.add_person(
            case,
            name=t["name"],
            relation=t["relation"],
            phone=t["phone"],
            email=t["email"],
            roles=t["roles"],
            categories=t["categories"],
            actor=current_user,
        ),
        _("The person is added to the citizen's network."),
    )


@bp.post("/cases/<id:case_id>/network/consents")
@login_required
def staff_consents(case_id: int):
    return _staff_write(
        case_id,
        lambda case, t: svc.set_consents(case, _form_id("person_id"), t["categories"], actor=current_user),
        _("Saved."),
    )


@bp.post("/cases/<id:case_id>/network/invite")
@login_required
def staff_invite(case_id: int):
    return _staff_write(
        case_id,
        lambda case, t: svc.invite(
            case, _form_id("person_id"), current_user, meeting_at=_meeting_at(), place=request.form.get("place", "")
        ),
        _("The invitation is recorded."),
        "meetings",
    )


@bp.post("/cases/<id:case_id>/network/meetings/<id:meeting_id>")
@login_required
def staff_took_part(case_id: int, meeting_id: int):
    return _staff_write(
        case_id,
        lambda case, t: svc.record_participation(case, meeting_id, current_user, request.form.get("took_part") == "1"),
        _("Saved."),
        "meetings",
    )


@bp.post("/cases/<id:case_id>/network/action")
@login_required
def staff_action(case_id: int):
    return _staff_write(
        case_id,
        lambda case, t: svc.give_action(case, _form_id("person_id"), current_user, text=request.form.get("text", "")),
        _("Saved."),
        "actions",
    )


# --- The citizen's own page ---------------------------------------------------------------------
def _citizen_page(case, typed: dict, errors: dict, status: int = 200):
    audit_citizen(g.citizen.id, case.id, [Part.SHARED_PLAN], AccessAction.READ)
    return render_template("citizen_network.html", **_ctx(case, typed, errors)), status


@citizen_bp.get("/cases/<id:case_id>/network")
@for_the_citizen
@citizen_required
def network_page(case_id: int):
    return _citizen_page(_own_case(case_id), {}, {})


def _citizen_write(case_id: int, do, message: str):
    case = _own_case(case_id)
    typed = _typed()
    try:
        do(case, typed)
    except ServiceError as exc:
        db.session.rollback()
        return _citizen_page(case, typed, {exc.field or "form": translate(exc.message)}, 422)
    audit_citizen(g.citizen.id, case.id, [Part.SHARED_PLAN], AccessAction.WRITE)
    flash(message, "ok")
    return redirect(url_for("citizen.network_page", case_id=case.id) + "#network")


@citizen_bp.post("/cases/<id:case_id>/network")
@citizen_required
def network_add(case_id: int):
    return _citizen_write(
        case_id,
        lambda case, t: svc.add_person(
            case,
            name=t["name"],
            relation=t["relation"],
            phone=t["phone"],
            email=t["email"],
            roles=t["roles"],
            categories=t["categories"],
            citizen=g.citizen,
        ),
        _("The person is added to your network."),
    )


@citizen_bp.post("/cases/<id:case_id>/network/consents")
@citizen_required
def network_consents(case_id: int):
    return _citizen_write(
        case_id,
        lambda case, t: svc.set_consents(case, _form_id("person_id"), t["categories"], citizen=g.citizen),
        _("Saved."),
    )


@citizen_bp.post("/cases/<id:case_id>/network/remove")
@citizen_required
def network_remove(case_id: int):
    return _citizen_write(
        case_id,
        lambda case, t: svc.remove_person(case, _form_id("person_id"), citizen=g.citizen),
        _("The person is no longer part of your plan."),
    )

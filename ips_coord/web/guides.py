"""Conversation guides: the consultant's phone-friendly list (opened from the contact form), and
the team's own editing of them, with how often contacts used each."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..access.audit import shows_no_citizen_data
from ..clock import utcnow
from ..extensions import db
from ..i18n import translate
from ..models import ConversationGuide
from ..services import ServiceError
from ..services import guides as svc
from ..workflows.phases import Role
from .guards import roles_only

bp = Blueprint("guides", __name__, url_prefix="/guides")
FIELDS = ("title", "situation", "questions", "avoid")


_ips_roles = roles_only({Role.IPS_CONSULTANT, Role.COORDINATOR})


@bp.before_request
def _ips_team_only():
    refused = _ips_roles()
    if refused is not None:
        return refused
    if current_user.organisation is None or current_user.organisation.kind != "ips_team":
        abort(404)  # a national coordinator has no team
    return None


@bp.get("")
@shows_no_citizen_data  # the team's advice texts
def index():
    team = current_user.organisation_id
    guides = svc.team_guides(team, active_only=current_user.role != Role.COORDINATOR)
    counts = svc.usage(team, utcnow()) if current_user.role == Role.COORDINATOR else {}
    opened = request.args.get("open", "")
    return render_template(
        "guides.html",
        guides=guides,
        counts=counts,
        opened=opened,
        show_counts=current_user.role == Role.COORDINATOR,
        lines=ConversationGuide.lines,
    )


def _guide(guide_id: int) -> ConversationGuide:
    guide = db.session.get(ConversationGuide, guide_id)
    if guide is None or guide.team_id != current_user.organisation_id:
        abort(404)
    return guide


def _edit_page(guide: ConversationGuide | None, typed: dict[str, str], errors: dict[str, str], status: int = 200):
    return render_template("guide_edit.html", guide=guide, typed=typed, errors=errors), status


@bp.get("/new")
@shows_no_citizen_data
def new():
    return _edit_page(None, {}, {})


@bp.get("/<int:guide_id>/edit")
@shows_no_citizen_data
def edit(guide_id: int):
    guide = _guide(guide_id)
    return _edit_page(guide, {f: getattr(guide, f) for f in FIELDS}, {})


def _save(guide: ConversationGuide | None):
    typed = {f: request.form.get(f, "") for f in FIELDS}
    try:
        saved = svc.save_guide(current_user, guide=guide, active=request.form.get("active", "1") == "1", **typed)
    except ServiceError as exc:
        return _edit_page(guide, typed, {exc.field or "form": translate(exc.message)}, 422)
    flash(_("Guide saved."), "ok")
    return redirect(url_for(".index", open=saved.id) + f"#guide-{saved.id}")


@bp.post("/new")
def create():
    return _save(None)


@bp.post("/<int:guide_id>/edit")
def update(guide_id: int):
    return _save(_guide(guide_id))


@bp.post("/standard")
def standard():
    try:
        svc.add_standard_guides(current_user)
    except ServiceError as exc:
        flash(translate(exc.message), "error")
    else:
        flash(_("The standard guides are added; edit them to fit the team."), "ok")
    return redirect(url_for(".index"))

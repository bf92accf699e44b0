"""The case's coordinating professional (tovholder): who it is, its history, and the form to name
another one with a reason."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..access import authorize
from ..access.audit import audit_parts
from ..extensions import db
from ..i18n import translate
from ..models import CaseEvent, User
from ..services import ServiceError
from ..services import coordination as svc
from ..workflows.phases import AccessAction, HistoryEntry, Part

bp = Blueprint("coordination", __name__)


def _page(case, access, typed: dict[str, str], errors: dict[str, str], status: int = 200):
    """Who coordinates is part of the case's course (every party reads it); the history with its
    reasons and the citizen's name only where the reader may see them."""
    shows = {Part.PHASE} | {p for p in (Part.HISTORY, Part.IDENTITY) if access.can_read(p)}
    events = (
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.event == HistoryEntry.COORDINATING_PROFESSIONAL_NAMED)
            .order_by(CaseEvent.seq.desc())
        ).all()
        if Part.HISTORY in shows
        else []
    )
    people = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(
                User.id.in_(
                    {e.data.get("to") for e in events}
                    | {e.data.get("from") for e in events}
                    | {e.actor_id for e in events} - {None}
                )
            )
        )
    }
    audit_parts(current_user, case.id, shows)
    return render_template(
        "coordination.html",
        case=case,
        candidates=svc.candidates(case),
        events=events,
        shows_identity=Part.IDENTITY in shows,
        shows_history=Part.HISTORY in shows,
        people=people,
        may_change=svc.may_change(current_user, case),
        typed=typed,
        errors=errors,
    ), status


@bp.get("/cases/<id:case_id>/coordinating-professional")
@login_required
def show(case_id: int):
    case, access = authorize(current_user, case_id, Part.PHASE, log=False)
    return _page(case, access, {}, {})


@bp.post("/cases/<id:case_id>/coordinating-professional")
@login_required
def change(case_id: int):
    case, access = authorize(current_user, case_id, Part.PHASE, log=False)
    if not svc.may_change(current_user, case):
        abort(403)
    typed = {k: request.form.get(k, "") for k in ("coordinating_professional_id", "reason")}
    chosen = {str(u.id): u for u in svc.candidates(case)}.get(typed["coordinating_professional_id"])
    if chosen is None:
        wrong = {"coordinating_professional_id": _("Choose one of the case's professionals.")}
        return _page(case, access, typed, wrong, 422)
    try:
        svc.name_coordinating_professional(case, current_user, chosen.id, typed["reason"])
    except ServiceError as exc:
        db.session.rollback()
        return _page(case, access, typed, {exc.field or "form": translate(exc.message)}, 422)
    from ..access.audit import audit

    audit(current_user, case.id, AccessAction.WRITE, Part.PHASE)
    flash(_("%(name)s is now the coordinating professional.", name=chosen.name), "ok")
    return redirect(url_for("coordination.show", case_id=case.id))

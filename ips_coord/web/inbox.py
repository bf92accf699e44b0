"""Each staff user's in-app inbox (ips_coord.services.inbox): the events on their cases, read
or unread; the menu shows the unread count on every page. The inbox names cases, so showing
it is a read of them (audited like every page that shows citizen data)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, has_request_context, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import labels
from ..access.audit import audit_many
from ..services import ServiceError
from ..services import inbox as svc
from ..workflows.phases import AuditPart, Role
from .forms import EmptyForm
from .guards import roles_only

bp = Blueprint("inbox", __name__, url_prefix="/inbox")

# Where on the case page an item's subject is shown: its link goes straight there.
INBOX_ANCHORS = {
    "citizen_note": "citizen-notes",
    "consent_withdrawn": "consents",
    "shared_with_you": "shared-h",
    "consent_missing": "consents",
}

STAFF = frozenset({Role.IPS_CONSULTANT, Role.PSYCHIATRY, Role.JOBCENTER, Role.COORDINATOR})


def _is_staff() -> bool:
    # Templates are rendered outside requests too (the worker's e-mails): no user there.
    if not has_request_context() or current_user is None:
        return False
    return bool(current_user.is_authenticated and getattr(current_user, "role", None) in STAFF)


bp.before_request(roles_only(STAFF))


@bp.get("")
def index():
    items = svc.items(current_user)
    audit_many(current_user, {i.case_id for i in items if i.case_id}, AuditPart.INBOX)
    return render_template(
        "inbox.html", items=items, form=EmptyForm(), INBOX_KINDS=labels.INBOX_KINDS, INBOX_ANCHORS=INBOX_ANCHORS
    )


@bp.post("/<id:item_id>/read")
def read(item_id: int):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        svc.mark_read(current_user, item_id)
    except ServiceError:
        abort(404)
    return redirect(url_for("inbox.index"))


@bp.post("/read-all")
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    if svc.mark_read(current_user):
        flash(_("All items are marked as read."), "ok")
    return redirect(url_for("inbox.index"))


@bp.app_context_processor
def _unread() -> dict[str, Any]:
    """The menu's unread count (staff who work cases only)."""
    if not _is_staff():
        return {"inbox_unread": None}
    known = g.get("inbox_unread")  # read with the user when the session was loaded (a GET)
    if known is not None and known[0] == current_user.id:
        return {"inbox_unread": known[1]}
    return {"inbox_unread": svc.unread_count(current_user)}

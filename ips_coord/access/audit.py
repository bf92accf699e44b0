"""The access log: every read and write of a case, appended and never changed.

Rows are written on a connection of their own, committed at once: a read is logged even
if the request fails later, and the request's own session (and the objects it has loaded)
is left alone.
"""
from __future__ import annotations

from flask import g, has_request_context, request
from sqlalchemy import insert

from ..clock import utcnow
from ..extensions import db
from ..models import AccessLog, User


AUDIT_BATCH = 1000  # rows SQLAlchemy sends as one INSERT (insertmanyvalues)


def _context() -> dict:
    if has_request_context():
        return {"view": request.endpoint or request.path[:100], "request_id": g.get("request_id"),
                "remote_addr": request.remote_addr}
    return {"view": "cli", "request_id": None, "remote_addr": None}


def audit_many(user: User | None, case_ids, part: str, action: str = "read", view: str | None = None) -> None:
    """One row per case; seeing a case in a list is a read of it too."""
    ctx = _context()
    if view:
        ctx["view"] = view
    rows = [{"user_id": user.id if user else None, "case_id": cid, "action": action, "part": part,
             "created_at": utcnow(), **ctx} for cid in case_ids]
    if not rows:
        return
    if len(rows) <= AUDIT_BATCH:
        # One INSERT statement is atomic on its own: autocommit saves the BEGIN and COMMIT round trips.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(insert(AccessLog), rows)
        return
    with db.engine.begin() as conn:
        conn.execute(insert(AccessLog), rows)


def audit(user: User | None, case_id: int | None, action: str, part: str, view: str | None = None) -> None:
    audit_many(user, [case_id], part, action, view)


APPEND_ONLY = ("case_event", "access_log")


def guard_append_only(session_cls) -> None:
    """No code path of the application may change or delete history (the database refuses too)."""
    from sqlalchemy import event

    @event.listens_for(session_cls, "before_flush")
    def _no_changes(session, _ctx, _instances):
        for obj in list(session.dirty) + list(session.deleted):
            if getattr(obj, "__tablename__", None) in APPEND_ONLY and (obj in session.deleted or session.is_modified(obj)):
                raise PermissionError(f"{obj.__tablename__} is append-only")

    @event.listens_for(session_cls, "do_orm_execute")
    def _no_bulk_changes(state):
        if (state.is_update or state.is_delete) and state.bind_mapper is not None \
                and state.bind_mapper.local_table.name in APPEND_ONLY:
            raise PermissionError(f"{state.bind_mapper.local_table.name} is append-only")

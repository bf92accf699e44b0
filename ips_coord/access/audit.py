"""The access log: every read and write of a case, appended and never changed."""
from __future__ import annotations

from flask import g, has_request_context, request

from ..clock import utcnow
from ..extensions import db
from ..models import AccessLog, User


def audit(user: User | None, case_id: int | None, action: str, part: str, view: str | None = None,
          commit: bool = True) -> None:
    db.session.add(
        AccessLog(
            user_id=user.id if user else None, case_id=case_id, action=action, part=part,
            view=view or (request.endpoint if has_request_context() and request.endpoint else "cli"),
            request_id=g.get("request_id") if has_request_context() else None,
            remote_addr=request.remote_addr if has_request_context() else None,
            created_at=utcnow(),
        )
    )
    if commit:
        db.session.commit()


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

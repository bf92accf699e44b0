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

"""Helpers shared by the API resources: access checks, pagination, error docs."""
from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import func, select

from ..access import relation_to_case, visible_case_or_404
from ..access.audit import audit
from ..extensions import csrf, db
from ..models import IpsCase
from ..services import ServiceError
from .errors import ErrorSchema

# Relations that may write the IPS team's records on a case.
WRITERS = frozenset({"consultant", "team_consultant", "coordinator"})


def require_login():
    """Runs before every API request: a session or a Bearer token, and CSRF for session writes."""
    if not current_user.is_authenticated:
        abort(401, message="Log in or send Authorization: Bearer <token>.")
    bearer = request.headers.get("Authorization", "").startswith("Bearer ")
    if not bearer and request.method in ("POST", "PUT", "PATCH", "DELETE") and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()


def case_for(case_id: int, part: str, write: bool = False) -> IpsCase:
    case = visible_case_or_404(current_user, case_id)
    if write and relation_to_case(current_user, case) not in WRITERS:
        abort(403, message="Your role cannot change this part of the case.")
    audit(current_user, case.id, "write" if write else "read", part, commit=not write)
    return case


def paginate(query, args, order_by):
    page, size = args["page"], args["page_size"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.order_by(*order_by).limit(size).offset((page - 1) * size)).unique().all()
    return {"items": items, "page": page, "page_size": size, "total": total}


def service_error(exc: ServiceError):
    """Turn a service error into the API's JSON error (abort raises)."""
    errors = {exc.field or "_schema": [exc.message]}
    extra = {}
    if getattr(exc, "current_version", None) is not None:
        extra["current_version"] = exc.current_version
    if getattr(exc, "refusal", None) is not None:
        extra["refusal_code"] = exc.refusal.code
    abort(exc.status, message=exc.message, errors=errors, code=exc.code, **extra)


def errors(blp, *statuses):
    """Document the error responses of an endpoint."""
    def deco(fn):
        for status in statuses:
            fn = blp.alt_response(status, schema=ErrorSchema, description="Error")(fn)
        return fn
    return deco


def request_id() -> str | None:
    return g.get("request_id")

"""Helpers shared by the API resources: access checks, pagination, error docs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn, ParamSpec, TypeVar

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import Select, func, select

from ..access import authorize
from ..extensions import csrf, db
from ..models import Consent, FollowUp, IpsCase, ParallelIntervention, PlanAction
from ..services import Conflict, ServiceError, WorkflowRefused
from ..text import Text
from ..workflows.phases import Part
from .errors import ErrorSchema
from .http import check_if_match, remember_page

F = TypeVar("F", bound=Callable[..., Any])


def require_login() -> None:
    """Runs before every API request: a session or a Bearer token, and CSRF for session writes."""
    if not current_user.is_authenticated:
        refusal = g.get("token_refusal")
        if refusal is not None:  # a service token the four-eyes rule does not let through (yet)
            status, code, detail = refusal
            abort(status, message=detail, code=code)
        abort(401, message="Log in or send Authorization: Bearer <token>.")
    bearer = request.headers.get("Authorization", "").startswith("Bearer ")
    if not bearer and request.method in ("POST", "PUT", "PATCH", "DELETE") and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()


CasePart = tuple[Part, bool]


def case_part(part: Part, write: bool = False) -> Callable[[F], F]:
    """Declares the part of its case an API method reads (or writes). check_case_access enforces
    it before the request body is parsed, so nobody learns about a case they have no relation to;
    a method without it is not scoped to one case."""

    def mark(method: F) -> F:
        method.case_part = (part, write)  # type: ignore[attr-defined]  # read by check_case_access
        return method

    return mark


def case_in_body(method: F) -> F:
    """Marks a write whose case the body or the row names (case_for checks it): the answer carries
    the case's version and If-Match applies, as on the case's own routes."""
    method.case_in_body = True  # type: ignore[attr-defined]  # read by the contract plugin
    return method


def answers_case(method: F) -> F:
    """Marks a write that makes a case (the referral): the answer carries its version."""
    method.answers_case = True  # type: ignore[attr-defined]  # read by the contract plugin
    return method


def declared_case_part(endpoint: str | None, method: str) -> CasePart | None:
    """The case_part declared on the view method that serves (endpoint, HTTP method), if any.
    HEAD is served by get() (werkzeug adds it to every GET route), so it is checked as GET."""
    view = current_app.view_functions.get(endpoint or "")
    handler = getattr(getattr(view, "view_class", None), "get" if method == "HEAD" else method.lower(), None)
    return getattr(handler, "case_part", None)


def _case_id_from(view_args: dict[str, Any]) -> int | None:
    if "case_id" in view_args:
        case_id: int = view_args["case_id"]  # the route's converter made it an int
        return case_id
    if "consent_id" in view_args:
        return db.session.scalar(select(Consent.case_id).where(Consent.id == view_args["consent_id"]))
    if "follow_up_id" in view_args:
        return db.session.scalar(select(FollowUp.case_id).where(FollowUp.id == view_args["follow_up_id"]))
    if "action_id" in view_args:
        return db.session.scalar(select(PlanAction.case_id).where(PlanAction.id == view_args["action_id"]))
    if "intervention_id" in view_args:
        return db.session.scalar(
            select(ParallelIntervention.case_id).where(ParallelIntervention.id == view_args["intervention_id"])
        )
    return None


def check_case_access() -> None:
    """Runs before every API request, after require_login: relation (404) and part (403)."""
    rule = declared_case_part(request.endpoint, request.method)
    if rule is None:
        return
    part, write = rule
    case_id = _case_id_from(request.view_args or {})
    if case_id is None:
        abort(404, message="Not found.")
        return
    g.case, g.access = authorize(current_user, case_id, part, write)
    check_if_match(g.case)


def checked_case() -> IpsCase:
    """The case of this request, checked by check_case_access against the method's case_part."""
    case: IpsCase = g.case
    return case


def case_for(case_id: int, part: Part, write: bool = False) -> IpsCase:
    """A case named in a request body, checked here (the path's case is checked_case())."""
    if getattr(g, "case", None) is not None and g.case.id == case_id:
        return checked_case()
    case = authorize(current_user, case_id, part, write)[0]
    if getattr(g, "case", None) is None:
        g.case = case  # the response names the case's version (ETag, Case-Version)
        check_if_match(case)
    return case


def paginate(query: Select[Any], args: dict[str, int], order_by: tuple[Any, ...]) -> dict[str, Any]:
    page, size = args["page"], args["page_size"]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    last = remember_page(page, size, total)  # the Link header's first, prev, next and last
    if page > last:
        abort(
            404,
            message="There is no such page; the Link header names the last one.",
            code="page_out_of_range",
            errors={"page": [Text("The last page is %(last)s.", last=last)]},
        )
    items = db.session.scalars(query.order_by(*order_by).limit(size).offset((page - 1) * size)).unique().all()
    return {"items": items, "page": page, "page_size": size, "total": total}


def service_error(exc: ServiceError) -> NoReturn:
    """Turn a service error into the API's JSON error (abort raises)."""
    errors = {exc.field or "_schema": [exc.message]}
    extra: dict[str, Any] = {}
    if isinstance(exc, Conflict):
        extra["current_version"] = exc.current_version
    if isinstance(exc, WorkflowRefused):
        extra["refusal_code"] = exc.refusal.code
    abort(exc.status, message=exc.message, errors=errors, code=exc.code, **extra)
    raise AssertionError("abort raises")  # flask-smorest's abort is untyped


P = ParamSpec("P")
R = TypeVar("R")


def call_service(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """A service call from a resource: a refusal (ServiceError) becomes the API's JSON error."""
    try:
        return fn(*args, **kwargs)
    except ServiceError as exc:
        service_error(exc)


def errors(blp: Any, *statuses: int) -> Callable[[F], F]:
    """Document the error responses of an endpoint."""

    def deco(fn: F) -> F:
        for status in statuses:
            fn = blp.alt_response(status, schema=ErrorSchema, description="Error")(fn)
        return fn

    return deco


class Extended:
    """A row with facts for one response that are not columns (your relation, a notice, a token
    shown once): the schema reads both alike, and the row itself is left as it is."""

    def __init__(self, row: object, **extra: object) -> None:
        self._row = row
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def request_id() -> str | None:
    value = g.get("request_id")
    return str(value) if value is not None else None

"""Helpers shared by the API resources: access checks, pagination, error docs."""
from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import func, select

from ..access import authorize
from ..access import policy as P
from ..extensions import csrf, db
from ..models import Consent, FollowUp, IpsCase
from ..services import ServiceError
from .errors import ErrorSchema

def require_login():
    """Runs before every API request: a session or a Bearer token, and CSRF for session writes."""
    if not current_user.is_authenticated:
        abort(401, message="Log in or send Authorization: Bearer <token>.")
    bearer = request.headers.get("Authorization", "").startswith("Bearer ")
    if not bearer and request.method in ("POST", "PUT", "PATCH", "DELETE") and current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()


# Case-scoped endpoints and the part of the case each reads or writes. Access is decided here,
# before the request body is parsed, so nobody learns about a case they have no relation to.
ENDPOINT_PARTS: dict[tuple[str, str], tuple[str, bool]] = {
    ("api_cases.CaseDetail", "GET"): (P.PHASE, False),
    ("api_cases.Transitions", "POST"): (P.PHASE, True),
    ("api_cases.AllowedEvents", "GET"): (P.PHASE, False),
    ("api_cases.Events", "GET"): (P.HISTORY, False),
    ("api_cases.AccessLogView", "GET"): (P.ACCESS_LOG, False),
    ("api_records.Placements", "GET"): (P.PLACEMENTS, False),
    ("api_records.Placements", "POST"): (P.PLACEMENTS, True),
    ("api_records.Contacts", "GET"): (P.NOTES, False),
    ("api_records.Contacts", "POST"): (P.NOTES, True),
    ("api_records.Reviews", "GET"): (P.NOTES, False),
    ("api_records.Reviews", "POST"): (P.NOTES, True),
    ("api_records.Profile", "GET"): (P.PROFILE, False),
    ("api_records.Profile", "POST"): (P.PROFILE, True),
    ("api_records.ProfileVersions", "GET"): (P.PROFILE, False),
    ("api_records.Consents", "GET"): (P.CONSENTS, False),
    ("api_records.Consents", "POST"): (P.CONSENTS, True),
    ("api_records.ConsentWithdraw", "POST"): (P.CONSENTS, True),
    ("api_records.FollowUpComplete", "POST"): (P.FOLLOW_UPS, True),
    ("api_records.SharedInfo", "GET"): (P.HEALTH, False),
    ("api_records.SharedInfo", "POST"): (P.HEALTH, True),
    ("api_records.BenefitFacts", "GET"): (P.BENEFITS, False),
    ("api_records.BenefitFacts", "POST"): (P.BENEFITS, True),
    ("api_employers.CaseMatches", "GET"): (P.PROFILE, False),
    ("api_employers.CaseSuggestions", "GET"): (P.PLACEMENTS, False),
    ("api_employers.CaseSuggestions", "POST"): (P.PLACEMENTS, True),
    ("api_employers.FollowUpMove", "GET"): (P.FOLLOW_UPS, False),
    ("api_employers.FollowUpMove", "POST"): (P.FOLLOW_UPS, True),
}


def _case_id_from(view_args: dict) -> int | None:
    if "case_id" in view_args:
        return view_args["case_id"]
    if "consent_id" in view_args:
        return db.session.scalar(select(Consent.case_id).where(Consent.id == view_args["consent_id"]))
    if "follow_up_id" in view_args:
        return db.session.scalar(select(FollowUp.case_id).where(FollowUp.id == view_args["follow_up_id"]))
    return None


def check_case_access():
    """Runs before every API request, after require_login: relation (404) and part (403)."""
    rule = ENDPOINT_PARTS.get((request.endpoint, request.method))
    if rule is None:
        return
    part, write = rule
    case_id = _case_id_from(request.view_args or {})
    if case_id is None:
        abort(404, message="Not found.")
    g.case, g.access = authorize(current_user, case_id, part, write)


def case_for(case_id: int, part: str, write: bool = False) -> IpsCase:
    """The case checked by check_case_access (or checked here, for a case named in a body)."""
    if getattr(g, "case", None) is not None and g.case.id == case_id:
        return g.case
    return authorize(current_user, case_id, part, write)[0]


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

"""What an organisation's service token may do: its scopes, checked before any view runs.

A personal token acts as its user; a service token acts as its integration account (which the
access policy relates to the organisation's cases) and only within its scopes: reads of cases
with `cases:read`, logging contacts with `contacts:write`, the change feed with `changes:read`,
the staff directory with `staff:read`. Anything else (pages, tokens, other writes) is refused.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user
from flask_smorest import abort

from ..workflows.phases import ServiceScope

READ_BLUEPRINTS = ("api_cases", "api_case_parts", "api_plan", "api_citizens", "api_employers")
SCOPED_ENDPOINTS: dict[tuple[str, str], ServiceScope] = {
    ("api_changes.Changes", "GET"): ServiceScope.CHANGES_READ,
    ("api_directory.Staff", "GET"): ServiceScope.STAFF_READ,
    ("api_case_parts.Contacts", "POST"): ServiceScope.CONTACTS_WRITE,
    ("api_case_parts.EmployerContacts", "POST"): ServiceScope.CONTACTS_WRITE,
}
OPEN_ENDPOINTS = {("api_directory.Me", "GET"), ("api-docs.openapi_json", "GET")}


def required_scope(endpoint: str, method: str) -> ServiceScope | None:
    """The scope a service token needs for this endpoint and method; None: not for service tokens."""
    if (endpoint, method) in SCOPED_ENDPOINTS:
        return SCOPED_ENDPOINTS[(endpoint, method)]
    if method == "GET" and endpoint.partition(".")[0] in READ_BLUEPRINTS:
        return ServiceScope.CASES_READ
    return None


def enforce_service_scopes() -> None:
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return
    if not current_user.is_authenticated:
        return  # require_login answers 401
    scopes = g.get("token_scopes")
    if scopes is None:
        return  # a personal token: its user's rights
    endpoint, method = request.endpoint or "", "GET" if request.method == "HEAD" else request.method
    if (endpoint, method) in OPEN_ENDPOINTS:
        return
    needed = required_scope(endpoint, method)
    if needed is None or needed not in scopes:
        what = f"the scope {needed.value}" if needed else "a personal login"
        abort(
            403,
            message=f"This service token may not do this: it needs {what}.",
            errors={"_scope": [needed.value if needed else "not_for_service_tokens"]},
        )


def register_scopes(app: Flask) -> None:
    app.before_request(enforce_service_scopes)


__all__ = ["register_scopes", "required_scope"]

"""What the OpenAPI document says about every operation, added in one place (an apispec plugin),
so that an endpoint added later is described like the others without a line of its own:

- an operationId (`<method>_<view class in snake case>`) and a description;
- the shared headers: Accept-Language on every operation, Idempotency-Key on every POST, If-Match
  on a write to one case; on answers ETag and Case-Version (one case), Location (201), Link and
  X-Total-Count (lists), the RateLimit headers (all);
- errors as application/problem+json (RFC 9457), with the statuses every operation can meet
  (429; 404 for a page past the last; 412 for a stale If-Match; 409 and 422 for a reused
  Idempotency-Key).
"""
from __future__ import annotations

import http
import re
from typing import Any

from apispec import BasePlugin
from flask import Flask

from .errors import PROBLEM_JSON, ErrorSchema

JSON = "application/json"

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "The case's version after this request, as an entity tag (`\"7\"`): send it back "
                            "as If-Match.", "schema": {"type": "string"}},
    "Case-Version": {"description": "The case's version after this request: every write to a case raises it, "
                                    "so use this one for the next write.", "schema": {"type": "integer"}},
    "Location": {"description": "The created resource's URL, or the list it appears in where it has no URL "
                                "of its own.", "schema": {"type": "string"}},
    "Link": {"description": "RFC 8288 links to the first, previous, next and last page.",
             "schema": {"type": "string"}},
    "X-Total-Count": {"description": "How many items all pages hold.", "schema": {"type": "integer"}},
    "RateLimit-Limit": {"description": "Requests allowed per window for this caller (token, session or address).",
                        "schema": {"type": "integer"}},
    "RateLimit-Remaining": {"description": "Requests left in the current window.", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "Seconds until the window starts afresh.", "schema": {"type": "integer"}},
    "RateLimit-Policy": {"description": "The limit and its window in seconds (`1200;w=60`).",
                        "schema": {"type": "string"}},
    "Idempotent-Replayed": {"description": "`true` when this is the stored answer to an earlier request with the "
                                           "same Idempotency-Key.", "schema": {"type": "string", "enum": ["true"]}},
}
RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")

PARAMETERS: dict[str, dict[str, Any]] = {
    "AcceptLanguage": {"name": "Accept-Language", "in": "header", "required": False, "schema": {"type": "string"},
                       "description": "`da` (the default) or `en`: the language of messages, titles and field "
                                      "errors."},
    "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "required": False,
                       "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
                       "description": "A key you choose per request (a UUID). A retry with the same key and body "
                                      "within 24 hours returns the first answer instead of writing again; the same "
                                      "key with another body is refused (422 idempotency_key_reused)."},
    "IfMatch": {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                "description": "The case's version as the ETag gave it (`\"7\"`). When given, the write is refused "
                               "with 412 and current_version if the case has changed since; on a transition it "
                               "may stand in for the body's `version`."},
}

CASE_ARGS = ("{case_id}", "{consent_id}", "{follow_up_id}", "{action_id}", "{intervention_id}", "{suggestion_id}")
# Writes that name their case in the body rather than the path.
CASE_WRITES_BY_BODY = {"/api/v1/employer-contacts"}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _error_content(response: dict[str, Any]) -> None:
    content = response.get("content") or {}
    if JSON in content:
        content[PROBLEM_JSON] = content.pop(JSON)


def _is_error_schema(schema: Any) -> bool:
    """ErrorSchema as a class, an instance, a component name or a reference to it."""
    if isinstance(schema, dict):
        return str(schema.get("$ref", "")).endswith("/Error")
    return schema in (ErrorSchema, "Error") or isinstance(schema, ErrorSchema)


class ContractPlugin(BasePlugin):
    def __init__(self, app: Flask) -> None:
        self.app = app

    def init_spec(self, spec: Any) -> None:
        super().init_spec(spec)
        for name, header in HEADERS.items():
            spec.components.header(name, header, lazy=True)
        for name, parameter in PARAMETERS.items():
            spec.components.parameter(name, parameter["in"], dict(parameter), lazy=True)

    def response_helper(self, response: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        # The statuses' shared responses (flask-smorest registers one per status, with ERROR_SCHEMA).
        content = response.get("content") or {}
        if any(_is_error_schema(media.get("schema")) for media in content.values()):
            _error_content(response)
        return response

    def _handler(self, rule: Any, method: str) -> Any:
        view = self.app.view_functions.get(rule.endpoint)
        return getattr(getattr(view, "view_class", None), method.lower(), None), getattr(view, "view_class", None)

    def operation_helper(self, path: str | None = None, operations: dict | None = None, **kwargs: Any) -> None:
        rule = kwargs.get("rule")
        for method, op in (operations or {}).items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            handler, view_class = self._handler(rule, method) if rule is not None else (None, None)
            if view_class is not None:
                op.setdefault("operationId", f"{method}_{snake(view_class.__name__)}")
            op.setdefault("description", op.get("summary") or "")
            part = getattr(handler, "case_part", None)
            url = str(rule.rule) if rule is not None else (path or "")
            on_case = part is not None or any(arg.replace("{", "<").replace("}", "") in url
                                               or arg in url for arg in CASE_ARGS)
            case_write = method != "get" and (bool(part and part[1]) or url in CASE_WRITES_BY_BODY)
            paginated = any(isinstance(p, dict) and p.get("in") == "query" for p in op.get("parameters", [])) \
                and method == "get" and self._is_page(op)
            params = op.setdefault("parameters", [])
            params.append("AcceptLanguage")
            if method == "post":
                params.append("IdempotencyKey")
            if case_write:
                params.append("IfMatch")
            responses = op.setdefault("responses", {})
            extra = [429]
            if paginated:
                extra.append(404)
            if case_write:
                extra.append(412)
            if method == "post":
                extra += [409, 422]
            for status in extra:
                responses.setdefault(str(status), http.HTTPStatus(status).name)
            for status, response in responses.items():
                if not isinstance(response, dict):
                    continue
                if status == "default" or int(status) >= 400:
                    _error_content(response)
                    continue
                headers = response.setdefault("headers", {})
                for name in RATE_HEADERS:
                    headers[name] = name
                if on_case:
                    headers["ETag"] = "ETag"
                    headers["Case-Version"] = "Case-Version"
                if status == "201":
                    headers["Location"] = "Location"
                if method == "post":
                    headers["Idempotent-Replayed"] = "Idempotent-Replayed"
                if paginated:
                    headers["Link"] = "Link"
                    headers["X-Total-Count"] = "X-Total-Count"

    @staticmethod
    def _is_page(op: dict[str, Any]) -> bool:
        return any(isinstance(p, dict) and p.get("name") == "page" for p in op.get("parameters", []))

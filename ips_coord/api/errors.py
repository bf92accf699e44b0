"""One error model for the whole API: RFC 9457 problem details (application/problem+json).

Every error under /api/ - a field the schema refuses, a service's refusal, a stale version, a
missing login, an unknown route, a rate limit - is turned into the same body here (the app's
one HTTP error handler calls from_http_exception), so an endpoint added later gets it too:

    {"type": "urn:ips-coord:problem:validation_error", "title": "Unprocessable Content",
     "status": 422, "detail": "The request has invalid fields.", "code": "validation_error",
     "message": "...same as detail...", "errors": {"field": ["message"]}}

plus `refusal_code` on a workflow refusal and `current_version` on a stale version. Every field
error is 422; title, detail and the field messages are in the language Accept-Language asks for
(Danish or English).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ..i18n import translate
from ..workflows.messages import REFUSALS

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "urn:ips-coord:problem:"

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "stale_version",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "too_many_requests",
}
# Every `code` a client can meet (the services' codes included), for the schema's enum.
ALL_CODES = sorted(
    {
        *CODES.values(),
        "error",
        "unprocessable",
        "workflow_refused",
        "page_out_of_range",
        "idempotency_key_reused",
        "idempotency_key_in_use",
        "token_not_approved",
        "token_incomplete",
    }
)
REFUSAL_CODES = sorted(REFUSALS)

# Titles: one short phrase per status, in the catalogue (Danish) like every message.
TITLES = {
    400: "Bad request",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Changed by someone else",
    412: "Precondition failed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid request",
    428: "Precondition required",
    429: "Too many requests",
}

# Where one status covers problems of different kinds, the kind's own title.
CODE_TITLES = {
    "idempotency_key_in_use": "Request still running",
    "token_not_approved": "Service token not approved",
    "token_incomplete": "Service token incomplete",
}


class ErrorSchema(Schema):
    """An RFC 9457 problem details object with this API's extension members."""

    _output = True  # an answer's shape (ips_coord.api.shapes)

    type = fields.String(
        required=True, metadata={"description": "a URI naming the kind of problem: urn:ips-coord:problem:<code>"}
    )
    title = fields.String(required=True, metadata={"description": "a short summary of the kind of problem"})
    status = fields.Integer(required=True, metadata={"description": "the HTTP status code"})
    detail = fields.String(required=True, metadata={"description": "what went wrong with this request"})
    code = fields.String(
        required=True, validate=validate.OneOf(ALL_CODES), metadata={"description": "machine-readable error code"}
    )
    message = fields.String(required=True, metadata={"description": "the same as detail (kept for older clients)"})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        required=True,
        metadata={"description": "per field (dotted for nested fields, `_schema` for the whole body), its messages"},
    )
    refusal_code = fields.String(
        validate=validate.OneOf(REFUSAL_CODES),
        metadata={
            "description": "the workflow's refusal code (422 code=workflow_refused): the IPS principle the event "
            "would break"
        },
    )
    current_version = fields.Integer(metadata={"description": "the case's version now (409 stale_version)"})


def _translated(message: Any) -> Any:
    # Messages are written in English; the catalogue has the Danish for those a client meets
    # (see select_locale: Accept-Language picks the language). Unknown texts stay as they are.
    return translate(message)  # a service's Text keeps its msgid and parameters


def problem(status: int, detail: str | None = None, errors: dict[str, Any] | None = None, **extra: Any) -> Response:
    """The problem+json response for `status`; `extra` may set code, refusal_code, current_version."""
    errors = _flatten(errors or {})
    if status == 400 and set(errors) - {"_schema"}:
        status = 422  # a field the server refuses is 422, whichever layer refused it (a body it cannot read: 400)
    code = extra.pop("code", None) or CODES.get(status, "error")
    if code == "bad_request" and status == 422:
        code = "validation_error"
    errors = {
        field: [str(_translated(m)) for m in (msgs if isinstance(msgs, list) else [msgs])]
        for field, msgs in errors.items()
    }
    title = CODE_TITLES.get(code) or TITLES.get(status) or HTTP_STATUS_CODES.get(status, "Error")
    detail_text = str(_translated(detail or title))
    body = {
        "type": PROBLEM_TYPE + code,
        "title": str(_translated(title)),
        "status": status,
        "detail": detail_text,
        "code": code,
        "message": detail_text,
        "errors": errors,
        **{k: v for k, v in extra.items() if v is not None},
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response


def json_error(
    status: int, message: str, description: str | None = None, errors: dict[str, Any] | None = None, **extra: Any
) -> Response:
    """Kept for callers of the old name: a problem response."""
    return problem(status, description or message, errors, **extra)


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[Any]]:
    """Field -> messages, with nested errors under dotted names (`salary.key`, `items.0.name`).

    webargs puts errors under their location (json, query), which is dropped at the top; a
    message is always a string, never the repr of a dict or a list."""
    out: dict[str, list[Any]] = {}
    if not isinstance(messages, dict):
        out.setdefault(prefix or "_schema", []).extend(messages if isinstance(messages, list) else [messages])
        return out
    for key, value in messages.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if not prefix and key in ("json", "query", "form", "headers", "view_args", "files") and isinstance(value, dict):
            name = ""  # the location is not part of the field's name
        if isinstance(value, dict):
            for field, msgs in _flatten(value, name).items():
                out.setdefault(field, []).extend(msgs)
        else:
            msgs = value if isinstance(value, list) else [value]
            flat: list[Any] = []
            for m in msgs:
                if isinstance(m, dict):
                    for field, inner in _flatten(m, name or "_schema").items():
                        out.setdefault(field, []).extend(inner)
                else:
                    flat.append(m)
            if flat:
                out.setdefault(name or "_schema", []).extend(flat)
    return out


def from_http_exception(exc: HTTPException) -> Response:
    data = dict(getattr(exc, "data", None) or {})
    errors = data.pop("messages") if "messages" in data else data.pop("errors", {})
    message = data.pop("message", None) or (
        "The request has invalid fields." if errors else exc.description or exc.name
    )
    extra = {k: v for k, v in data.items() if k in ("code", "refusal_code", "current_version")}
    response = problem(exc.code or 500, message, errors, **extra)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":  # keep e.g. Allow on 405
            response.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response

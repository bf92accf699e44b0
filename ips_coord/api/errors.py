"""One JSON error shape for the whole API: {code, message, errors: {field: [messages]}}."""
from __future__ import annotations

from flask import jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from ..i18n import translate

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "stale_version", 413: "too_large", 415: "unsupported_media_type", 422: "validation_error",
         429: "too_many_requests"}


class ErrorSchema(Schema):
    code = fields.String(required=True, metadata={"description": "machine-readable error code"})
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), load_default=dict)
    refusal_code = fields.String(metadata={"description": "the workflow's refusal code (422 refusals)"})
    current_version = fields.Integer(metadata={"description": "the case's version now (409)"})


def _translated(message: str) -> str:
    # Messages are written in English; the catalogue has the Danish for those a client meets
    # (see select_locale: Accept-Language picks the language). Unknown texts stay as they are.
    return translate(message)  # a service's Text keeps its msgid and parameters


def json_error(status: int, message: str, description: str | None = None, errors=None, **extra):
    errors = {field: [_translated(m) if isinstance(m, str) else m for m in (msgs if isinstance(msgs, list) else [msgs])]
              for field, msgs in (errors or {}).items()}
    body = {"code": extra.pop("code", None) or CODES.get(status, "error"),
            "message": _translated(description or message), "errors": errors, **extra}
    response = jsonify(body)
    response.status_code = status
    return response


def _flatten(messages) -> dict:
    """webargs puts errors under their location (json, query); clients want field -> messages."""
    out: dict = {}
    for location, per_field in (messages or {}).items():
        if not isinstance(per_field, dict):
            out.setdefault(location, []).extend(per_field if isinstance(per_field, list) else [str(per_field)])
            continue
        for name, msgs in per_field.items():
            if isinstance(msgs, dict):  # nested (e.g. list index) errors
                msgs = [f"{k}: {v}" for k, v in msgs.items()]
            out.setdefault(str(name), []).extend(msgs if isinstance(msgs, list) else [str(msgs)])
    return out


def from_http_exception(exc: HTTPException):
    data = dict(getattr(exc, "data", None) or {})
    errors = _flatten(data.pop("messages")) if "messages" in data else data.pop("errors", {})
    message = data.pop("message", None) or (
        "The request has invalid fields." if errors else exc.description or exc.name
    )
    extra = {k: v for k, v in data.items() if k in ("code", "refusal_code", "current_version")}
    response = json_error(exc.code or 500, exc.name, message, errors, **extra)
    for name, value in exc.get_headers():
        if name.lower() != "content-type":  # keep e.g. Allow on 405
            response.headers[name] = value
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response

"""What the OpenAPI document says about every operation, added in one place (an apispec plugin),
so that an endpoint added later is described like the others without a line of its own:

- an operationId (`<method>_<view class in snake case>`) and a description;
- the shared headers: Accept-Language on every operation, Idempotency-Key on every POST, If-Match
  on a write to one case; on answers ETag and Case-Version (one case), Location (201), Link and
  X-Total-Count (lists), the RateLimit headers (all);
- errors as application/problem+json (RFC 9457), with the statuses every operation can meet
  (429; 404 for a page past the last; 409 for a stale If-Match; 409 and 422 for a reused
  Idempotency-Key).
"""

from __future__ import annotations

import http
import re
from dataclasses import dataclass
from typing import Any

from apispec import BasePlugin
from flask import Flask

from .errors import PROBLEM_JSON, ErrorSchema

JSON = "application/json"

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": 'The case\'s version after this request, as an entity tag (`"7"`): send it back as If-Match.',
        "schema": {"type": "string"},
    },
    "Case-Version": {
        "description": "The case's version after this request: every write to a case raises it, "
        "so use this one for the next write.",
        "schema": {"type": "integer"},
    },
    "Location": {
        "description": "The created resource's URL, or the list it appears in where it has no URL of its own.",
        "schema": {"type": "string"},
    },
    "Link": {"description": "RFC 8288 links to the first, previous, next and last page.", "schema": {"type": "string"}},
    "X-Total-Count": {"description": "How many items all pages hold.", "schema": {"type": "integer"}},
    "RateLimit-Limit": {
        "description": "Requests allowed per window for this caller (token, session or address).",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {"description": "Requests left in the current window.", "schema": {"type": "integer"}},
    "RateLimit-Reset": {"description": "Seconds until the window starts afresh.", "schema": {"type": "integer"}},
    "RateLimit-Policy": {
        "description": "The limit and its window in seconds (`1200;w=60`).",
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
}
RATE_HEADERS = ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy")

PARAMETERS: dict[str, dict[str, Any]] = {
    "AcceptLanguage": {
        "name": "Accept-Language",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": "`da` (the default) or `en`: the language of messages, titles and field errors.",
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"},
        "description": "A key you choose per request (a UUID). A retry with the same key and body "
        "within 24 hours returns the first answer instead of writing again; the same "
        "key with another body is refused (422 idempotency_key_reused).",
    },
    "IfMatch": {
        "name": "If-Match",
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
        "description": 'The case\'s version as the ETag gave it (`"7"`). When given, the write is '
        "refused with 409 stale_version and current_version if the case has changed "
        "since; on a transition it may stand in for the body's `version`.",
    },
}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Kind:
    """What an operation is, for the shared parameters, statuses and headers it gets."""

    method: str
    scoped: bool  # a case_part: relation (404) and the part under the live consents (403) are checked
    on_case: bool
    case_write: bool
    paginated: bool

    def parameters(self) -> list[str]:
        return (
            ["AcceptLanguage"]
            + (["IdempotencyKey"] if self.method == "post" else [])
            + (["IfMatch"] if self.case_write else [])
        )

    def extra_statuses(self) -> list[int]:
        return (
            [401, 429]
            + ([403, 404] if self.scoped else [])
            + ([404] if self.paginated else [])
            + ([409] if self.case_write else [])
            + ([409, 422] if self.method == "post" else [])
        )

    def headers(self, status: str) -> list[str]:
        return (
            list(RATE_HEADERS)
            + (["ETag", "Case-Version"] if self.on_case else [])
            + (["Location"] if status == "201" else [])
            + (["Idempotent-Replayed"] if self.method == "post" else [])
            + (["Link", "X-Total-Count"] if self.paginated else [])
        )


def _error_content(response: dict[str, Any]) -> None:
    content = response.get("content") or {}
    if JSON in content:
        content[PROBLEM_JSON] = content.pop(JSON)


def _is_error_schema(schema: Any) -> bool:
    """ErrorSchema as a class, an instance, a component name or a reference to it."""
    if isinstance(schema, dict):
        return str(schema.get("$ref", "")).endswith("/Error")
    return schema in (ErrorSchema, "Error") or isinstance(schema, ErrorSchema)


def _column_schema(model: Any, required: bool = True) -> dict[str, Any]:
    """A table's row as the export writes it (every column, dates as ISO 8601 text)."""
    from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric
    from sqlalchemy.orm import class_mapper

    props: dict[str, Any] = {}
    for attr in class_mapper(model).column_attrs:
        column = attr.columns[0]
        kind = column.type
        impl = getattr(kind, "impl", kind)
        if isinstance(impl, Boolean):
            prop: dict[str, Any] = {"type": "boolean"}
        elif isinstance(impl, Integer):
            prop = {"type": "integer"}
        elif isinstance(impl, Float | Numeric):
            prop = {"type": "number"}
        elif isinstance(impl, DateTime):
            prop = {"type": "string", "format": "date-time"}
        elif isinstance(impl, Date):
            prop = {"type": "string", "format": "date"}
        elif impl.__class__.__name__ == "JSON":
            prop = {}
        else:
            prop = {"type": "string"}
        if column.nullable and prop:
            prop["nullable"] = True
        props[attr.key] = prop
    return {"type": "object", "properties": props, **({"required": sorted(props)} if required else {})}


def export_documents() -> dict[str, dict[str, Any]]:
    from ..access.export import PER_CASE
    from ..models import Citizen, IpsCase

    case = _column_schema(IpsCase)
    case["properties"] = {
        **case["properties"],
        "reference": {"type": "string"},
        "parts": {"type": "array", "items": {"type": "string"}, "description": "the parts of the case exported"},
    }
    case["required"] = sorted({*case["required"], "reference", "parts"})
    for name, (model, _order, part) in PER_CASE.items():
        # A section's rows as your role reads them (a history entry as the events list shows it).
        case["properties"][name] = {
            "type": "array",
            "items": _column_schema(model, required=False),
            "description": f"present when you may read the case's {part.value}",
        }
    # The citizen as the export writes it: the sealed columns left out, the CPR number opened
    # (the citizen's own export) or masked (a staff member's).
    from ..access.export import SEALED_COLUMNS

    citizen = _column_schema(Citizen)
    citizen["properties"] = {k: v for k, v in citizen["properties"].items() if k not in SEALED_COLUMNS} | {
        "cpr": {
            "type": "string",
            "nullable": True,
            "description": "DDMMYY-SSSS in the full export, DDMMYY-**** as read by your role",
        }
    }
    citizen["required"] = sorted(citizen["properties"])
    return {"citizen": citizen, "case": case}


def openapi_metadata(converter: Any, field: Any, ret: dict[str, Any]) -> dict[str, Any]:
    """A field's `openapi` metadata: OpenAPI properties said outright, or a named export shape."""
    extra = field.metadata.get("openapi")
    if isinstance(extra, dict):
        return dict(extra)
    if isinstance(extra, str):
        return export_documents()[extra]
    return {}


def request_variants(schema_of: Any) -> Any:
    """Marks a view method whose body the document describes as `oneOf` (see transitions.py)."""

    def mark(method: Any) -> Any:
        method.request_variants = schema_of
        return method

    return mark


class ContractPlugin(BasePlugin):
    def __init__(self, app: Flask) -> None:
        self.app = app

    def init_spec(self, spec: Any) -> None:
        super().init_spec(spec)
        self.spec = spec
        for name, header in HEADERS.items():
            spec.components.header(name, header, lazy=True)
        spec.components.response(
            "FORBIDDEN_PART",
            {
                "description": "Not allowed: your role may not read or change this part of the case now. Health "
                "information, benefit facts, notes and the plan are shared only under the citizen's live "
                "consents, so a withdrawn or expired consent turns a read into 403 at once (and the "
                "refused attempt is logged).",
                "content": {PROBLEM_JSON: {"schema": ErrorSchema}},
            },
            lazy=True,
        )
        for name, parameter in PARAMETERS.items():
            spec.components.parameter(name, parameter["in"], dict(parameter), lazy=True)

    def response_helper(self, response: dict[str, Any], **kwargs: Any) -> dict[str, Any] | None:
        # The statuses' shared responses (flask-smorest registers one per status, with ERROR_SCHEMA).
        content = response.get("content") or {}
        if any(_is_error_schema(media.get("schema")) for media in content.values()):
            _error_content(response)
        return response

    def _schema_ref(self, name: str) -> dict[str, str]:
        from .transitions import VARIANT_SCHEMAS

        if name not in self.spec.components.schemas:
            self.spec.components.schema(name, schema=VARIANT_SCHEMAS[name])
        return {"$ref": f"#/components/schemas/{name}"}

    def _handler(self, rule: Any, method: str) -> Any:
        view = self.app.view_functions.get(rule.endpoint)
        return getattr(getattr(view, "view_class", None), method.lower(), None), getattr(view, "view_class", None)

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        rule = kwargs.get("rule")
        for method, op in (operations or {}).items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            handler, view_class = self._handler(rule, method) if rule is not None else (None, None)
            if view_class is not None:
                op.setdefault("operationId", f"{method}_{snake(view_class.__name__)}")
            op.setdefault("description", op.get("summary") or "")
            self._variants(op, getattr(handler, "request_variants", None))
            part = getattr(handler, "case_part", None)
            by_body = bool(getattr(handler, "case_in_body", False))
            on_case = part is not None or by_body or bool(getattr(handler, "answers_case", False))
            kind = Kind(
                method=method,
                scoped=part is not None,
                on_case=on_case,
                paginated=self._is_page(op),
                case_write=method != "get" and (bool(part and part[1]) or by_body),
            )
            op.setdefault("parameters", []).extend(kind.parameters())
            responses = op.setdefault("responses", {})
            for status in kind.extra_statuses():
                responses.setdefault(str(status), http.HTTPStatus(status).name)
            if kind.scoped:
                responses["403"] = "FORBIDDEN_PART"
            for status, response in responses.items():
                if not isinstance(response, dict):
                    continue
                if status == "default" or int(status) >= 400:
                    _error_content(response)
                else:
                    response.setdefault("headers", {}).update({name: name for name in kind.headers(status)})

    def _variants(self, op: dict[str, Any], variants: Any) -> None:
        if variants is None or "requestBody" not in op:
            return
        media = op["requestBody"]["content"][JSON]
        replaced = str(media["schema"].get("$ref", "")).rsplit("/", 1)[-1]
        media["schema"] = variants(self._schema_ref)
        self.spec.components.schemas.pop(replaced, None)  # the flat schema is only the server's parser

    @staticmethod
    def _is_page(op: dict[str, Any]) -> bool:
        return any(isinstance(p, dict) and p.get("name") == "page" for p in op.get("parameters", []))

"""Input and output shapes of one marshmallow schema, so the document says what a client sends
and what it always gets back.

A resource schema declares its fields once (dump_only for what the server sets, load_only for
what it only reads). `output(S)` is what answers carry: every field the server writes, each
marked required (always present, maybe null) except those named in `S.SOMETIMES` ("*": none
is, the schema describes a map of optional keys). `input_of(S)`
is what a request body may hold: `S` without its dump_only fields, with its validators. Nested
schemas follow the same split, so the input and output of a resource are two components
(`Contact` and `ContactInput`) and a generated client has no optional field that is always there.
"""

from __future__ import annotations

import copy
from typing import Any

from apispec import BasePlugin
from marshmallow import Schema, fields

_OUT: dict[Any, Any] = {}
_IN: dict[Any, Any] = {}


def _retarget(field: Any, shape: Any) -> Any:
    field = copy.copy(field)
    if isinstance(field, fields.Nested) and isinstance(field.nested, type) and issubclass(field.nested, Schema):
        field.nested = shape(field.nested)
    elif isinstance(field, fields.List):
        field.inner = _retarget(field.inner, shape)
    elif isinstance(field, fields.Dict) and field.value_field is not None:
        field.value_field = _retarget(field.value_field, shape)
    return field


def _has_nested(schema_cls: Any) -> bool:
    return any(isinstance(f, fields.Nested | fields.List | fields.Dict) for f in schema_cls._declared_fields.values())


def output(schema_cls: Any) -> Any:
    """The answer's shape: the server's fields, always present unless named in SOMETIMES."""
    if getattr(schema_cls, "_output", False):
        return schema_cls
    if schema_cls in _OUT:
        return _OUT[schema_cls]
    sometimes = getattr(schema_cls, "SOMETIMES", ())
    sometimes = set(schema_cls._declared_fields) if sometimes == "*" else set(sometimes)  # "*": a map of keys
    attrs: dict[str, Any] = {}
    for name, field in schema_cls._declared_fields.items():
        if field.load_only:
            continue
        out = _retarget(field, output)
        out.required = name not in sometimes
        out.dump_only = False
        attrs[name] = out
    doc = (schema_cls.__doc__ or "").strip()
    attrs["__doc__"] = doc or None
    attrs["_output"] = True
    cls = type(schema_cls.__name__, (Schema,), attrs)
    cls.__module__ = schema_cls.__module__
    _OUT[schema_cls] = cls
    return cls


def input_of(schema_cls: Any) -> Any:
    """The request body's shape: the fields a client may send, with the schema's validators."""
    if schema_cls in _IN:
        return _IN[schema_cls]
    if getattr(schema_cls, "_output", False) or schema_cls.__name__.endswith("InputSchema"):
        return schema_cls
    server_set = tuple(n for n, f in schema_cls._declared_fields.items() if f.dump_only)
    if not server_set and not _has_nested(schema_cls):
        _IN[schema_cls] = schema_cls
        return schema_cls
    attrs: dict[str, Any] = {
        n: _retarget(f, input_of) for n, f in schema_cls._declared_fields.items() if not f.dump_only
    }
    parent_meta = getattr(schema_cls, "Meta", object)
    attrs["Meta"] = type("Meta", (parent_meta,), {"exclude": server_set})
    attrs["__doc__"] = (schema_cls.__doc__ or "").strip() or None
    base = schema_cls.__name__.removesuffix("Schema")
    cls = type(f"{base}InputSchema", (schema_cls,), attrs)
    cls.__module__ = schema_cls.__module__
    _IN[schema_cls] = cls
    return cls


def schema_name(schema: Any) -> str:
    """Component names: `Contact` for what answers carry, `ContactInput` for what requests send."""
    from apispec.ext.marshmallow import resolver
    from apispec.ext.marshmallow.common import resolve_schema_cls

    name = resolver(schema)
    resolved = resolve_schema_cls(schema)
    cls = resolved[0] if isinstance(resolved, list) else resolved
    if getattr(cls, "_output", False) or name.endswith("Input"):
        return name
    return name + "Input"


def _shaped(schema: Any, shape: Any) -> Any:
    if isinstance(schema, type) and issubclass(schema, Schema):
        return shape(schema)
    if isinstance(schema, Schema):
        return shape(type(schema))(many=schema.many)
    return schema


class ShapePlugin(BasePlugin):
    """Runs before the marshmallow plugin: every response schema in its output shape, every
    request body in its input shape, so each endpoint's document is split without a line of its own."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for op in (operations or {}).values():
            if not isinstance(op, dict):
                continue
            for response in (op.get("responses") or {}).values():
                for media in (response.get("content") or {}).values() if isinstance(response, dict) else ():
                    media["schema"] = _shaped(media.get("schema"), output)
            for media in ((op.get("requestBody") or {}).get("content") or {}).values():
                media["schema"] = _shaped(media.get("schema"), input_of)


__all__ = ["ShapePlugin", "input_of", "output", "schema_name"]

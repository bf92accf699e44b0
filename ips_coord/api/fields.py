"""Marshmallow fields that refuse what the database or the clock cannot hold."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

MIN_DATE = date(1990, 1, 1)
MAX_DATE = date(2100, 12, 31)
MAX_ID = 2**31 - 1


class Text(fields.String):
    """A bounded string without NUL characters (PostgreSQL cannot store them)."""

    def __init__(self, max_length: int = 2000, min_length: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("validate", validate.Length(min=min_length, max=max_length))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        out = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in out:
            raise ValidationError("Must not contain NUL characters.")
        return out


class CprNumber(Text):
    """A CPR number in (ten digits, with or without the hyphen, the date part checked); masked out.
    The error never repeats the number."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=20, **_described(kwargs, "in: DDMMYYSSSS or DDMMYY-SSSS; out: DDMMYY-****"))

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> str:
        from ..cpr import InvalidCpr, parse

        out = super()._deserialize(value, attr, data, **kwargs)
        try:
            return parse(out).digits
        except InvalidCpr:
            raise ValidationError(
                "Not a CPR number: ten digits, the first six a date (DDMMYY), with or without a hyphen."
            ) from None


def _described(kwargs: dict[str, Any], text: str) -> dict[str, Any]:
    """The rule a field enforces, said in the document too (unless the field says more itself)."""
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata["description"] = f"{metadata['description']} ({text})" if metadata.get("description") else text
    kwargs["metadata"] = metadata
    return kwargs


class Day(fields.Date):
    """A calendar date between 1990-01-01 and 2100-12-31."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_described(kwargs, f"a date between {MIN_DATE} and {MAX_DATE}"))

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> date:
        out = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_DATE <= out <= MAX_DATE:
            raise ValidationError(f"Must be between {MIN_DATE} and {MAX_DATE}.")
        return out


class Moment(fields.AwareDateTime):
    """ISO 8601 date-time; without an offset it is taken as UTC."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            default_timezone=UTC,
            **_described(kwargs, f"ISO 8601; without an offset it is read as UTC; between {MIN_DATE} and {MAX_DATE}"),
        )

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> datetime:
        out = super()._deserialize(value, attr, data, **kwargs)
        if not MIN_DATE <= out.date() <= MAX_DATE:
            raise ValidationError(f"Must be between {MIN_DATE} and {MAX_DATE}.")
        return out.astimezone(UTC)


def Id(strict: bool = True, **kwargs: Any) -> fields.Integer:
    """A database id; strict (a JSON number) in bodies, parsed from text in query strings."""
    return fields.Integer(strict=strict, validate=validate.Range(1, MAX_ID), **kwargs)


def OneOf(enum_cls: Any, **kwargs: Any) -> fields.String:
    """A closed vocabulary (a StrEnum, or several, or a list of codes): the document lists it."""
    groups: list[Any] = [enum_cls] if isinstance(enum_cls, type) else list(enum_cls)
    if all(isinstance(group, type) for group in groups):  # one vocabulary or several
        values = [str(e.value) for group in groups for e in group]
    else:  # the codes themselves
        values = [str(getattr(e, "value", e)) for e in groups]
    values = list(dict.fromkeys(values))
    return fields.String(validate=validate.OneOf(values), **kwargs)


__all__ = ["Bool", "Day", "Id", "Moment", "OneOf", "Text"]


class Bool(fields.Boolean):
    """A JSON boolean: true or false only (not 0, 1 or "yes")."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean.")
        return value

"""The transition body, per event: which fields each workflow event takes and needs.

The request is loaded by TransitionSchema (every field, typed), then checked against the event's
own variant (its required fields, and no field of another event). The document describes the
body as `oneOf` the variants with a discriminator on `event`, so a client sees per event what
to send."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..workflows.messages import REFUSALS
from ..workflows.phases import CloseReason, EndReason, Event, PlacementType
from .fields import Bool, Day, Id, OneOf, Text
from .schemas import SupportsSchema

VERSION_DOC = (
    "the case's version as you last read it (its `version`, or the Case-Version / ETag of your last "
    "write); may be left out when If-Match carries it"
)


def _common() -> dict[str, Any]:
    return {
        "version": fields.Integer(
            strict=True, validate=validate.Range(1, 2**31 - 1), metadata={"description": VERSION_DOC}
        ),
        "note": Text(max_length=2000, metadata={"description": "kept in the case's history (a contact note)"}),
    }


def _placement(types: tuple[PlacementType, ...], what: str) -> dict[str, Any]:
    return {
        "employer_name": Text(max_length=200, min_length=1, required=True, metadata={"description": f"the {what}"}),
        # Any placement type is read; the workflow refuses the others with its refusal code, in words.
        "placement_type": OneOf(
            PlacementType,
            metadata={
                "openapi": {"enum": [t.value for t in types]},
                "description": f"default {types[0].value}; another type is refused (422 refusal_code "
                f"{'not_competitive_employment' if what == 'employer' else 'education_type_required'})",
            },
        ),
        "job_title": Text(max_length=200),
        "hours_per_week": fields.Float(validate=validate.Range(0, 80), allow_nan=False),
        "start_date": Day(metadata={"description": "default today; not before the enrolment"}),
        "benefits_counselling_offered": Bool(
            metadata={"description": "without it the start is recorded as a deviation from IPS"}
        ),
        "supports": fields.Nested(SupportsSchema),
    }


_ENTER = {
    "psychiatry_contact_id": Id(
        metadata={"description": "required unless the case already names one (refusal psychiatry_contact_required)"}
    ),
    "jobcenter_caseworker_id": Id(),
}
_END = {"end_reason": OneOf(EndReason, required=True), "end_date": Day(metadata={"description": "default today"})}

# name -> (events, fields, description)
VARIANTS: dict[str, tuple[tuple[Event, ...], dict[str, Any], str]] = {
    "EnrolTransition": (
        (Event.ENROL,),
        {
            **_ENTER,
            "citizen_agreed": Bool(
                metadata={"description": "the citizen agreed to take part (participation is voluntary)"}
            ),
            "consent_psychiatry": Bool(
                metadata={
                    "description": "the citizen consents to psychiatry hearing of the employment course (recorded with "
                    "the enrolment, so the joint start meeting e-mail goes out)"
                }
            ),
            "consent_jobcenter": Bool(
                metadata={"description": "the citizen consents to the jobcenter hearing of the employment course"}
            ),
        },
        "referred -> engagement; needs a psychiatry contact (integration with treatment)",
    ),
    "ReEnterTransition": ((Event.RE_ENTER,), dict(_ENTER), "closed or transitioned -> engagement"),
    "CloseTransition": (
        (Event.CLOSE,),
        {
            "reason": Text(
                max_length=64,
                required=True,
                metadata={
                    "openapi": {"enum": [r.value for r in CloseReason]},
                    "description": "zero exclusion: only these reasons close a case (any other is refused with "
                    "refusal_code close_reason_not_allowed)",
                },
            )
        },
        "any active phase -> closed",
    ),
    "StartJobTransition": (
        (Event.START_JOB,),
        _placement((PlacementType.ORDINARY_JOB, PlacementType.FLEXJOB), "employer"),
        "job_search or job_ended -> employed: competitive employment only",
    ),
    "StartEducationTransition": (
        (Event.START_EDUCATION,),
        _placement((PlacementType.EDUCATION,), "school"),
        "job_search or job_ended -> in_education: ordinary education",
    ),
    "EndPlacementTransition": (
        (Event.END_JOB, Event.END_EDUCATION),
        dict(_END),
        "employed / in_education -> job_ended",
    ),
    "PauseTransition": (
        (Event.PAUSE,),
        {
            "resume_date": Day(required=True, metadata={"description": "after today"}),
            "reason": Text(max_length=64, metadata={"description": "in the citizen's words (shown as a note)"}),
        },
        "an active phase -> paused, until the resume date",
    ),
    "PlainTransition": (
        (Event.DECLINE, Event.START_SEARCH, Event.RESUME_SEARCH, Event.HANDOVER_TO_NATURAL_SUPPORTS, Event.RESUME),
        {},
        "events without fields of their own (resume_search needs the job-ending review)",
    ),
}


def _variant(name: str, events: tuple[Event, ...], own: dict[str, Any], doc: str) -> type[Schema]:
    attrs: dict[str, Any] = {"event": OneOf(events, required=True), **_common(), **own, "__doc__": doc}
    return type(f"{name}Schema", (Schema,), attrs)


VARIANT_SCHEMAS: dict[str, type[Schema]] = {name: _variant(name, *spec) for name, spec in VARIANTS.items()}
BY_EVENT: dict[str, type[Schema]] = {
    event.value: VARIANT_SCHEMAS[name] for name, (events, _f, _d) in VARIANTS.items() for event in events
}


class TransitionSchema(Schema):
    """Any event's fields, typed; the event's variant then says which it takes and needs."""

    event = OneOf(Event, required=True)
    version = fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1))
    reason = Text(max_length=64)
    note = Text(max_length=2000)
    psychiatry_contact_id = Id()
    jobcenter_caseworker_id = Id()
    placement_type = OneOf(PlacementType)
    employer_name = Text(max_length=200)
    job_title = Text(max_length=200)
    hours_per_week = fields.Float(validate=validate.Range(0, 80), allow_nan=False)
    start_date = Day()
    benefits_counselling_offered = Bool()
    citizen_agreed = Bool()
    consent_psychiatry = Bool()
    consent_jobcenter = Bool()
    supports = fields.Nested(SupportsSchema)
    end_reason = OneOf(EndReason)
    end_date = Day()
    resume_date = Day()

    @validates_schema(pass_original=True)
    def _per_event(self, data: dict[str, Any], original: Any, **kwargs: Any) -> None:
        variant = BY_EVENT.get(data.get("event", ""))
        if variant is not None and isinstance(original, dict):
            errors = variant().validate(original)
            if errors:
                raise ValidationError(errors)


def one_of_document(ref: Any) -> dict[str, Any]:
    """The body's schema in the document: oneOf the variants, discriminated by `event`."""
    return {
        "oneOf": [ref(name) for name in VARIANT_SCHEMAS],
        "discriminator": {
            "propertyName": "event",
            "mapping": {
                event: ref(schema.__name__.removesuffix("Schema"))["$ref"] for event, schema in BY_EVENT.items()
            },
        },
    }


def refusal_table() -> str:
    """The refusal codes in words, for the operation's description."""
    return "\n".join(f"- `{code}`: {english}" for code, (_da, english) in sorted(REFUSALS.items()))

"""Request and response schemas. Unknown fields are rejected (marshmallow's RAISE)."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..workflows.phases import (
    STEP_TYPES,
    AccessAction,
    Adjustment,
    AuditPart,
    BenefitKind,
    CloseReason,
    ConsentCategory,
    ContactKind,
    ContactPurpose,
    DecisionOutcome,
    Disclosure,
    EndReason,
    Event,
    FollowUpKind,
    FollowUpStatus,
    HistoryEntry,
    Location,
    Part,
    Party,
    Phase,
    PlacementType,
    ReferralReason,
    Relation,
    WithdrawalRequester,
)
from .fields import Bool, CprNumber, Day, Id, Moment, OneOf, Text
from .shapes import output

# Pagination is bounded so no client can ask for everything.
PAGE_SIZE_MAX = 200


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, PAGE_SIZE_MAX))


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """One page of a list: its items (in the output shape) and where it lies among all pages."""
    item_schema = output(item_schema)

    class _Page(Schema):
        _output = True
        items = fields.List(fields.Nested(item_schema), required=True)
        page = fields.Integer(required=True)
        page_size = fields.Integer(required=True)
        total = fields.Integer(required=True)

    _Page.__name__ = f"{item_schema.__name__.removesuffix('Schema')}PageSchema"
    return _Page


class CitizenSchema(Schema):
    """A citizen: a new referral's citizen (input) or one on your cases (output)."""

    id = fields.Integer(dump_only=True)
    first_name = Text(max_length=100, min_length=1, required=True)
    last_name = Text(max_length=100, min_length=1, required=True)
    birth_year = fields.Integer(validate=validate.Range(1900, 2100), allow_none=True)
    cpr = CprNumber(
        allow_none=True,
        metadata={"description": "the CPR number; answers show it masked, POST /citizens/{id}/cpr shows it (logged)"},
    )
    phone = Text(max_length=40, allow_none=True)
    email = fields.Email(validate=validate.Length(max=254), allow_none=True)
    address = Text(max_length=300, allow_none=True)
    municipality = Text(max_length=100, allow_none=True)
    own_goal = Text(max_length=2000, allow_none=True)


class CaseArgs(PageArgs):
    phase = OneOf(Phase)
    consultant_id = Id(strict=False)
    overdue = fields.Boolean()


class CaseSchema(Schema):
    """An IPS case. `relation` and `visible_parts` come with one case (not in lists); `notice` only
    on a new referral that may duplicate an existing case."""

    SOMETIMES = ("relation", "visible_parts", "notice")
    id = fields.Integer(dump_only=True)
    reference = fields.String(dump_only=True)
    citizen = fields.Nested(CitizenSchema, dump_only=True)
    phase = OneOf(Phase, dump_only=True)
    paused_from = OneOf(Phase, dump_only=True, allow_none=True)
    resume_date = fields.Date(dump_only=True, allow_none=True)
    consultant_id = fields.Integer(dump_only=True, allow_none=True)
    psychiatry_contact_id = fields.Integer(dump_only=True, allow_none=True)
    jobcenter_caseworker_id = fields.Integer(dump_only=True, allow_none=True)
    ips_team_id = fields.Integer(dump_only=True, allow_none=True)
    referred_at = fields.DateTime(dump_only=True)
    enrolled_at = fields.DateTime(dump_only=True, allow_none=True)
    first_employer_contact_at = fields.DateTime(dump_only=True, allow_none=True)
    last_contact_at = fields.DateTime(dump_only=True, allow_none=True)
    phase_changed_at = fields.DateTime(dump_only=True)
    closed_at = fields.DateTime(dump_only=True, allow_none=True)
    close_reason = OneOf(CloseReason, dump_only=True, allow_none=True)
    version = fields.Integer(
        dump_only=True,
        metadata={
            "description": "raised by every write to the case (also a contact or a review): send it with the next "
            "transition, or as If-Match"
        },
    )
    relation = OneOf(Relation, dump_only=True, metadata={"description": "your relation to the case"})
    visible_parts = fields.List(
        OneOf(Part), dump_only=True, metadata={"description": "the parts of the case you may read now"}
    )
    notice = fields.String(
        dump_only=True,
        allow_none=True,
        metadata={
            "description": "on a new referral: set when a case may already exist for the citizen (the coordinator "
            "is told and can merge); nothing about the other record is shown"
        },
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _moment(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


# The citizen's fields as CitizenSchema shows them (all plain values: dumped as they are).
CITIZEN_FIELDS = tuple(name for name, field in CitizenSchema._declared_fields.items() if not field.load_only)


def case_body(case: Any, relation: str, visible_parts: list[str]) -> dict[str, Any]:
    """What output(CaseSchema) dumps for one case, written out: a case read is the API's hottest
    path and marshmallow's per-field machinery was a tenth of its time. tests/api/test_read_gate.py
    holds the two equal, field for field, and schemathesis holds it to the documented schema."""
    citizen = case.citizen
    return {
        "id": case.id,
        "reference": case.reference,
        "citizen": {name: getattr(citizen, name) for name in CITIZEN_FIELDS},
        "phase": _text(case.phase),
        "paused_from": _text(case.paused_from),
        "resume_date": _moment(case.resume_date),
        "consultant_id": case.consultant_id,
        "psychiatry_contact_id": case.psychiatry_contact_id,
        "jobcenter_caseworker_id": case.jobcenter_caseworker_id,
        "ips_team_id": case.ips_team_id,
        "referred_at": _moment(case.referred_at),
        "enrolled_at": _moment(case.enrolled_at),
        "first_employer_contact_at": _moment(case.first_employer_contact_at),
        "last_contact_at": _moment(case.last_contact_at),
        "phase_changed_at": _moment(case.phase_changed_at),
        "closed_at": _moment(case.closed_at),
        "close_reason": _text(case.close_reason),
        "version": case.version,
        "relation": _text(relation),
        "visible_parts": [str(part) for part in visible_parts],
    }


class ReferralSchema(Schema):
    """A new case: exactly one of `citizen_id` (an existing citizen on a case you relate to) or
    `citizen` (a new citizen's details); both or neither is 422."""

    citizen_id = Id()
    citizen = fields.Nested(CitizenSchema)
    consultant_id = Id()
    # The IPS team whose queue the referral reaches; without it, the consultant's team, the
    # referrer's own team, or the one team that fits (else 422 naming this field).
    ips_team_id = Id()
    psychiatry_contact_id = Id()
    jobcenter_caseworker_id = Id()
    out_of_work_at_enrolment = Bool(load_default=True)
    referral_reason = OneOf(ReferralReason, allow_none=True)

    @validates_schema
    def _one_citizen(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("citizen_id" in data) == ("citizen" in data):
            raise ValidationError("Give either citizen_id or citizen.", "citizen")


class AllowedEventsSchema(Schema):
    phase = OneOf(Phase, required=True)
    version = fields.Integer(required=True)
    events = fields.List(OneOf(Event), required=True)


# Every key a case event's `data` may carry (each shown only to a reader of its part).
class CaseEventDataSchema(Schema):
    """Facts recorded with a case event; which keys appear depends on the event (and on what you may read)."""

    SOMETIMES = "*"

    note = fields.String()
    placement_id = fields.Integer()
    early_ending = fields.Boolean(metadata={"description": "a job or education ended within its first months"})
    end_date = fields.String(metadata={"format": "date"})  # stored as ISO 8601 text
    consent_id = fields.Integer()
    requested_by = fields.String(metadata={"description": "who asked for a consent's withdrawal: citizen or a party"})
    notification_id = fields.Integer()
    follow_up_id = fields.Integer()
    due_at = fields.String(metadata={"format": "date-time"})
    merged_citizen_id = fields.Integer()
    into_case_id = fields.Integer()
    by = OneOf(("citizen", "staff"), metadata={"description": "written by the citizen or by staff"})
    citizen_agreed = fields.String(
        metadata={"format": "date", "description": "the day the citizen agreed to take part"}
    )
    goal_version = fields.Integer()
    action_id = fields.Integer()
    intervention_id = fields.Integer()
    rating_id = fields.Integer()


class CaseEventSchema(Schema):
    """One entry of the case's append-only history."""

    id = fields.Integer()
    seq = fields.Integer()
    event = OneOf((Event, HistoryEntry))
    from_phase = OneOf(Phase, allow_none=True)
    to_phase = OneOf(Phase, allow_none=True)
    reason = fields.String(
        allow_none=True,
        metadata={
            "description": "a close reason, an end reason, a deviation code, a notification kind, or a pause's own "
            "words (shown only to readers of contact notes)"
        },
    )
    actor_id = fields.Integer(allow_none=True)
    request_id = fields.String(allow_none=True)
    data = fields.Nested(CaseEventDataSchema)
    created_at = fields.DateTime()


class SupportsSchema(Schema):
    """The running job's supports (what the employer or the jobcenter provides); only those given."""

    SOMETIMES = "*"

    mentor = Text(max_length=1000, allow_none=True)
    mentor_hours = fields.Float(allow_none=True, validate=validate.Range(0, 60), allow_nan=False)
    personal_assistance = Text(max_length=1000, allow_none=True)
    aids = Text(max_length=1000, allow_none=True)
    flexjob_terms = Text(max_length=1000, allow_none=True)
    adjustments = Text(max_length=1000, allow_none=True)


class PlacementSchema(Schema):
    """A job, an education or a step. `POST /placements` records steps only (internship, wage
    subsidy, sheltered, other); jobs and education start with the start_job / start_education
    transitions."""

    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    type = OneOf(PlacementType, required=True)
    employer_name = Text(max_length=200, min_length=1, required=True)
    job_title = Text(max_length=200, allow_none=True)
    hours_per_week = fields.Float(validate=validate.Range(0, 80), allow_nan=False, allow_none=True)
    start_date = Day(required=True)
    end_date = Day(allow_none=True)
    end_reason = OneOf(EndReason, dump_only=True, allow_none=True)
    benefits_counselling_offered = Bool(load_default=False)
    supports = fields.Nested(SupportsSchema)


class StepSchema(PlacementSchema):
    """A step toward work: the types `POST /placements` accepts."""

    type = OneOf(tuple(sorted(STEP_TYPES)), required=True)


class ContactSchema(Schema):
    """A contact or meeting with the citizen; `occurred_at` may not lie in the future."""

    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    staff_id = fields.Integer(dump_only=True)
    kind = OneOf(ContactKind, required=True)
    occurred_at = Moment(required=True)
    location = OneOf(Location, required=True)
    note = Text(max_length=5000, allow_none=True)


class EmployerContactSchema(Schema):
    """An employer contact: the employer by register id or by name (added to the register if new);
    `occurred_at` may not lie in the future."""

    id = fields.Integer(dump_only=True)
    consultant_id = fields.Integer(dump_only=True)
    case_id = Id(allow_none=True)
    employer_name = Text(max_length=200, min_length=1)
    employer_id = Id(allow_none=True)
    person_id = Id(allow_none=True)
    purpose = OneOf(ContactPurpose, allow_none=True)
    outcome = Text(max_length=2000, allow_none=True)
    next_step = Text(max_length=500, allow_none=True)
    next_step_due = Day(allow_none=True)
    next_step_done_at = fields.DateTime(dump_only=True, allow_none=True)
    occurred_at = Moment(required=True)
    face_to_face = Bool(load_default=True)
    location = OneOf(Location, load_default="community")
    note = Text(max_length=2000, allow_none=True)


class EmployerContactArgs(PageArgs):
    case_id = Id(strict=False)


# What the review adjusts for the next job, per kind of adjustment.
AdjustmentsSchema = Schema.from_dict({a.value: Text(max_length=1000) for a in Adjustment}, name="AdjustmentsSchema")
AdjustmentsSchema.SOMETIMES = "*"  # type: ignore[attr-defined]  # only the kinds adjusted

PROFILE_TEXT_FIELDS = (
    "wishes_and_dreams",
    "job_preferences",
    "work_history",
    "education",
    "strengths",
    "support_needs",
)
ProfileChangesSchema = Schema.from_dict(
    {name: Text(max_length=5000) for name in PROFILE_TEXT_FIELDS}, name="ProfileChangesSchema"
)


class ReviewSchema(Schema):
    """The joint review after a job ending; `held_at` may not lie in the future."""

    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    placement_id = fields.Integer(dump_only=True, allow_none=True)
    held_at = Moment(required=True)
    what_worked = Text(max_length=5000, allow_none=True)
    what_did_not = Text(max_length=5000, allow_none=True)
    adjustments = fields.Nested(AdjustmentsSchema)
    clinician_present = Bool(load_default=False)
    job_preferences = Text(
        max_length=5000,
        allow_none=True,
        load_only=True,
        metadata={"description": "updated job preferences: a new career-profile version, written with the review"},
    )
    # Any fields of the career profile updated in the same step (one transaction); others carry over.
    profile_changes = fields.Nested(ProfileChangesSchema, load_only=True)


class CareerProfileSchema(Schema):
    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    wishes_and_dreams = Text(max_length=5000, allow_none=True)
    job_preferences = Text(max_length=5000, allow_none=True)
    work_history = Text(max_length=5000, allow_none=True)
    education = Text(max_length=5000, allow_none=True)
    strengths = Text(max_length=5000, allow_none=True)
    support_needs = Text(max_length=5000, allow_none=True)
    disclosure = OneOf(Disclosure, allow_none=True)
    relatives_involved = Text(max_length=2000, allow_none=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)

    @validates_schema
    def _not_empty(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not any(v not in (None, "") for v in data.values()):
            raise ValidationError("Fill in at least one field of the career profile.", "_schema")


class ConsentSchema(Schema):
    """A specific consent: from one party to another (they must differ), for named categories and a
    purpose; `given_at` may not lie in the future."""

    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    from_party = OneOf(Party, required=True)
    to_party = OneOf(Party, required=True)
    categories = fields.List(OneOf(ConsentCategory), required=True, validate=validate.Length(min=1, max=10))
    purpose = Text(max_length=500, min_length=3, required=True)
    given_at = Day(required=True)
    expires_at = Day(allow_none=True)
    withdrawn_at = fields.DateTime(dump_only=True, allow_none=True)
    recorded_by_id = fields.Integer(dump_only=True)
    live = fields.Boolean(dump_only=True)


class FollowUpSchema(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    kind = OneOf(FollowUpKind)
    due_at = fields.DateTime()
    assignee_id = fields.Integer(allow_none=True)
    status = OneOf(FollowUpStatus)
    overdue = fields.Boolean()
    completed_at = fields.DateTime(allow_none=True)


class FollowUpArgs(PageArgs):
    status = OneOf(FollowUpStatus)
    kind = OneOf(FollowUpKind)
    overdue = fields.Boolean()
    case_id = Id(strict=False)


class TokenCreateSchema(Schema):
    name = Text(max_length=100, min_length=1, required=True)


class TokenSchema(Schema):
    """A personal token; `token` itself only in the answer that created it."""

    SOMETIMES = ("token",)
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(metadata={"description": "the token stops working at this time (API_TOKEN_DAYS)"})
    token = fields.String(metadata={"description": "the token itself, returned only when created"})


class SharedHealthInfoSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    category = OneOf(
        ("symptoms", "coping_strategies", "warning_signs", "medication_side_effects", "strengths"), required=True
    )
    text = Text(max_length=5000, min_length=1, required=True)
    author_id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class BenefitFactSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    benefit = Text(max_length=100, min_length=1, required=True)
    note = Text(max_length=2000, allow_none=True)
    author_id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    # The kind of decision: mentor hours, aids, personal assistance, flexjob assessment,
    # ressourceforløb, rehabilitation team; its hours a week and its date.
    kind = OneOf(BenefitKind, allow_none=True)
    hours = fields.Float(validate=validate.Range(0, 80), allow_nan=False, allow_none=True)
    on_date = Day(allow_none=True)
    # A decision's outcome and its next date (a reassessment, the next meeting).
    outcome = OneOf(DecisionOutcome, allow_none=True)
    next_date = Day(allow_none=True)
    updated_at = fields.DateTime(dump_only=True, allow_none=True)


class AccessLogSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    action = OneOf(AccessAction)
    part = OneOf((Part, AuditPart))
    view = fields.String()
    request_id = fields.String(allow_none=True)
    remote_addr = fields.String(allow_none=True)
    created_at = fields.DateTime()
    target = fields.String(allow_none=True, metadata={"description": "what a refused request named"})
    outcome = fields.Integer(allow_none=True, metadata={"description": "the status of a refused request"})
    reason = fields.String(allow_none=True, metadata={"description": "the reason stated for a full export"})


class ExportArgs(Schema):
    reason = Text(
        min_length=5,
        max_length=500,
        metadata={"description": "required for the privacy officer's full export; recorded in the access log"},
    )


class CprSchema(Schema):
    """A citizen's full CPR number, asked for explicitly (a row in the access log)."""

    cpr = fields.String(required=True, metadata={"description": "DDMMYY-SSSS"})


class ExportSchema(Schema):
    """The citizen's record: the citizen, and per case the sections you may read (all for the
    privacy officer's full export). Each row carries its table's columns."""

    format = fields.String(required=True)
    exported_at = fields.String(required=True)
    scope = OneOf(
        ("full", "as read by your role"),
        required=True,
        metadata={"description": "full (privacy officer) or as read by your role"},
    )
    citizen = fields.Dict(required=True, metadata={"openapi": "citizen"})
    cases = fields.List(fields.Dict(metadata={"openapi": "case"}), required=True)


class ConsentWithdrawSchema(Schema):
    requested_by = OneOf(
        WithdrawalRequester,
        required=True,
        metadata={"description": "who asked for the withdrawal: the citizen, or the party that gave the consent"},
    )
    confirm = Bool(required=True, metadata={"description": "must be true: sharing under the consent stops at once"})

"""Request and response schemas. Unknown fields are rejected (marshmallow's RAISE)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..workflows.phases import (
    Adjustment,
    BenefitKind,
    ConsentCategory,
    ContactKind,
    ContactPurpose,
    EndReason,
    Event,
    FollowUpKind,
    FollowUpStatus,
    Location,
    Party,
    Phase,
    PlacementType,
    WithdrawalRequester,
)
from .fields import Bool, Day, Id, Moment, OneOf, Text

# Pagination is bounded so no client can ask for everything.
PAGE_SIZE_MAX = 200


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(1, PAGE_SIZE_MAX))


def page_of(item_schema):
    class _Page(Schema):
        items = fields.List(fields.Nested(item_schema), required=True)
        page = fields.Integer(required=True)
        page_size = fields.Integer(required=True)
        total = fields.Integer(required=True)

    _Page.__name__ = f"{item_schema.__name__.removesuffix('Schema')}PageSchema"
    return _Page


class CitizenSchema(Schema):
    id = fields.Integer(dump_only=True)
    first_name = Text(max_length=100, min_length=1, required=True)
    last_name = Text(max_length=100, min_length=1, required=True)
    birth_year = fields.Integer(validate=validate.Range(1900, 2100), allow_none=True)
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
    id = fields.Integer(dump_only=True)
    reference = fields.String(dump_only=True)
    citizen = fields.Nested(CitizenSchema, dump_only=True)
    phase = fields.String(dump_only=True)
    paused_from = fields.String(dump_only=True, allow_none=True)
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
    close_reason = fields.String(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)
    relation = fields.String(dump_only=True, metadata={"description": "your relation to the case"})
    visible_parts = fields.List(fields.String(), dump_only=True,
                                metadata={"description": "the parts of the case you may read now"})
    notice = fields.String(dump_only=True, allow_none=True, metadata={
        "description": "on a new referral: set when a case may already exist for the citizen (the coordinator "
                       "is told and can merge); nothing about the other record is shown"})


class ReferralSchema(Schema):
    """A new case: an existing citizen by id, or a new citizen's details."""

    citizen_id = Id()
    citizen = fields.Nested(CitizenSchema)
    consultant_id = Id()
    psychiatry_contact_id = Id()
    jobcenter_caseworker_id = Id()
    out_of_work_at_enrolment = Bool(load_default=True)

    @validates_schema
    def _one_citizen(self, data, **kwargs):
        if ("citizen_id" in data) == ("citizen" in data):
            raise ValidationError("Give either citizen_id or citizen.", "citizen")


class TransitionSchema(Schema):
    event = OneOf(Event, required=True)
    version = fields.Integer(strict=True, required=True, validate=validate.Range(1, 2**31 - 1))
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
    # Enrolment: the citizen agreed to take part (participation is voluntary); kept in the event.
    citizen_agreed = Bool()
    supports = fields.Dict(keys=Text(max_length=40), values=Text(max_length=500),
                           validate=validate.Length(max=20))
    end_reason = OneOf(EndReason)
    end_date = Day()
    resume_date = Day()


class AllowedEventsSchema(Schema):
    phase = fields.String(required=True)
    version = fields.Integer(required=True)
    events = fields.List(fields.String(), required=True)


class CaseEventSchema(Schema):
    id = fields.Integer()
    seq = fields.Integer()
    event = fields.String()
    from_phase = fields.String(allow_none=True)
    to_phase = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    actor_id = fields.Integer(allow_none=True)
    request_id = fields.String(allow_none=True)
    data = fields.Dict()
    created_at = fields.DateTime()


class PlacementSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    type = OneOf(PlacementType, required=True)
    employer_name = Text(max_length=200, min_length=1, required=True)
    job_title = Text(max_length=200, allow_none=True)
    hours_per_week = fields.Float(validate=validate.Range(0, 80), allow_nan=False, allow_none=True)
    start_date = Day(required=True)
    end_date = Day(allow_none=True)
    end_reason = fields.String(dump_only=True, allow_none=True)
    benefits_counselling_offered = Bool(load_default=False)
    supports = fields.Dict(keys=Text(max_length=40), values=Text(max_length=500), validate=validate.Length(max=20))


class ContactSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    staff_id = fields.Integer(dump_only=True)
    kind = OneOf(ContactKind, required=True)
    occurred_at = Moment(required=True)
    location = OneOf(Location, required=True)
    note = Text(max_length=5000, allow_none=True)


class EmployerContactSchema(Schema):
    """An employer contact: the employer by register id or by name (added to the register if new)."""

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


class ReviewSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    placement_id = fields.Integer(dump_only=True, allow_none=True)
    held_at = Moment(required=True)
    what_worked = Text(max_length=5000, allow_none=True)
    what_did_not = Text(max_length=5000, allow_none=True)
    adjustments = fields.Dict(keys=fields.String(validate=validate.OneOf(
        [a.value for a in Adjustment])), values=Text(max_length=1000))
    clinician_present = Bool(load_default=False)
    job_preferences = Text(max_length=5000, allow_none=True, load_only=True, metadata={
        "description": "updated job preferences: a new career-profile version, written with the review"})
    # Any fields of the career profile updated in the same step (one transaction); others carry over.
    profile_changes = fields.Dict(keys=fields.String(validate=validate.OneOf(
        ["wishes_and_dreams", "job_preferences", "work_history", "education", "strengths", "support_needs"])),
        values=Text(max_length=5000), load_only=True)


class CareerProfileSchema(Schema):
    id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    wishes_and_dreams = Text(max_length=5000, allow_none=True)
    job_preferences = Text(max_length=5000, allow_none=True)
    work_history = Text(max_length=5000, allow_none=True)
    education = Text(max_length=5000, allow_none=True)
    strengths = Text(max_length=5000, allow_none=True)
    support_needs = Text(max_length=5000, allow_none=True)
    disclosure = fields.String(validate=validate.OneOf(["full", "partial", "none", "undecided"]), allow_none=True)
    relatives_involved = Text(max_length=2000, allow_none=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not any(v not in (None, "") for v in data.values()):
            raise ValidationError("Fill in at least one field of the career profile.", "_schema")


class ConsentSchema(Schema):
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
    kind = fields.String()
    due_at = fields.DateTime()
    assignee_id = fields.Integer(allow_none=True)
    status = fields.String()
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
    id = fields.Integer()
    name = fields.String()
    prefix = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(metadata={"description": "the token stops working at this time (API_TOKEN_DAYS)"})
    token = fields.String(metadata={"description": "the token itself, returned only when created"})


class SharedInfoSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    category = fields.String(required=True, validate=validate.OneOf(
        ["symptoms", "coping_strategies", "warning_signs", "medication_side_effects", "strengths"]))
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
    # The kind of decision (issue 15): mentor hours, aids, personal assistance, flexjob assessment,
    # ressourceforløb, rehabilitation team; its hours a week and its date.
    kind = OneOf(BenefitKind, allow_none=True)
    hours = fields.Float(validate=validate.Range(0, 80), allow_nan=False, allow_none=True)
    on_date = Day(allow_none=True)


class AccessLogSchema(Schema):
    id = fields.Integer()
    user_id = fields.Integer(allow_none=True)
    case_id = fields.Integer(allow_none=True)
    action = fields.String(metadata={"description": "read, write or refused"})
    part = fields.String()
    view = fields.String()
    request_id = fields.String(allow_none=True)
    remote_addr = fields.String(allow_none=True)
    created_at = fields.DateTime()
    target = fields.String(allow_none=True, metadata={"description": "what a refused request named"})
    outcome = fields.Integer(allow_none=True, metadata={"description": "the status of a refused request"})
    reason = fields.String(allow_none=True, metadata={"description": "the reason stated for a full export"})


class ExportArgs(Schema):
    reason = Text(min_length=5, max_length=500, metadata={
        "description": "required for the privacy officer's full export; recorded in the access log"})


class ExportSchema(Schema):
    format = fields.String(required=True)
    exported_at = fields.String(required=True)
    scope = fields.String(metadata={"description": "full (privacy officer) or as read by your role"})
    citizen = fields.Dict(required=True)
    cases = fields.List(fields.Dict(), required=True)


class ConsentWithdrawSchema(Schema):
    requested_by = fields.String(required=True, validate=validate.OneOf([r.value for r in WithdrawalRequester]),
                                 metadata={"description": "who asked for the withdrawal: the citizen, or the party "
                                                          "that gave the consent"})
    confirm = Bool(required=True, metadata={"description": "must be true: sharing under the consent stops at once"})

"""Systematic job development over the API: the team's employer register, contact persons,
openings, matching for a case and for an opening, suggestions, and moving a follow-up."""

from __future__ import annotations

from typing import Any, NoReturn

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..access.audit import audit_pairs, shows_no_citizen_data
from ..extensions import db
from ..models import FollowUp, FollowUpChange
from ..models.employer import Employer, EmployerPerson, Opening, Suggestion, employer_key
from ..services import employers as emp
from ..services import followups as fus
from ..services import matching
from ..workflows.phases import MatchReason, OpeningStatus, Part, Role, SuggestionOutcome
from .common import (
    call_service,
    case_for,
    case_in_body,
    case_part,
    check_case_access,
    checked_case,
    errors,
    paginate,
    require_login,
)
from .fields import Id, Moment, OneOf, Text
from .schemas import PageArgs, page_of
from .shapes import input_of, output

blp = Blueprint("api_employers", __name__, description="Employers, openings and matching (job development)")
blp.before_request(require_login)
blp.before_request(check_case_access)  # the case-scoped ones: relation (404) and part (403) first


class PersonSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(max_length=200, min_length=1, required=True)
    title = Text(max_length=200, allow_none=True)
    phone = Text(max_length=40, allow_none=True)
    email = fields.Email(validate=validate.Length(max=254), allow_none=True)


class EmployerSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = Text(max_length=200, min_length=1, required=True)
    cvr = fields.String(
        validate=validate.Regexp(r"^\d{8}$"),
        allow_none=True,
        metadata={"description": "8 digits with a valid modulus-11 check digit"},
    )
    address = Text(max_length=300, allow_none=True)
    municipality = Text(max_length=100, allow_none=True)
    industry = Text(max_length=100, allow_none=True)
    note = Text(max_length=2000, allow_none=True)
    persons = fields.List(fields.Nested(PersonSchema), dump_only=True)


class EmployerArgs(PageArgs):
    q = Text(max_length=200)


class OpeningSchema(Schema):
    id = fields.Integer(dump_only=True)
    employer_id = fields.Integer(dump_only=True)
    employer_name = fields.String(dump_only=True, attribute="employer.name")
    title = Text(max_length=200, min_length=1, required=True)
    hours_per_week = fields.Float(validate=validate.Range(1, 80), allow_none=True)
    place = Text(max_length=200, allow_none=True)
    requirements = Text(max_length=2000, allow_none=True)
    status = OneOf(OpeningStatus, dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class OpeningArgs(PageArgs):
    status = OneOf(OpeningStatus)


class OpeningStatusSchema(Schema):
    status = OneOf(OpeningStatus, required=True)


class ReasonSchema(Schema):
    code = OneOf(MatchReason)
    words = fields.String()


class MatchedOpeningSchema(Schema):
    opening = fields.Nested(OpeningSchema)
    score = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))
    explanation = fields.String()
    suggested = fields.Boolean()


class MatchedCaseSchema(Schema):
    case_id = fields.Integer()
    reference = fields.String()
    own_case = fields.Boolean()
    score = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))
    explanation = fields.String()


class SuggestionSchema(Schema):
    id = fields.Integer(dump_only=True)
    opening_id = Id(required=True)
    case_id = fields.Integer(dump_only=True)
    explanation = fields.String(dump_only=True, allow_none=True)
    outcome = OneOf(SuggestionOutcome, dump_only=True)
    note = Text(max_length=2000, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class OutcomeSchema(Schema):
    outcome = OneOf(SuggestionOutcome, required=True)
    note = Text(max_length=2000, allow_none=True)


class MoveSchema(Schema):
    due_at = Moment(allow_none=True)
    assignee_id = Id(allow_none=True)
    reason = Text(max_length=500, min_length=3, required=True)


class FollowUpChangeSchema(Schema):
    id = fields.Integer()
    follow_up_id = fields.Integer()
    from_due_at = fields.DateTime()
    to_due_at = fields.DateTime()
    from_assignee_id = fields.Integer(allow_none=True)
    to_assignee_id = fields.Integer(allow_none=True)
    reason = fields.String()
    created_at = fields.DateTime()


def _team() -> int:
    if current_user.role not in (Role.IPS_CONSULTANT, Role.COORDINATOR) or current_user.organisation_id is None:
        abort(403, message="The employer register belongs to an IPS team.")
    team: int = current_user.organisation_id
    return team


def _consultant() -> None:
    if current_user.role != Role.IPS_CONSULTANT:
        abort(403, message="Job development is recorded by IPS consultants.")


def _not_found(message: str) -> NoReturn:
    abort(404, message=message)
    raise AssertionError("abort raises")  # flask-smorest's abort is untyped


def _employer(employer_id: int) -> Employer:
    employer = db.session.get(Employer, employer_id)
    if employer is None or employer.ips_team_id != _team():
        _not_found("No such employer.")
    return employer


def _opening(opening_id: int) -> Opening:
    opening = db.session.get(Opening, opening_id)
    if opening is None or opening.ips_team_id != _team():
        _not_found("No such opening.")
    return opening


def _reasons(m: matching.Match) -> list[dict[str, str]]:
    return [{"code": c, "words": w} for c, w in m.reasons]


@blp.route("/employers")
@shows_no_citizen_data  # employers and openings, never a citizen
class Employers(MethodView):
    @blp.arguments(EmployerArgs, location="query")
    @blp.response(200, page_of(EmployerSchema))
    @errors(blp, 401, 403)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The team's employer register; `q` searches the normalised name"""
        team = _team()
        query = select(Employer).where(Employer.ips_team_id == team)
        key = employer_key(args.get("q"))
        if key:
            escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(Employer.name_key.like(f"%{escaped}%", escape="\\"))
        return paginate(query, args, (Employer.name_key, Employer.id))

    @blp.arguments(input_of(EmployerSchema))
    @blp.response(201, output(EmployerSchema))
    @errors(blp, 400, 401, 403)
    def post(self, data: dict[str, Any]) -> Employer:
        """Add an employer (the CVR number is checked; a second record of the same name or CVR is refused)"""
        _consultant()
        return call_service(emp.create_employer, current_user, data)


@blp.route("/employers/<id:employer_id>")
@shows_no_citizen_data  # employers and openings, never a citizen
class EmployerDetail(MethodView):
    @blp.response(200, output(EmployerSchema))
    @errors(blp, 401, 403, 404)
    def get(self, employer_id: int) -> Employer:
        """One employer with its contact persons"""
        return _employer(employer_id)

    @blp.arguments(input_of(EmployerSchema))
    @blp.response(200, output(EmployerSchema))
    @errors(blp, 400, 401, 403, 404)
    def put(self, data: dict[str, Any], employer_id: int) -> Employer:
        """Change an employer's record"""
        _consultant()
        return call_service(emp.update_employer, _employer(employer_id), current_user, data)


@blp.route("/employers/<id:employer_id>/persons")
class EmployerPersons(MethodView):
    @blp.arguments(input_of(PersonSchema))
    @blp.response(201, output(PersonSchema))
    @errors(blp, 400, 401, 403, 404)
    def post(self, data: dict[str, Any], employer_id: int) -> EmployerPerson:
        """Add a contact person"""
        _consultant()
        return call_service(emp.add_person, _employer(employer_id), current_user, data)


@blp.route("/employers/<id:employer_id>/openings")
class EmployerOpenings(MethodView):
    @blp.arguments(input_of(OpeningSchema))
    @blp.response(201, output(OpeningSchema))
    @errors(blp, 400, 401, 403, 404)
    def post(self, data: dict[str, Any], employer_id: int) -> Opening:
        """Record an opening learned from the employer"""
        _consultant()
        return call_service(emp.create_opening, _employer(employer_id), current_user, data)


@blp.route("/openings")
@shows_no_citizen_data  # employers and openings, never a citizen
class Openings(MethodView):
    @blp.arguments(OpeningArgs, location="query")
    @blp.response(200, page_of(OpeningSchema))
    @errors(blp, 401, 403)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The team's openings, newest first"""
        query = select(Opening).where(Opening.ips_team_id == _team())
        if "status" in args:
            query = query.where(Opening.status == args["status"])
        return paginate(query, args, (Opening.created_at.desc(), Opening.id.desc()))


@blp.route("/openings/<id:opening_id>/status")
class OpeningStatusView(MethodView):
    @blp.arguments(input_of(OpeningStatusSchema))
    @blp.response(200, output(OpeningSchema))
    @errors(blp, 400, 401, 403, 404)
    def post(self, data: dict[str, Any], opening_id: int) -> Opening:
        """Mark an opening open, filled or closed"""
        _consultant()
        return call_service(emp.set_opening_status, _opening(opening_id), current_user, data["status"])


@blp.route("/openings/<id:opening_id>/candidates")
class OpeningCandidates(MethodView):
    @blp.response(200, output(MatchedCaseSchema)(many=True))
    @errors(blp, 401, 403, 404)
    def get(self, opening_id: int) -> list[dict[str, Any]]:
        """The team's job seekers ranked against the opening, each with its reasons

        The user's own cases come first on a tie."""
        _consultant()
        matches = matching.candidates_for_opening(_opening(opening_id), current_user)
        audit_pairs(current_user, [(m.case.id, Part.CAREER_PROFILE) for m in matches])
        return [
            {
                "case_id": m.case.id,
                "reference": m.case.reference,
                "own_case": m.case.consultant_id == current_user.id,
                "score": m.score,
                "reasons": _reasons(m),
                "explanation": m.explanation(),
            }
            for m in matches
        ]


@blp.route("/cases/<id:case_id>/matches")
class CaseMatches(MethodView):
    @blp.response(200, output(MatchedOpeningSchema)(many=True))
    @errors(blp, 401, 403, 404)
    @case_part(Part.CAREER_PROFILE)
    def get(self, case_id: int) -> list[dict[str, object]]:
        """Open openings ranked against the case's career profile, with the reasons in words; never a decision"""
        case = checked_case()
        matches = matching.suggestions_for_case(case)
        done = set(db.session.scalars(select(Suggestion.opening_id).where(Suggestion.case_id == case.id)))
        audit_pairs(current_user, [(case.id, Part.CAREER_PROFILE)])
        return [
            {
                "opening": m.opening,
                "score": m.score,
                "reasons": _reasons(m),
                "explanation": m.explanation(),
                "suggested": m.opening.id in done,
            }
            for m in matches
        ]


@blp.route("/cases/<id:case_id>/suggestions")
class CaseSuggestions(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(SuggestionSchema))
    @errors(blp, 401, 403, 404)
    @case_part(Part.PLACEMENTS)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Openings suggested to the citizen and what came of them"""
        case = checked_case()
        audit_pairs(current_user, [(case.id, Part.PLACEMENTS)])
        return paginate(
            select(Suggestion).where(Suggestion.case_id == case.id),
            args,
            (Suggestion.created_at.desc(), Suggestion.id.desc()),
        )

    @blp.arguments(input_of(SuggestionSchema))
    @blp.response(201, output(SuggestionSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.PLACEMENTS, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> Suggestion:
        """Record that the consultant suggested an opening to the citizen"""
        _consultant()
        case = checked_case()
        return call_service(
            matching.record_suggestion, case, _opening(data["opening_id"]), current_user, note=data.get("note")
        )


@blp.route("/suggestions/<id:suggestion_id>/outcome")
class SuggestionOutcomeView(MethodView):
    @blp.arguments(input_of(OutcomeSchema))
    @blp.response(200, output(SuggestionSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_in_body
    def post(self, data: dict[str, Any], suggestion_id: int) -> Suggestion:
        """What came of a suggestion (not interested, applied, interview, hired, not hired)"""
        row = db.session.get(Suggestion, suggestion_id)
        if row is None:
            _not_found("No such suggestion.")
        case_for(row.case_id, Part.PLACEMENTS, write=True)
        return call_service(matching.record_outcome, row, current_user, data["outcome"], data.get("note"))


@blp.route("/follow-ups/<id:follow_up_id>/move")
class FollowUpMove(MethodView):
    @blp.arguments(input_of(MoveSchema))
    @blp.response(200, output(FollowUpChangeSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.FOLLOW_UPS, write=True)
    def post(self, data: dict[str, Any], follow_up_id: int) -> FollowUpChange:
        """Move a follow-up to a new date and/or hand it to a colleague; the reason is kept in its history"""
        fu = db.session.get(FollowUp, follow_up_id)
        if fu is None:  # check_case_access found its case, so only a race gets here
            _not_found("Not found.")
        return call_service(
            fus.move_follow_up,
            fu,
            current_user,
            reason=data["reason"],
            due_at=data.get("due_at"),
            assignee_id=data.get("assignee_id"),
        )

    @blp.response(200, output(FollowUpChangeSchema)(many=True))
    @errors(blp, 401, 403, 404)
    @case_part(Part.FOLLOW_UPS)
    def get(self, follow_up_id: int) -> list[FollowUpChange]:
        """The follow-up's history of moves and hand-overs"""
        case = checked_case()
        audit_pairs(current_user, [(case.id, Part.FOLLOW_UPS)])
        return fus.history(follow_up_id)

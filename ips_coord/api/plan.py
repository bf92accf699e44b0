"""The shared plan in the API: goals in the citizen's words, actions, parallel interventions,
the running job's supports and progress ratings. Access is decided before the body is parsed
(relation 404, part 403), exactly as for the other case records; every write goes through
services/plan.py and becomes a case event."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..extensions import db
from ..models import IpsCase, ParallelIntervention, PlanAction, PlanGoal, ProgressRating, SupportChange
from ..services import plan as svc
from ..services.case_state import current_placement
from ..workflows.phases import Part, Phase
from ..workflows.plan import CURRENT_INSTRUMENT, PlanOwner, WrittenBy
from .common import call_service, case_part, check_case_access, checked_case, errors, require_login
from .fields import Day, OneOf, Text
from .schemas import SupportsSchema
from .shapes import input_of, output

blp = Blueprint("api_plan", __name__, description="The shared plan, parallel interventions and progress")
blp.before_request(require_login)
blp.before_request(check_case_access)  # each method's @case_part: relation 404, part 403, before the body


class GoalSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    text = Text(max_length=5000, min_length=1, required=True)
    written_by = OneOf(WrittenBy, dump_only=True)
    author_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class ActionSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    text = Text(max_length=1000, min_length=1, required=True)
    owner = OneOf(PlanOwner, required=True)
    due_date = Day(allow_none=True)
    follow_up_id = fields.Integer(dump_only=True, allow_none=True)
    done_at = fields.DateTime(dump_only=True, allow_none=True)
    written_by = OneOf(WrittenBy, dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class InterventionSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    name = Text(max_length=100, min_length=1, required=True)
    start_date = Day(required=True)
    end_date = fields.Date(dump_only=True, allow_none=True)


class InterventionEndSchema(Schema):
    end_date = Day(required=True)


class SupportChangeSchema(Schema):
    supports = fields.Nested(SupportsSchema)
    changed_by_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime()


class SupportsViewSchema(Schema):
    placement_id = fields.Integer(allow_none=True)
    supports = fields.Nested(SupportsSchema, allow_none=True)
    history = fields.List(fields.Nested(SupportChangeSchema))


ScoresSchema = Schema.from_dict(
    {
        d: fields.Integer(
            strict=True, required=True, validate=validate.Range(CURRENT_INSTRUMENT.low, CURRENT_INSTRUMENT.high)
        )
        for d in CURRENT_INSTRUMENT.dimensions
    },
    name="ScoresSchema",
)


class RatingSchema(Schema):
    id = fields.Integer(dump_only=True)
    case_id = fields.Integer(dump_only=True)
    instrument = fields.String(dump_only=True)
    rater = OneOf(WrittenBy, dump_only=True)
    scores = fields.Nested(ScoresSchema, required=True)
    rated_at = fields.DateTime(dump_only=True)


class ProgressViewSchema(Schema):
    instrument = fields.String()
    version = fields.String()
    dimensions = fields.List(fields.String())
    scale = fields.List(fields.Integer())
    ratings = fields.List(fields.Nested(RatingSchema))


@blp.route("/cases/<id:case_id>/plan/goals")
class Goals(MethodView):
    @blp.response(200, output(GoalSchema)(many=True))
    @errors(blp, 401, 403, 404)
    @case_part(Part.SHARED_PLAN)
    def get(self, case_id: int) -> Sequence[PlanGoal]:
        """The citizen's goals in their own words, newest version first (each marked citizen or staff)"""
        return db.session.scalars(
            select(PlanGoal).where(PlanGoal.case_id == case_id).order_by(PlanGoal.version.desc())
        ).all()

    @blp.arguments(input_of(GoalSchema))
    @blp.response(201, output(GoalSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.SHARED_PLAN, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> PlanGoal:
        """Save a new version of the goals, written by staff on the citizen's behalf"""
        return call_service(svc.save_goal, checked_case(), data["text"], actor=current_user)


@blp.route("/cases/<id:case_id>/plan/actions")
class Actions(MethodView):
    @blp.response(200, output(ActionSchema)(many=True))
    @errors(blp, 401, 403, 404)
    @case_part(Part.SHARED_PLAN)
    def get(self, case_id: int) -> Sequence[PlanAction]:
        """The plan's actions: open ones first, by due date"""
        return db.session.scalars(
            select(PlanAction)
            .where(PlanAction.case_id == case_id)
            .order_by(PlanAction.done_at.is_not(None), PlanAction.due_date, PlanAction.id)
        ).all()

    @blp.arguments(input_of(ActionSchema))
    @blp.response(201, output(ActionSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.SHARED_PLAN, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> PlanAction:
        """Add an action with its owner; a due date becomes the owner's follow-up (reminder, escalation)"""
        return call_service(
            svc.add_action,
            checked_case(),
            text=data["text"],
            owner=data["owner"],
            due_date=data.get("due_date"),
            actor=current_user,
        )


@blp.route("/plan-actions/<id:action_id>/done")
class ActionDone(MethodView):
    @blp.response(200, output(ActionSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.SHARED_PLAN, write=True)
    def post(self, action_id: int) -> PlanAction:
        """Mark an action done (its follow-up is completed)"""
        return call_service(svc.complete_action, db.session.get_one(PlanAction, action_id), actor=current_user)


@blp.route("/cases/<id:case_id>/interventions")
class Interventions(MethodView):
    @blp.response(200, output(InterventionSchema)(many=True))
    @errors(blp, 401, 403, 404)
    @case_part(Part.PARALLEL_INTERVENTIONS)
    def get(self, case_id: int) -> Sequence[ParallelIntervention]:
        """Parallel interventions (CTI, ACT, IBBIS, peer support...), newest first"""
        return db.session.scalars(
            select(ParallelIntervention)
            .where(ParallelIntervention.case_id == case_id)
            .order_by(ParallelIntervention.start_date.desc(), ParallelIntervention.id)
        ).all()

    @blp.arguments(input_of(InterventionSchema))
    @blp.response(201, output(InterventionSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.PARALLEL_INTERVENTIONS, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> ParallelIntervention:
        """Start a parallel intervention"""
        return call_service(
            svc.start_intervention, checked_case(), current_user, name=data["name"], start_date=data["start_date"]
        )


@blp.route("/interventions/<id:intervention_id>/end")
class InterventionEnd(MethodView):
    @blp.arguments(input_of(InterventionEndSchema))
    @blp.response(200, output(InterventionSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.PARALLEL_INTERVENTIONS, write=True)
    def post(self, data: dict[str, Any], intervention_id: int) -> ParallelIntervention:
        """End a parallel intervention"""
        return call_service(
            svc.end_intervention,
            db.session.get_one(ParallelIntervention, intervention_id),
            current_user,
            end_date=data["end_date"],
        )


def _supports_view(case: IpsCase) -> dict[str, Any]:
    placement = current_placement(case) if case.phase in (Phase.EMPLOYED, Phase.IN_EDUCATION) else None
    history = (
        db.session.scalars(
            select(SupportChange).where(SupportChange.placement_id == placement.id).order_by(SupportChange.id.desc())
        ).all()
        if placement
        else []
    )
    return {
        "placement_id": placement.id if placement else None,
        "supports": placement.supports if placement else None,
        "history": history,
    }


@blp.route("/cases/<id:case_id>/supports")
class Supports(MethodView):
    @blp.response(200, output(SupportsViewSchema))
    @errors(blp, 401, 403, 404)
    @case_part(Part.PLACEMENTS)
    def get(self, case_id: int) -> dict[str, Any]:
        """The running job's supports (mentor and hours, personal assistance, aids, flexjob terms) and their history"""
        return _supports_view(checked_case())

    @blp.arguments(input_of(SupportsSchema))
    @blp.response(200, output(SupportsViewSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.PLACEMENTS, write=True)
    def put(self, data: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Replace the running job's supports; the change is kept in the history"""
        if not isinstance(request.get_json(silent=True), dict):
            abort(
                422,
                message="Send the supports as a JSON object (an empty object clears them).",
                errors={"json": ["A JSON object is required."]},
            )
        call_service(svc.update_supports, checked_case(), current_user, data)
        return _supports_view(checked_case())


@blp.route("/cases/<id:case_id>/progress")
class Progress(MethodView):
    @blp.response(200, output(ProgressViewSchema))
    @errors(blp, 401, 403, 404)
    @case_part(Part.PROGRESS)
    def get(self, case_id: int) -> dict[str, Sequence[object]]:
        """Progress ratings under the named, versioned instrument, by the citizen and by the consultant"""
        ratings = db.session.scalars(
            select(ProgressRating)
            .where(ProgressRating.case_id == case_id)
            .order_by(ProgressRating.rated_at, ProgressRating.id)
        ).all()
        return {
            "instrument": CURRENT_INSTRUMENT.key,
            "version": CURRENT_INSTRUMENT.version,
            "dimensions": list(CURRENT_INSTRUMENT.dimensions),
            "scale": [CURRENT_INSTRUMENT.low, CURRENT_INSTRUMENT.high],
            "ratings": ratings,
        }

    @blp.arguments(input_of(RatingSchema))
    @blp.response(201, output(RatingSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.PROGRESS, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> ProgressRating:
        """Record the consultant's rating; the next one is due in 90 days"""
        return call_service(svc.record_rating, checked_case(), data["scores"], actor=current_user)

from typing import Any

from flask import Response, g, jsonify
from flask.views import MethodView
from flask_babel import get_locale
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import exists, select

from ..access import case_filter
from ..access.audit import audit, audit_many
from ..access.policy import event_view
from ..clock import utcnow
from ..models import AccessLog, CaseEvent, FollowUp, IpsCase
from ..services import ServiceError
from ..services.activities import create_referral
from ..services.transitions import apply_event
from ..workflows import allowed_events
from ..workflows.phases import AccessAction, AuditPart, FollowUpStatus, Part, Role
from .common import (
    Extended,
    answers_case,
    case_part,
    check_case_access,
    checked_case,
    errors,
    paginate,
    request_id,
    require_login,
    service_error,
)
from .contract import request_variants
from .http import if_match_version
from .schemas import (
    AccessLogSchema,
    AllowedEventsSchema,
    CaseArgs,
    CaseEventSchema,
    CaseSchema,
    PageArgs,
    ReferralSchema,
    case_body,
    page_of,
)
from .shapes import input_of, output
from .transitions import TransitionSchema, one_of_document, refusal_table

TRANSITION_DOC = f"""Apply a workflow event at the case's version (the body's `version`, or If-Match).

The body depends on the event (see the variants). 409 `stale_version` with `current_version` when
the case has changed since (by the body's version or If-Match); 422 `workflow_refused` with a `refusal_code`
when the event would break an IPS principle or is not possible in the case's phase:

{refusal_table()}

Only the consultant on the case and the coordinator may apply events (`role_not_allowed`)."""

blp = Blueprint("api_cases", __name__, description="IPS cases, their phase and history")
blp.before_request(require_login)
blp.before_request(check_case_access)


@blp.route("/cases")
class Cases(MethodView):
    @blp.arguments(CaseArgs, location="query")
    @blp.response(200, page_of(CaseSchema))
    @errors(blp, 401)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List the cases you relate to, filtered by phase, consultant or overdue follow-ups"""
        query = select(IpsCase).where(case_filter(current_user))
        if "phase" in args:
            query = query.where(IpsCase.phase == args["phase"])
        if "consultant_id" in args:
            query = query.where(IpsCase.consultant_id == args["consultant_id"])
        if "overdue" in args:
            overdue = exists().where(
                FollowUp.case_id == IpsCase.id, FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_at < utcnow()
            )
            query = query.where(overdue if args["overdue"] else ~overdue)
        page = paginate(query, args, (IpsCase.referred_at.desc(), IpsCase.id.desc()))
        audit_many(current_user, [c.id for c in page["items"]], AuditPart.CASE_LIST)
        return page

    @blp.arguments(input_of(ReferralSchema))
    @blp.response(201, output(CaseSchema))
    @errors(blp, 400, 401, 403)
    @answers_case
    def post(self, data: dict[str, Any]) -> Extended | IpsCase:
        """Refer a citizen: creates the case in phase referred"""
        if current_user.role not in (Role.IPS_CONSULTANT, Role.COORDINATOR, Role.JOBCENTER, Role.PSYCHIATRY):
            abort(403, message="Your role cannot refer citizens.")
        try:
            case = create_referral(
                {"citizen_id": data["citizen_id"]} if "citizen_id" in data else data["citizen"],
                current_user,
                consultant_id=data.get("consultant_id"),
                ips_team_id=data.get("ips_team_id"),
                psychiatry_contact_id=data.get("psychiatry_contact_id"),
                jobcenter_caseworker_id=data.get("jobcenter_caseworker_id"),
                out_of_work=data["out_of_work_at_enrolment"],
                referral_reason=data.get("referral_reason"),
            )
        except ServiceError as exc:
            service_error(exc)
        audit(current_user, case.id, AccessAction.WRITE, Part.IDENTITY)
        g.case = case  # the answer names its version (ETag, Case-Version)
        if case.possible_duplicate:
            return Extended(
                case,
                notice="A case may already exist for this citizen; the coordinator has been told and can merge them.",
            )
        return case


@blp.route("/cases/<id:case_id>")
class CaseDetail(MethodView):
    @blp.response(200, output(CaseSchema))
    @errors(blp, 401, 404)
    @case_part(Part.PHASE)
    def get(self, case_id: int) -> Response:
        """One case, with your relation to it and the parts you may read under the live consents"""
        case = checked_case()
        # The answer names the citizen too: that part is logged with the phase (one INSERT).
        audit(current_user, case.id, AccessAction.READ, Part.IDENTITY)
        # A Response passes flask-smorest's dump untouched: case_body is the schema's dump, written out.
        return jsonify(case_body(case, g.access.relation, sorted(g.access.read)))


@blp.route("/cases/<id:case_id>/transitions")
class Transitions(MethodView):
    @blp.arguments(TransitionSchema)
    @blp.response(200, output(CaseSchema))
    @errors(blp, 400, 401, 403, 404, 409)
    @blp.doc(description=TRANSITION_DOC)
    @case_part(Part.PHASE, write=True)
    @request_variants(one_of_document)
    def post(self, data: dict[str, Any], case_id: int) -> IpsCase | None:
        """Apply a workflow event at the case's current version"""
        event, version = data.pop("event"), data.pop("version", None) or if_match_version()
        if not isinstance(version, int):
            abort(
                422,
                message="Give the case's version in the body or in If-Match.",
                errors={"version": ["Give the case's version in the body or in If-Match."]},
            )
            return None
        try:
            return apply_event(case_id, event, version, data, current_user, request_id(), str(get_locale() or "da"))
        except ServiceError as exc:
            service_error(exc)


@blp.route("/cases/<id:case_id>/allowed-events")
class AllowedEvents(MethodView):
    @blp.response(200, output(AllowedEventsSchema))
    @errors(blp, 401, 404)
    @case_part(Part.PHASE)
    def get(self, case_id: int) -> dict[str, object]:
        """The events valid in the case's current phase (for showing only valid buttons)"""
        case = checked_case()
        return {"phase": case.phase, "version": case.version, "events": [str(e) for e in allowed_events(case.phase)]}


@blp.route("/cases/<id:case_id>/events")
class Events(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(CaseEventSchema))
    @errors(blp, 401, 404)
    @case_part(Part.HISTORY)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """The case's history, oldest first"""
        page = paginate(select(CaseEvent).where(CaseEvent.case_id == case_id), args, (CaseEvent.seq,))
        page["items"] = [event_view(e, g.access) for e in page["items"]]  # notes only for note readers
        return page


@blp.route("/cases/<id:case_id>/access-log")
class AccessLogView(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(AccessLogSchema))
    @errors(blp, 401, 403, 404)
    @case_part(Part.ACCESS_LOG)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Who has seen or changed this case, and refused attempts (coordinator, privacy officer), newest first"""
        return paginate(
            select(AccessLog).where(AccessLog.case_id == case_id),
            args,
            (AccessLog.created_at.desc(), AccessLog.id.desc()),
        )

"""What is recorded on a case: placements, contacts, employer contacts, reviews, career
profile, consents and follow-ups."""

from datetime import datetime
from typing import Any

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import inspect, select

from ..access import case_filter
from ..access.audit import audit_many
from ..access.policy import visible_reason
from ..clock import local_today, utcnow
from ..extensions import db
from ..models import (
    BenefitFact,
    CareerProfile,
    Consent,
    Contact,
    EmployerContact,
    FollowUp,
    IpsCase,
    JobEndingReview,
    Placement,
    SharedHealthInfo,
)
from ..services import activities as svc
from ..workflows.phases import FollowUpStatus, Part, Role
from .common import (
    Extended,
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
from .schemas import (
    BenefitFactSchema,
    CareerProfileSchema,
    ConsentSchema,
    ConsentWithdrawSchema,
    ContactSchema,
    EmployerContactArgs,
    EmployerContactSchema,
    FollowUpArgs,
    FollowUpSchema,
    PageArgs,
    PlacementSchema,
    ReviewSchema,
    SharedHealthInfoSchema,
    StepSchema,
    page_of,
)
from .shapes import input_of, output

blp = Blueprint(
    "api_case_parts",
    __name__,
    description="The parts of a case: placements, contacts, reviews, profile, consents, follow-ups",
)
blp.before_request(require_login)
blp.before_request(check_case_access)


@blp.route("/cases/<id:case_id>/placements")
class Placements(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(PlacementSchema))
    @errors(blp, 401, 404)
    @case_part(Part.PLACEMENTS)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Jobs, education and steps on the case, newest first"""
        result = paginate(
            select(Placement).where(Placement.case_id == case_id),
            args,
            (Placement.start_date.desc(), Placement.id.desc()),
        )
        # An ending's reason as this reader may see it (an ending for health reasons is told
        # only within the citizen's care): copies, so the rows themselves are never changed.
        result["items"] = [
            {
                **{a.key: getattr(p, a.key) for a in inspect(Placement).column_attrs},
                "end_reason": visible_reason(p.end_reason, g.access),
            }
            for p in result["items"]
        ]
        return result

    @blp.arguments(input_of(StepSchema))
    @blp.response(201, output(PlacementSchema))
    @errors(blp, 400, 401, 403, 404, 422)
    @case_part(Part.PLACEMENTS, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> Placement:
        """Record a step (internship, wage subsidy, sheltered work, other)

        Jobs and education start through the start_job / start_education transitions, so that
        follow-along support and notifications always come with them.
        """
        case = checked_case()
        return call_service(svc.add_step, case, current_user, **data)


@blp.route("/cases/<id:case_id>/contacts")
class Contacts(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ContactSchema))
    @errors(blp, 401, 404)
    @case_part(Part.CONTACT_NOTES)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Contacts and meetings, newest first"""
        return paginate(
            select(Contact).where(Contact.case_id == case_id), args, (Contact.occurred_at.desc(), Contact.id.desc())
        )

    @blp.arguments(input_of(ContactSchema))
    @blp.response(201, output(ContactSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.CONTACT_NOTES, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> Contact:
        """Log a contact or meeting; it completes the follow-ups it answers"""
        case = checked_case()
        return call_service(svc.log_contact, case, current_user, **data)


@blp.route("/employer-contacts")
class EmployerContacts(MethodView):
    @blp.arguments(EmployerContactArgs, location="query")
    @blp.response(200, page_of(EmployerContactSchema))
    @errors(blp, 401)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Your employer contacts (job development), newest first"""
        query = select(EmployerContact).where(EmployerContact.consultant_id == current_user.id)
        if "case_id" in args:
            query = query.where(EmployerContact.case_id == args["case_id"])
        page = paginate(query, args, (EmployerContact.occurred_at.desc(), EmployerContact.id.desc()))
        audit_many(current_user, {e.case_id for e in page["items"] if e.case_id}, Part.PLACEMENTS)
        return page

    @blp.arguments(input_of(EmployerContactSchema))
    @blp.response(201, output(EmployerContactSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_in_body
    def post(self, data: dict[str, Any]) -> EmployerContact:
        """Log an employer contact, for a case or for general job development"""
        if current_user.role != Role.IPS_CONSULTANT:
            abort(403, message="Employer contacts are logged by IPS consultants.")
        case = case_for(data.pop("case_id"), Part.PLACEMENTS, write=True) if data.get("case_id") else None
        data.pop("case_id", None)
        return call_service(svc.log_employer_contact, current_user, case=case, **data)


@blp.route("/cases/<id:case_id>/reviews")
class Reviews(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ReviewSchema))
    @errors(blp, 401, 404)
    @case_part(Part.CONTACT_NOTES)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Job-ending reviews, newest first"""
        return paginate(
            select(JobEndingReview).where(JobEndingReview.case_id == case_id),
            args,
            (JobEndingReview.held_at.desc(), JobEndingReview.id.desc()),
        )

    @blp.arguments(input_of(ReviewSchema))
    @blp.response(201, output(ReviewSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.CONTACT_NOTES, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> JobEndingReview:
        """Record the joint review after a job ending: what worked, what did not, what to adjust"""
        case = checked_case()
        data.setdefault("adjustments", {})
        data.setdefault("what_worked", None)
        data.setdefault("what_did_not", None)
        return call_service(svc.record_review, case, current_user, **data)


@blp.route("/cases/<id:case_id>/career-profile")
class Profile(MethodView):
    @blp.response(200, output(CareerProfileSchema))
    @errors(blp, 401, 404)
    @case_part(Part.CAREER_PROFILE)
    def get(self, case_id: int) -> CareerProfile | None:
        """The current career profile (404 if none yet)"""
        row = db.session.scalar(
            select(CareerProfile)
            .where(CareerProfile.case_id == case_id)
            .order_by(CareerProfile.version.desc())
            .limit(1)
        )
        if row is None:
            abort(404, message="No career profile yet.")
        return row

    @blp.arguments(input_of(CareerProfileSchema))
    @blp.response(201, output(CareerProfileSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.CAREER_PROFILE, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> CareerProfile:
        """Save a new version of the career profile"""
        case = checked_case()
        return call_service(svc.save_profile, case, current_user, data)


@blp.route("/cases/<id:case_id>/career-profile/versions")
class ProfileVersions(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(CareerProfileSchema))
    @errors(blp, 401, 404)
    @case_part(Part.CAREER_PROFILE)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Every version of the career profile, newest first"""
        return paginate(
            select(CareerProfile).where(CareerProfile.case_id == case_id), args, (CareerProfile.version.desc(),)
        )


def _with_live(consent: Consent) -> Extended:
    return Extended(consent, live=consent.is_live(local_today(utcnow())))


@blp.route("/cases/<id:case_id>/consents")
class Consents(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ConsentSchema))
    @errors(blp, 401, 404)
    @case_part(Part.CONSENTS)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Consents on the case, live or not, newest first"""
        page = paginate(
            select(Consent).where(Consent.case_id == case_id), args, (Consent.given_at.desc(), Consent.id.desc())
        )
        page["items"] = [_with_live(c) for c in page["items"]]
        return page

    @blp.arguments(input_of(ConsentSchema))
    @blp.response(201, output(ConsentSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.CONSENTS, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> Extended:
        """Record a specific consent (from-party, to-party, categories, purpose, dates)"""
        case = checked_case()
        data.setdefault("expires_at", None)
        return _with_live(call_service(svc.record_consent, case, current_user, **data))


@blp.route("/consents/<id:consent_id>/withdraw")
class ConsentWithdraw(MethodView):
    @blp.arguments(input_of(ConsentWithdrawSchema))
    @blp.response(200, output(ConsentSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.CONSENTS, write=True)
    def post(self, data: dict[str, Any], consent_id: int) -> Extended:
        """Withdraw a consent on the word of the citizen or the giving party; sharing stops on the next request

        Only a party to the consent or the consultant on the case may withdraw it; `confirm` must be true."""
        consent = db.session.get_one(Consent, consent_id)  # check_case_access found it
        return _with_live(
            call_service(
                svc.withdraw_consent,
                consent,
                current_user,
                requested_by=data["requested_by"],
                confirmed=data["confirm"],
            )
        )


def _with_overdue(fu: FollowUp, now: datetime) -> Extended:
    return Extended(fu, overdue=fu.status == FollowUpStatus.OPEN and fu.due_at < now)


@blp.route("/follow-ups")
class FollowUps(MethodView):
    @blp.arguments(FollowUpArgs, location="query")
    @blp.response(200, page_of(FollowUpSchema))
    @errors(blp, 401)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Follow-ups on the cases you relate to, soonest due first"""
        now = utcnow()
        if current_user.role in (Role.IPS_CONSULTANT, Role.COORDINATOR):
            query = select(FollowUp).where(FollowUp.case_id.in_(select(IpsCase.id).where(case_filter(current_user))))
        else:  # psychiatry and jobcenter see only what is assigned to them (an acknowledgement)
            query = select(FollowUp).where(FollowUp.assignee_id == current_user.id)
        for key in ("status", "kind", "case_id"):
            if key in args:
                query = query.where(getattr(FollowUp, key) == args[key])
        if "overdue" in args:
            cond = (FollowUp.status == FollowUpStatus.OPEN) & (FollowUp.due_at < now)
            query = query.where(cond if args["overdue"] else ~cond)
        page = paginate(query, args, (FollowUp.due_at, FollowUp.id))
        page["items"] = [_with_overdue(f, now) for f in page["items"]]
        audit_many(current_user, {f.case_id for f in page["items"]}, Part.FOLLOW_UPS)
        return page


@blp.route("/follow-ups/<id:follow_up_id>/complete")
class FollowUpComplete(MethodView):
    @blp.response(200, output(FollowUpSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.FOLLOW_UPS, write=True)
    def post(self, follow_up_id: int) -> Extended:
        """Mark a follow-up done (recurring ones get their next date)"""
        fu = db.session.get_one(FollowUp, follow_up_id)  # check_case_access found it
        return _with_overdue(call_service(svc.complete_follow_up, fu, current_user), utcnow())


@blp.route("/cases/<id:case_id>/shared-health-info")
class SharedHealthInfoList(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(SharedHealthInfoSchema))
    @errors(blp, 401, 403, 404)
    @case_part(Part.SHARED_HEALTH_INFO)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """What psychiatry shares (symptoms, coping strategies, warning signs, side effects, strengths),
        limited to the categories the citizen's live consents allow"""
        query = select(SharedHealthInfo).where(
            SharedHealthInfo.case_id == case_id, SharedHealthInfo.category.in_(g.access.health_categories)
        )
        return paginate(query, args, (SharedHealthInfo.created_at.desc(), SharedHealthInfo.id.desc()))

    @blp.arguments(input_of(SharedHealthInfoSchema))
    @blp.response(201, output(SharedHealthInfoSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.SHARED_HEALTH_INFO, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> SharedHealthInfo:
        """Psychiatry adds information it shares with the IPS team"""
        case = checked_case()
        return call_service(svc.share_health_info, case, current_user, **data)


@blp.route("/cases/<id:case_id>/benefit-facts")
class BenefitFacts(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(BenefitFactSchema))
    @errors(blp, 401, 403, 404)
    @case_part(Part.BENEFIT_FACTS)
    def get(self, args: dict[str, Any], case_id: int) -> dict[str, Any]:
        """Benefit-relevant facts held by the jobcenter"""
        return paginate(
            select(BenefitFact).where(BenefitFact.case_id == case_id),
            args,
            (BenefitFact.created_at.desc(), BenefitFact.id.desc()),
        )

    @blp.arguments(input_of(BenefitFactSchema))
    @blp.response(201, output(BenefitFactSchema))
    @errors(blp, 400, 401, 403, 404)
    @case_part(Part.BENEFIT_FACTS, write=True)
    def post(self, data: dict[str, Any], case_id: int) -> BenefitFact:
        """The jobcenter records a benefit-relevant fact"""
        case = checked_case()
        return call_service(svc.record_benefit_fact, case, current_user, **data)

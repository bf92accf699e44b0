"""Record what happens on a case: contacts, employer contacts, reviews, profiles, consents.

Each function is one transaction and returns the new row. Follow-ups are completed through
the workflow's activity rules, so a logged contact closes the reminder it answers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select

from ..clock import local_today, utcnow
from ..extensions import db
from ..models import (
    BenefitFact,
    CareerProfile,
    CaseEvent,
    Citizen,
    Consent,
    Contact,
    EmployerContact,
    FollowUp,
    IpsCase,
    JobEndingReview,
    Organisation,
    Placement,
    SharedHealthInfo,
    User,
)
from ..workflows.constants import CONSENT_EXPIRY_NOTICE
from ..workflows.machine import NotificationSpec, next_recurrence
from ..workflows.phases import (
    CLOSED_BY_HAND,
    STEP_TYPES,
    Activity,
    ConsentCategory,
    ContactKind,
    Disclosure,
    FollowUpKind,
    FollowUpStatus,
    HistoryEntry,
    InboxKind,
    NotificationKind,
    OrgKind,
    Party,
    Phase,
    Recipient,
    ReferralReason,
    Role,
    WithdrawalRequester,
)
from .case_state import apply_activity, lock_case, not_future
from .errors import N_, Forbidden, NotFound, ServiceError, Unprocessable
from .inbox import case_staff, tell
from .records import (
    add_case_event,
    add_follow_ups,
    add_notifications,
    consent_allows,
    open_follow_ups,
    release_withheld,
)
from .unit_of_work import unit_of_work


def _normalised(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def possible_duplicates(fields: dict[str, Any]) -> list[int]:
    """Earlier citizens with the same name (and birth year, when both are known): maybe the
    same person. Only the coordinator is told; the referrer learns nothing about them."""
    first, last = _normalised(fields.get("first_name")), _normalised(fields.get("last_name"))
    if not first or not last:
        return []
    query = select(Citizen.id, Citizen.first_name, Citizen.birth_year).where(
        func.lower(Citizen.last_name) == last.lower()
    )
    return [
        cid
        for cid, other_first, year in db.session.execute(query.limit(200))
        if _normalised(other_first) == first
        and (year is None or fields.get("birth_year") is None or year == fields["birth_year"])
    ]


def referral_team(actor: User, consultant: User | None, ips_team_id: int | None, citizen: Citizen) -> int:
    """The IPS team whose queue a referral lands in, the same for the page and the API: the team
    chosen; else the consultant's; else the referrer's own team; else derived where only one team
    fits (the citizen's municipality, the teams the referrer already works with, the only team).
    A referral never lands in a psychiatry or jobcenter organisation, where no one would see it."""
    if ips_team_id is not None:
        team = db.session.get(Organisation, ips_team_id)
        if team is None or team.kind != OrgKind.IPS_TEAM:
            raise ServiceError(N_("No IPS team with that id."), "ips_team_id")
        if consultant is not None and consultant.organisation_id != team.id:
            raise ServiceError(N_("The consultant is not in the chosen team."), "consultant_id")
        return team.id
    if consultant is not None and consultant.organisation_id is not None:
        return consultant.organisation_id
    own = actor.organisation
    if own is not None and own.kind == OrgKind.IPS_TEAM:
        return own.id
    teams = db.session.scalars(
        select(Organisation).where(Organisation.kind == OrgKind.IPS_TEAM).order_by(Organisation.id)
    ).all()
    by_municipality = [
        t.id
        for t in teams
        if citizen.municipality and t.municipality and t.municipality.casefold() == citizen.municipality.casefold()
    ]
    team_ids = {t.id for t in teams}
    worked_with = sorted(
        tid
        for tid in set(
            db.session.scalars(
                select(IpsCase.ips_team_id).where(
                    or_(IpsCase.psychiatry_contact_id == actor.id, IpsCase.jobcenter_caseworker_id == actor.id)
                )
            )
        )
        if tid is not None and tid in team_ids
    )
    for candidates in (by_municipality, worked_with, [t.id for t in teams]):
        if len(candidates) == 1:
            return candidates[0]
    raise ServiceError(N_("Choose the IPS team the citizen is referred to."), "ips_team_id")


def _referral_reason(value: str | None) -> ReferralReason | None:
    if value in ("", None):
        return None
    if value not in set(ReferralReason):
        raise ServiceError(N_("Choose why the citizen is referred."), "referral_reason")
    return ReferralReason(value)


def create_referral(
    citizen_fields: dict[str, Any],
    actor: User,
    *,
    consultant_id: int | None = None,
    psychiatry_contact_id: int | None = None,
    jobcenter_caseworker_id: int | None = None,
    ips_team_id: int | None = None,
    out_of_work: bool = True,
    referral_reason: str | None = None,
) -> IpsCase:
    """A referral creates the citizen (or uses an existing one the referrer already works with)
    and a case in phase referred. A referral never waits for a duplicate check (zero exclusion):
    a likely duplicate is created, marked `possible_duplicate`, and the team's coordinator told."""
    from ..access.policy import has_relation_to_citizen
    from .identity import citizens_with_cpr, parse_cpr, put_cpr

    now = utcnow()
    duplicates: list[int] = []
    reason = _referral_reason(referral_reason)
    same_cpr: list[int] = []
    number = parse_cpr(citizen_fields.get("cpr"))
    with unit_of_work():
        citizen_id = citizen_fields.get("citizen_id")
        if citizen_id is None and number is not None:
            # The same CPR number as a citizen the referrer already works with: that citizen. As a
            # citizen the referrer has no relation to: a new record, and only the coordinator is
            # told (the referrer learns nothing, not even that there was a match).
            same_cpr = citizens_with_cpr(number.digits)
            known = [cid for cid in same_cpr if has_relation_to_citizen(actor, cid)]
            citizen_id = known[0] if known else None
        if citizen_id is not None:
            citizen = db.session.get(Citizen, citizen_id)
            # No relation, no citizen: an id is not a way to look a person up.
            if citizen is None or not has_relation_to_citizen(actor, citizen.id):
                raise NotFound(N_("No such citizen."), "citizen_id")
        else:
            duplicates = possible_duplicates(citizen_fields)
            citizen = Citizen(
                **{k: v for k, v in citizen_fields.items() if k not in ("citizen_id", "cpr")}, created_at=now
            )
            if number is not None:
                put_cpr(citizen, number.digits)
            db.session.add(citizen)
            db.session.flush()
        if consultant_id:
            consultant = db.session.get(User, consultant_id)
        else:
            # A consultant refers to themselves, unless they send the citizen to another team's queue.
            consultant = (
                actor if actor.role == Role.IPS_CONSULTANT and ips_team_id in (None, actor.organisation_id) else None
            )
        if consultant_id and (consultant is None or consultant.role != Role.IPS_CONSULTANT):
            raise ServiceError(N_("No IPS consultant with that id."), "consultant_id")
        for uid, role, field in (
            (psychiatry_contact_id, Role.PSYCHIATRY, "psychiatry_contact_id"),
            (jobcenter_caseworker_id, Role.JOBCENTER, "jobcenter_caseworker_id"),
        ):
            if uid is not None:
                u = db.session.get(User, uid)
                if u is None or u.role != role:
                    raise ServiceError(N_("No %(role)s user with that id."), field, role=role)
        team = referral_team(actor, consultant, ips_team_id, citizen)
        case = IpsCase(
            citizen_id=citizen.id,
            phase=Phase.REFERRED,
            ips_team_id=team,
            consultant_id=consultant.id if consultant else None,
            psychiatry_contact_id=psychiatry_contact_id,
            jobcenter_caseworker_id=jobcenter_caseworker_id,
            referred_at=now,
            phase_changed_at=now,
            out_of_work_at_enrolment=out_of_work,
            event_count=1,
            referral_reason=reason,
        )
        db.session.add(case)
        db.session.flush()
        # The first event is written directly: add_case_event would bump the new row's version.
        db.session.add(
            CaseEvent(
                case_id=case.id,
                seq=1,
                event=HistoryEntry.REFERRED,
                to_phase=Phase.REFERRED,
                actor_id=actor.id,
                data={},
                created_at=now,
            )
        )
        candidates = sorted(set(duplicates) | {cid for cid in same_cpr if cid != citizen.id})
        if candidates:
            # The e-mail carries the new case's reference only; the page shows the candidates.
            add_notifications(
                case,
                [NotificationSpec(NotificationKind.POSSIBLE_DUPLICATE, Recipient.COORDINATOR)],
                key=f"case{case.id}:dup",
                now=now,
                data={"candidate_citizen_ids": candidates},
            )
    # What the referrer is told: a likely duplicate by name, never a match on the CPR number.
    case.possible_duplicate = bool(duplicates)
    return case


def merge_referral(case: IpsCase, into: IpsCase, actor: User) -> IpsCase:
    """The coordinator finds that a referral's citizen is one already known: the case moves to
    that citizen, the duplicate citizen record goes (it has no other case), the history says so."""
    now = utcnow()
    team = actor.organisation_id
    if actor.role != Role.COORDINATOR or team is None or case.ips_team_id != team or into.ips_team_id != team:
        raise Forbidden(N_("Only the coordinator of the team of both cases may merge them."), "case")
    if case.citizen_id == into.citizen_id:
        raise ServiceError(N_("The two cases are already on the same citizen."), "case")
    duplicate = case.citizen
    if db.session.scalar(
        select(func.count()).select_from(IpsCase).where(IpsCase.citizen_id == duplicate.id, IpsCase.id != case.id)
    ):
        raise ServiceError(N_("The citizen of this case has other cases; merge those first."), "case")
    with unit_of_work():
        case.citizen = into.citizen  # the relationship, so the flush does not write the old id back
        add_case_event(
            case,
            event=HistoryEntry.CITIZEN_MERGED,
            actor=actor,
            now=now,
            data={"merged_citizen_id": duplicate.id, "into_case_id": into.id},
        )
        db.session.flush()
        db.session.delete(duplicate)
    return case


def log_contact(
    case: IpsCase,
    actor: User,
    *,
    kind: str,
    occurred_at: datetime,
    location: str,
    note: str | None = None,
    guide_id: int | None = None,
) -> Contact:
    from .guides import guide_for_contact

    now = utcnow()
    not_future(occurred_at, now, "occurred_at")
    guide_id = guide_for_contact(case, guide_id)
    with unit_of_work():
        lock_case(case)
        row = Contact(
            case_id=case.id,
            staff_id=actor.id,
            kind=kind,
            occurred_at=occurred_at,
            location=location,
            note=note,
            created_at=now,
            guide_id=guide_id,
        )
        db.session.add(row)
        if case.last_contact_at is None or occurred_at > case.last_contact_at:
            case.last_contact_at = occurred_at
        apply_activity(case, kind, occurred_at, actor, now)
    return row


def log_employer_contact(actor: User, **fields: Any) -> EmployerContact:
    """An employer contact (the register, purpose, outcome, next step): see services/employers.py."""
    from .employers import log_employer_contact as log

    return log(actor, **fields)


def record_review(
    case: IpsCase,
    actor: User,
    *,
    held_at: datetime,
    what_worked: str | None,
    what_did_not: str | None,
    adjustments: dict[str, Any],
    clinician_present: bool,
    job_preferences: str | None = None,
    profile_changes: dict[str, Any] | None = None,
) -> JobEndingReview:
    """The joint review after a job ending. With `job_preferences` (the page's and the API's field)
    or `profile_changes` (any profile fields) the career profile gets a new version in the same
    transaction, the fields not given carried over: the review and its profile update are written
    together or not at all."""
    now = utcnow()
    not_future(held_at, now, "held_at")
    if case.phase != Phase.JOB_ENDED:
        raise ServiceError(N_("A job-ending review is recorded while the case is in phase job_ended."), "phase")
    with unit_of_work():
        lock_case(case)
        ended = db.session.scalar(
            select(Placement.id)
            .where(Placement.case_id == case.id, Placement.end_date.is_not(None))
            .order_by(Placement.end_date.desc(), Placement.id.desc())
            .limit(1)
        )
        row = JobEndingReview(
            case_id=case.id,
            placement_id=ended,
            held_at=held_at,
            what_worked=what_worked,
            what_did_not=what_did_not,
            adjustments=adjustments,
            clinician_present=clinician_present,
            recorded_by_id=actor.id,
            created_at=now,
        )
        db.session.add(row)
        case.last_contact_at = max(filter(None, [case.last_contact_at, held_at]))
        apply_activity(case, ContactKind.JOB_ENDING_REVIEW, held_at, actor, now)
        add_case_event(case, event=HistoryEntry.REVIEW_RECORDED, actor=actor, now=now)
        changes = {k: v for k, v in (profile_changes or {}).items() if k in PROFILE_FIELDS}
        if job_preferences:
            changes["job_preferences"] = job_preferences
        if changes:
            db.session.flush()  # the review's follow-up changes, before the profile's rules read them
            _add_profile_version(case, actor, {**latest_profile_fields(case), **changes}, now)
    return row


PROFILE_FIELDS = (
    "wishes_and_dreams",
    "job_preferences",
    "work_history",
    "education",
    "strengths",
    "support_needs",
    "disclosure",
    "relatives_involved",
)
PROFILE_TEXT_MAX = {"relatives_involved": 2000, "disclosure": 20}  # the others: 5000


def latest_profile_fields(case: IpsCase) -> dict[str, Any]:
    """The fields of the current career profile version ({} if there is none yet)."""
    latest = db.session.scalar(
        select(CareerProfile).where(CareerProfile.case_id == case.id).order_by(CareerProfile.version.desc()).limit(1)
    )
    return {k: getattr(latest, k) for k in PROFILE_FIELDS} if latest else {}


def _add_profile_version(case: IpsCase, actor: User, fields: dict[str, Any], now: datetime) -> CareerProfile:
    """Write a new profile version into the caller's transaction (checked first, the same for
    every caller: the API, the pages and the review)."""
    for key in PROFILE_FIELDS:
        value = fields.get(key)
        if value is not None and len(str(value)) > PROFILE_TEXT_MAX.get(key, 5000):
            raise ServiceError(N_("The text is too long."), key)
    if fields.get("disclosure") not in (None, *Disclosure):
        raise ServiceError(N_("Choose one of the offered values."), "disclosure")
    latest = db.session.scalar(select(func.max(CareerProfile.version)).where(CareerProfile.case_id == case.id)) or 0
    row = CareerProfile(
        case_id=case.id,
        version=latest + 1,
        created_by_id=actor.id,
        created_at=now,
        **{k: fields.get(k) for k in PROFILE_FIELDS},
    )
    db.session.add(row)
    apply_activity(case, Activity.CAREER_PROFILE, now, actor, now)
    return row


def save_profile(case: IpsCase, actor: User, fields: dict[str, Any]) -> CareerProfile:
    """A new version of the career profile; older versions stay as its history."""
    now = utcnow()
    with unit_of_work():
        row = _add_profile_version(case, actor, fields, now)
    return row


def add_step(
    case: IpsCase,
    actor: User,
    *,
    type: str,
    employer_name: str,
    start_date: date,
    end_date: date | None = None,
    job_title: str | None = None,
    hours_per_week: float | None = None,
    benefits_counselling_offered: bool = False,
    supports: dict[str, Any] | None = None,
) -> Placement:
    """A step toward work (internship, wage subsidy, sheltered work, other). Jobs and education
    start only through their transitions, so follow-along support and notifications come with them."""
    if type not in STEP_TYPES:
        raise Unprocessable(N_("Start a job or education with the start_job or start_education transition."), "type")
    if end_date is not None and end_date < start_date:
        raise ServiceError(N_("The end date is before the start date."), "end_date")
    with unit_of_work():
        row = Placement(
            case_id=case.id,
            type=type,
            employer_name=employer_name,
            job_title=job_title,
            hours_per_week=hours_per_week,
            start_date=start_date,
            end_date=end_date,
            benefits_counselling_offered=benefits_counselling_offered,
            supports=supports or {},
            created_at=utcnow(),
        )
        db.session.add(row)
    return row


def team_may_see(case: IpsCase, category: str, today: date) -> bool:
    """Whether the IPS team sees psychiatry's information of this category under the live consents."""
    return consent_allows(case.id, Party.PSYCHIATRY, Party.IPS_TEAM, category, today)


def share_health_info(
    case: IpsCase, actor: User, *, category: str, text: str, confirmed: bool = True
) -> SharedHealthInfo:
    """Psychiatry shares information with the IPS team (shown only under the citizen's consents).
    What the team cannot see under the current consents is kept, but only after the sharer has
    confirmed it (`confirmed=False` asks); the consultant is told in the inbox of what they can see."""
    now = utcnow()
    visible = team_may_see(case, category, local_today(now))
    if not visible and not confirmed:
        raise ServiceError(
            N_(
                "The IPS team cannot see this under the citizen's current consents (no consent from "
                "psychiatry to the IPS team for this category). Confirm to save it anyway; the team "
                "sees it once the citizen consents."
            ),
            "confirm_unseen",
        )
    with unit_of_work():
        row = SharedHealthInfo(case_id=case.id, category=category, text=text, author_id=actor.id, created_at=now)
        db.session.add(row)
        db.session.flush()
        if visible:
            tell(
                [case.consultant_id],
                InboxKind.SHARED_WITH_YOU,
                now,
                case=case,
                except_id=actor.id,
                data={"by": actor.name},
                source=f"shared_health_info:{row.id}",
            )
    return row


def record_benefit_fact(
    case: IpsCase,
    actor: User,
    *,
    benefit: str,
    note: str | None = None,
    kind: str | None = None,
    hours: float | None = None,
    on_date: date | None = None,
    outcome: str | None = None,
    next_date: date | None = None,
) -> BenefitFact:
    """The jobcenter records a benefit-relevant fact or decision (its kind, hours and date when
    it has them: mentor hours granted, a ressourceforløb's start, a rehabilitation team meeting;
    a decision's outcome and its next date, such as a fleksjob assessment's reassessment)."""
    from .jobcenter import check_decision, check_outcome  # the decision kinds' own rules

    kind = check_decision(kind, hours)
    checked = check_outcome(outcome, on_date, next_date)
    now = utcnow()
    with unit_of_work():
        row = BenefitFact(
            case_id=case.id,
            benefit=benefit,
            note=note,
            author_id=actor.id,
            created_at=now,
            kind=kind,
            hours=hours,
            on_date=on_date,
            outcome=checked,
            next_date=next_date,
        )
        db.session.add(row)
        add_case_event(case, event=HistoryEntry.BENEFIT_RECORDED, actor=actor, now=now, reason=kind)
    return row


# The party of the consent a staff role speaks for.
PARTY_OF_ROLE = {
    Role.IPS_CONSULTANT: Party.IPS_TEAM,
    Role.PSYCHIATRY: Party.PSYCHIATRY,
    Role.JOBCENTER: Party.JOBCENTER,
}


def _speaks_for_citizen(case: IpsCase, actor: User) -> bool:
    """The consultant on the case records the citizen's own decisions."""
    return actor.role == Role.IPS_CONSULTANT and case.consultant_id == actor.id


def record_consent(
    case: IpsCase,
    actor: User,
    *,
    from_party: str,
    to_party: str,
    categories: list[str],
    purpose: str,
    given_at: date,
    expires_at: date | None,
) -> Consent:
    now = utcnow()
    if from_party == to_party:
        raise ServiceError(N_("A consent is given from one party to another."), "to_party")
    if not (_speaks_for_citizen(case, actor) or PARTY_OF_ROLE.get(actor.role) == from_party):
        # A recipient cannot give itself access (psychiatry recording ips_team -> psychiatry).
        raise Forbidden(
            N_(
                "Only the consultant on the case, on the citizen's word, or the giving party may record "
                "a consent from that party."
            ),
            "from_party",
        )
    if expires_at is not None and expires_at <= given_at:
        raise ServiceError(N_("The expiry must be after the date given."), "expires_at")
    if given_at > local_today(now):  # the Copenhagen calendar day
        raise ServiceError(N_("The consent cannot be given in the future."), "given_at")
    with unit_of_work():
        row = Consent(
            case_id=case.id,
            from_party=from_party,
            to_party=to_party,
            categories=sorted(set(categories)),
            purpose=purpose,
            given_at=given_at,
            expires_at=expires_at,
            recorded_by_id=actor.id,
            created_at=now,
        )
        db.session.add(row)
        db.session.flush()
        if expires_at is not None:
            notice = datetime.combine(expires_at, datetime.min.time(), tzinfo=now.tzinfo) - CONSENT_EXPIRY_NOTICE
            db.session.add(
                FollowUp(
                    case_id=case.id,
                    kind=FollowUpKind.CONSENT_EXPIRY,
                    due_at=max(notice, now),
                    remind_at=max(notice, now),
                    assignee_id=case.consultant_id,
                    status=FollowUpStatus.OPEN,
                    data={"consent_id": row.id},
                    created_at=now,
                )
            )
        add_case_event(case, event=HistoryEntry.CONSENT_RECORDED, actor=actor, now=now, data={"consent_id": row.id})
        if (
            (from_party, to_party) == (Party.IPS_TEAM, Party.PSYCHIATRY)
            and ConsentCategory.EMPLOYMENT_PROGRESS in categories
            and given_at <= local_today(now)
        ):
            release_withheld(case, now)  # what psychiatry was not told for lack of this consent goes now
    return row


def may_withdraw(consent: Consent, case: IpsCase, actor: User) -> bool:
    return _speaks_for_citizen(case, actor) or PARTY_OF_ROLE.get(actor.role) in (consent.from_party, consent.to_party)


def withdraw_consent(consent: Consent, actor: User, *, requested_by: str, confirmed: bool) -> Consent:
    """Withdraw on the word of the citizen or of the giving party (kept in the history), by a
    party to the consent or the consultant on the case, after an explicit confirmation."""
    now = utcnow()
    case = db.session.get_one(IpsCase, consent.case_id)
    if not may_withdraw(consent, case, actor):
        raise Forbidden(N_("Only a party to the consent or the consultant on the case may withdraw it."), "consent")
    if consent.withdrawn_at is not None:
        raise ServiceError(N_("The consent is already withdrawn."), "withdrawn_at")
    if requested_by not in set(WithdrawalRequester):
        raise ServiceError(N_("Say who asked for the withdrawal: the citizen or the giving party."), "requested_by")
    if not confirmed:
        raise ServiceError(N_("Confirm the withdrawal: sharing under the consent stops at once."), "confirm")
    with unit_of_work():
        consent.withdrawn_at = now
        for fu in open_follow_ups(case.id):
            if fu.kind == FollowUpKind.CONSENT_EXPIRY and fu.data.get("consent_id") == consent.id:
                fu.status = FollowUpStatus.CANCELLED
                fu.completed_at = now
        add_case_event(
            case,
            event=HistoryEntry.CONSENT_WITHDRAWN,
            actor=actor,
            now=now,
            data={
                "consent_id": consent.id,
                "requested_by": WithdrawalRequester.CITIZEN
                if requested_by == WithdrawalRequester.CITIZEN
                else consent.from_party,
            },
        )
        tell(
            case_staff(case),
            InboxKind.CONSENT_WITHDRAWN,
            now,
            case=case,
            except_id=actor.id,
            data={"from_party": consent.from_party, "to_party": consent.to_party, "requested_by": requested_by},
            source=f"consent:{consent.id}",
        )
    return consent


def complete_follow_up(fu: FollowUp, actor: User) -> FollowUp:
    """Mark a follow-up done by hand; recurring kinds (monthly contact, outreach) get their next one."""
    now = utcnow()
    if fu.status != FollowUpStatus.OPEN:
        raise ServiceError(N_("The follow-up is not open."), "status")
    if fu.kind not in CLOSED_BY_HAND:
        raise ServiceError(N_("This follow-up is done by recording what it asks for, not by hand."), "kind")
    with unit_of_work():
        case = db.session.get_one(IpsCase, fu.case_id)
        fu.status = FollowUpStatus.DONE
        fu.completed_at = now
        fu.completed_by_id = actor.id
        if fu.kind == FollowUpKind.EMPLOYER_NEXT_STEP and (fu.data or {}).get("employer_contact_id"):
            # The next step agreed with an employer is done where it was agreed, too.
            contact = db.session.get(EmployerContact, fu.data["employer_contact_id"])
            if contact is not None and contact.next_step_done_at is None:
                contact.next_step_done_at = now
        following = next_recurrence(fu.kind, fu.due_at, now, case.phase)
        if following is not None:
            add_follow_ups(case, [following], now)
    return fu

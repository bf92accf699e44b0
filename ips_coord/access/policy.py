"""Who may see and change which parts of a case, decided at read time from the user's role,
their relation to the case and the live consents (DESIGN section 5).

One module decides; the API, the pages, exports and notifications ask it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import false, or_, select

from ..extensions import db
from ..models import Consent, IpsCase, User
from ..workflows.phases import ConsentCategory as C
from ..workflows.phases import Party, Role

# The parts of a case record.
IDENTITY = "identity"
PHASE = "phase_and_plan"
PROFILE = "career_profile"
PLACEMENTS = "placements"
NOTES = "contact_notes"
HEALTH = "psychiatry_shared"
BENEFITS = "benefit_facts"
HISTORY = "history"
CONSENTS = "consents"
FOLLOW_UPS = "follow_ups"
ACCESS_LOG = "access_log"
EXPORT = "export"
# The shared plan (goals in the citizen's words, actions), parallel interventions (often
# treatment: CTI, ACT...) and progress ratings (one dimension is health and well-being).
PLAN = "shared_plan"
INTERVENTIONS = "parallel_interventions"
PROGRESS = "progress"
PARTS = (IDENTITY, PHASE, PROFILE, PLACEMENTS, NOTES, HEALTH, BENEFITS, HISTORY, CONSENTS, FOLLOW_UPS, ACCESS_LOG,
         EXPORT, PLAN, INTERVENTIONS, PROGRESS)

# What psychiatry may share with the IPS team (STAR guidance): these categories need consent.
HEALTH_CATEGORIES = (C.SYMPTOMS, C.COPING_STRATEGIES, C.WARNING_SIGNS, C.MEDICATION_SIDE_EFFECTS, C.STRENGTHS)


# Which part each field of a case event's data belongs to. A field not named here is treated
# as a note: new kinds of event data stay hidden until someone decides who may read them.
EVENT_DATA_PARTS = {
    "note": NOTES,
    "placement_id": PLACEMENTS, "early_ending": PLACEMENTS, "end_date": PLACEMENTS,
    "consent_id": CONSENTS, "requested_by": CONSENTS,
    "notification_id": HISTORY, "follow_up_id": HISTORY, "due_at": HISTORY,
    "merged_citizen_id": IDENTITY, "into_case_id": IDENTITY,
    "by": PHASE, "citizen_agreed": PHASE,  # who wrote it (the citizen or staff), participation agreed
    "goal_version": PLAN, "action_id": PLAN, "intervention_id": INTERVENTIONS, "rating_id": PROGRESS,
}
# Events whose very name says something of a part: shown as a neutral "plan changed" to a reader
# who may not read that part.
EVENT_PARTS = {"intervention_started": INTERVENTIONS, "intervention_ended": INTERVENTIONS,
               "progress_rated": PROGRESS, "citizen_note": NOTES}
# Events whose `reason` is free text rather than a code: a pause's reason is often an admission.
EVENT_REASON_PARTS = {"pause": NOTES}


def relation_to_case(user: User, case: IpsCase) -> str | None:
    """How the user relates to the case, or None (then the case does not exist for them)."""
    if user.role == Role.PRIVACY_OFFICER:
        return "privacy_officer"  # every case, but only its access log and the full export
    if user.role == Role.IPS_CONSULTANT:
        if case.consultant_id == user.id:
            return "consultant"
        if user.organisation_id is not None and case.ips_team_id == user.organisation_id:
            return "team_consultant"  # colleagues cover for each other
    elif user.role == Role.PSYCHIATRY and case.psychiatry_contact_id == user.id:
        return "psychiatry_contact"
    elif user.role == Role.JOBCENTER and case.jobcenter_caseworker_id == user.id:
        return "jobcenter_caseworker"
    elif user.role == Role.COORDINATOR and user.organisation_id is not None and case.ips_team_id == user.organisation_id:
        return "coordinator"
    return None


def live_consents(case_id: int, today: date) -> list[Consent]:
    rows = db.session.scalars(select(Consent).where(Consent.case_id == case_id, Consent.withdrawn_at.is_(None)))
    return [c for c in rows if c.is_live(today)]


def consented(consents: list[Consent], from_party: str, to_party: str) -> frozenset[str]:
    """The categories live consents allow from one party to another."""
    out: set[str] = set()
    for c in consents:
        if c.from_party == from_party and c.to_party == to_party:
            out.update(c.categories)
    return frozenset(out)


@dataclass(frozen=True)
class Access:
    relation: str
    read: frozenset[str]
    write: frozenset[str]
    health_categories: frozenset[str]  # which psychiatry-shared categories may be read

    def can_read(self, part: str) -> bool:
        return part in self.read

    def can_write(self, part: str) -> bool:
        return part in self.write


def access_for(user: User, case: IpsCase, today: date) -> Access | None:
    relation = relation_to_case(user, case)
    if relation is None:
        return None
    consents = live_consents(case.id, today)
    if relation in ("consultant", "team_consultant"):
        health = consented(consents, Party.PSYCHIATRY, Party.IPS_TEAM) & set(HEALTH_CATEGORIES)
        read = {IDENTITY, PHASE, PROFILE, PLACEMENTS, NOTES, HISTORY, CONSENTS, FOLLOW_UPS, PLAN, INTERVENTIONS,
                PROGRESS}
        if health:
            read.add(HEALTH)
        if C.BENEFIT_FACTS in consented(consents, Party.JOBCENTER, Party.IPS_TEAM):
            read.add(BENEFITS)
        write = {PHASE, PROFILE, PLACEMENTS, NOTES, CONSENTS, FOLLOW_UPS, PLAN, INTERVENTIONS, PROGRESS}
        return Access(relation, frozenset(read), frozenset(write), frozenset(health))
    if relation == "psychiatry_contact":
        # Psychiatry always sees what it shared itself; employment progress only under consent.
        # The interventions alongside IPS are largely psychiatry's own; the plan and the progress
        # ratings come with employment progress, under the same consent.
        read = {IDENTITY, PHASE, HEALTH, CONSENTS, INTERVENTIONS}
        write = {HEALTH, CONSENTS, INTERVENTIONS}
        if C.EMPLOYMENT_PROGRESS in consented(consents, Party.IPS_TEAM, Party.PSYCHIATRY):
            read |= {PLACEMENTS, PROFILE, HISTORY, PLAN, PROGRESS}
            write |= {PLAN}
        return Access(relation, frozenset(read), frozenset(write), frozenset(HEALTH_CATEGORIES))
    if relation == "jobcenter_caseworker":
        # Never clinical information; placements under consent; its own benefit facts always.
        read = {IDENTITY, PHASE, BENEFITS, CONSENTS}
        write = {BENEFITS, CONSENTS}
        if C.EMPLOYMENT_PROGRESS in consented(consents, Party.IPS_TEAM, Party.JOBCENTER):
            read |= {PLACEMENTS, HISTORY, PLAN}  # the plan's goals and actions; no interventions, no ratings
            write |= {PLAN}
        return Access(relation, frozenset(read), frozenset(write), frozenset())
    if relation == "coordinator":
        # Status and figures, no notes, no health data, no benefit facts.
        read = {IDENTITY, PHASE, PLACEMENTS, HISTORY, CONSENTS, FOLLOW_UPS, ACCESS_LOG}
        return Access(relation, frozenset(read), frozenset({PHASE, FOLLOW_UPS}), frozenset())
    if relation == "privacy_officer":
        # The data controller's DPO: who saw what, and the citizen's full export (GDPR art. 15).
        return Access(relation, frozenset({ACCESS_LOG, EXPORT}), frozenset(), frozenset())
    return None


def event_view(event, access: Access) -> dict:
    """A case event as this reader may see it: each data field only if its part is readable."""
    data = {k: v for k, v in (event.data or {}).items() if access.can_read(EVENT_DATA_PARTS.get(k, NOTES))}
    reason = event.reason
    if reason is not None and event.event in EVENT_REASON_PARTS and not access.can_read(EVENT_REASON_PARTS[event.event]):
        reason = None
    name = event.event
    if name in EVENT_PARTS and not access.can_read(EVENT_PARTS[name]):
        name = "plan_changed"
    return {"id": event.id, "seq": event.seq, "event": name, "from_phase": event.from_phase,
            "to_phase": event.to_phase, "reason": reason, "actor_id": event.actor_id, "request_id": event.request_id,
            "data": data, "created_at": event.created_at}


def has_relation_to_citizen(user: User, citizen_id: int) -> bool:
    """Whether the user relates to any case of the citizen (the privacy officer relates to none
    here: finding a citizen is not an export)."""
    return db.session.scalar(select(IpsCase.id).where(IpsCase.citizen_id == citizen_id, case_filter(user))
                             .limit(1)) is not None


def case_filter(user: User):
    """WHERE clause for the cases the user is related to."""
    if user.role == Role.IPS_CONSULTANT:
        clauses = [IpsCase.consultant_id == user.id]
        if user.organisation_id is not None:
            clauses.append(IpsCase.ips_team_id == user.organisation_id)
        return or_(*clauses)
    if user.role == Role.PSYCHIATRY:
        return IpsCase.psychiatry_contact_id == user.id
    if user.role == Role.JOBCENTER:
        return IpsCase.jobcenter_caseworker_id == user.id
    if user.role == Role.COORDINATOR and user.organisation_id is not None:
        return IpsCase.ips_team_id == user.organisation_id
    return false()


def visible_case_or_404(user: User, case_id: int) -> IpsCase:
    """404 (not 403) for a case the user has no relation to: no probing for existence."""
    case = db.session.get(IpsCase, case_id)
    if case is None or relation_to_case(user, case) is None:
        abort(404)
    return case

"""Who may see and change which parts of a case, decided at read time from the user's role,
their relation to the case and the live consents.

One module decides; the API, the pages, exports and notifications ask it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import JSON, ColumnElement, false, func, literal_column, or_, select
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..models import CaseEvent, Consent, IpsCase, User
from ..models.case import in_force
from ..workflows.phases import (
    NEUTRAL_FOLLOW_UP,
    TREATMENT_FOLLOW_UP_KINDS,
    ConsentCategory,
    EndReason,
    Event,
    HistoryEntry,
    OrgKind,
    Part,
    Party,
    Relation,
    Role,
)

PARTS = tuple(Part)

# What psychiatry may share with the IPS team (STAR guidance): these categories need consent.
HEALTH_CATEGORIES = (
    ConsentCategory.SYMPTOMS,
    ConsentCategory.COPING_STRATEGIES,
    ConsentCategory.WARNING_SIGNS,
    ConsentCategory.MEDICATION_SIDE_EFFECTS,
    ConsentCategory.STRENGTHS,
)


# Which part each field of a case event's data belongs to. A field not named here is treated
# as a note: new kinds of event data stay hidden until someone decides who may read them.
EVENT_DATA_PARTS: dict[str, Part] = {
    "note": Part.CONTACT_NOTES,
    "placement_id": Part.PLACEMENTS,
    "early_ending": Part.PLACEMENTS,
    "end_date": Part.PLACEMENTS,
    "consent_id": Part.CONSENTS,
    "requested_by": Part.CONSENTS,
    "notification_id": Part.HISTORY,
    "follow_up_id": Part.HISTORY,
    "due_at": Part.HISTORY,
    "merged_citizen_id": Part.IDENTITY,
    "into_case_id": Part.IDENTITY,
    "by": Part.PHASE,
    "citizen_agreed": Part.PHASE,  # who wrote it (the citizen or staff), participation agreed
    "goal_version": Part.SHARED_PLAN,
    "action_id": Part.SHARED_PLAN,
    "intervention_id": Part.PARALLEL_INTERVENTIONS,
    "rating_id": Part.PROGRESS,
    # An assignment or a move (ips_coord.services.referrals): who works the case, where it lives.
    "consultant_id": Part.PHASE,
    "from_consultant_id": Part.PHASE,
    "team_id": Part.PHASE,
    "from_team_id": Part.PHASE,
    "municipality": Part.IDENTITY,
    "from_municipality": Part.IDENTITY,
}
# Events whose very name says something of a part: shown as a neutral "plan changed" to a reader
# who may not read that part.
EVENT_PARTS: dict[str, Part] = {
    HistoryEntry.INTERVENTION_STARTED: Part.PARALLEL_INTERVENTIONS,
    HistoryEntry.INTERVENTION_ENDED: Part.PARALLEL_INTERVENTIONS,
    HistoryEntry.PROGRESS_RATED: Part.PROGRESS,
    HistoryEntry.CITIZEN_NOTE: Part.CONTACT_NOTES,
    # An admission's very name is near health information: the IPS team sees it (it must keep in
    # touch and contact the citizen after the discharge); the jobcenter never does.
    HistoryEntry.ADMITTED: Part.FOLLOW_UPS,
    HistoryEntry.DISCHARGED: Part.FOLLOW_UPS,
    HistoryEntry.BENEFIT_RECORDED: Part.BENEFIT_FACTS,
    HistoryEntry.JOB_TERMS_CHANGED: Part.PLACEMENTS,
}
# Events whose `reason` is free text rather than a code: a pause's reason is often an admission.
EVENT_REASON_PARTS: dict[str, Part] = {Event.PAUSE: Part.CONTACT_NOTES}
# Reason codes that tell of treatment (a job ended for health reasons; an escalated follow-up
# after a discharge), and what a reader outside the citizen's care (who may read neither the
# follow-ups nor health information: the jobcenter) sees instead.
TREATMENT_REASONS: dict[str, str] = {
    EndReason.HEALTH: EndReason.OTHER,
    **{kind: NEUTRAL_FOLLOW_UP for kind in TREATMENT_FOLLOW_UP_KINDS},
}


def visible_reason(reason: str | None, access: Access) -> str | None:
    """A reason code as this reader may see it (events, placements)."""
    if reason in TREATMENT_REASONS and not (
        access.can_read(Part.FOLLOW_UPS) or access.can_read(Part.SHARED_HEALTH_INFO)
    ):
        return TREATMENT_REASONS[reason]
    return reason


def relation_to_case(user: User, case: IpsCase) -> Relation | None:
    """How the user relates to the case, or None (then the case does not exist for them)."""
    in_team = user.organisation_id is not None and case.ips_team_id == user.organisation_id
    if user.role == Role.PRIVACY_OFFICER:
        return Relation.PRIVACY_OFFICER  # every case, but only its access log and the full export
    if user.role == Role.INTEGRATION:
        return _integration_relation(user, case, in_team)
    if user.role == Role.IPS_CONSULTANT:
        if case.consultant_id == user.id:
            return Relation.CONSULTANT
        if in_team:
            return Relation.TEAM_CONSULTANT  # colleagues cover for each other
    elif user.role == Role.PSYCHIATRY and case.psychiatry_contact_id == user.id:
        return Relation.PSYCHIATRY_CONTACT
    elif user.role == Role.JOBCENTER and case.jobcenter_caseworker_id == user.id:
        return Relation.JOBCENTER_CASEWORKER
    elif user.role == Role.COORDINATOR and in_team:
        return Relation.COORDINATOR
    return None


def _org_of(user: User | None) -> int | None:
    return user.organisation_id if user is not None else None


# An organisation's system (its integration account, reached only through a service token a
# second person approved) relates to a case as the organisation's own staff do, and so reads
# exactly what they read under the citizen's live consents: an IPS team's system as a consultant
# of the team (never as the case's own consultant), psychiatry's as the case's psychiatry
# contact when that clinician works there, the jobcenter's as the caseworker when they work
# there. National IPS support sees country-wide aggregates, never a case: its system relates to
# none. A kind missing here relates to nothing.
INTEGRATION_RELATIONS: dict[OrgKind, Relation] = {
    OrgKind.IPS_TEAM: Relation.TEAM_CONSULTANT,
    OrgKind.PSYCHIATRY: Relation.PSYCHIATRY_CONTACT,
    OrgKind.JOBCENTER: Relation.JOBCENTER_CASEWORKER,
}


def _integration_relation(user: User, case: IpsCase, in_team: bool) -> Relation | None:
    org = user.organisation
    if org is None:
        return None
    relation = INTEGRATION_RELATIONS.get(org.kind)
    if relation == Relation.TEAM_CONSULTANT and in_team:
        return relation
    if relation == Relation.PSYCHIATRY_CONTACT and _org_of(case.psychiatry_contact) == org.id:
        return relation
    if relation == Relation.JOBCENTER_CASEWORKER and _org_of(case.jobcenter_caseworker) == org.id:
        return relation
    return None


def _integration_filter(user: User) -> ColumnElement[bool]:
    org = user.organisation
    relation = INTEGRATION_RELATIONS.get(org.kind) if org is not None else None
    if org is None or relation is None:
        return false()
    staff = select(User.id).where(User.organisation_id == org.id).scalar_subquery()
    return {
        Relation.TEAM_CONSULTANT: IpsCase.ips_team_id == org.id,
        Relation.PSYCHIATRY_CONTACT: IpsCase.psychiatry_contact_id.in_(staff),
        Relation.JOBCENTER_CASEWORKER: IpsCase.jobcenter_caseworker_id.in_(staff),
    }[relation]


class ConsentLike(Protocol):
    """What the access rules read of a consent: a Consent row, or its terms read with the case."""

    @property
    def from_party(self) -> str: ...
    @property
    def to_party(self) -> str: ...
    @property
    def categories(self) -> Sequence[str]: ...
    def is_live(self, today: date) -> bool: ...


@dataclass(frozen=True, slots=True)
class ConsentTerms:
    """A consent's terms as the gate's statement reads them: one JSON array a case, not one row a
    consent, so the case's row (and the token's) is not repeated and built again for each."""

    from_party: str
    to_party: str
    categories: tuple[str, ...]
    given_at: date
    expires_at: date | None

    def is_live(self, today: date) -> bool:
        return in_force(self.given_at, self.expires_at, None, today)  # the statement reads unwithdrawn ones only


_TERMS = ("from_party", "to_party", "categories", "given_at", "expires_at")


@lru_cache(maxsize=4)
def consent_terms(dialect: str) -> Any:
    """Each case's unwithdrawn consents' terms as one JSON array (PostgreSQL's json_agg, SQLite's
    json_group_array), to outer-join on `case_id` and read with terms_from(). The case's id in
    the statement narrows it to that case's consents (PostgreSQL pushes it into the grouping)."""
    if dialect not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the consents' terms are not written for {dialect}")
    pairs: list[Any] = []
    for name in _TERMS:
        column = getattr(Consent, name)
        # Keys inline: PostgreSQL cannot type a bound key of json_build_object's variadic "any".
        pairs += [
            literal_column(f"'{name}'"),
            func.json(column) if dialect == "sqlite" and name == "categories" else column,
        ]
    if dialect == "postgresql":
        terms = func.json_agg(func.json_build_object(*pairs), type_=JSON)
    else:
        terms = func.json_group_array(func.json_object(*pairs), type_=JSON)
    return (
        select(Consent.case_id, terms.label("terms"))
        .where(Consent.withdrawn_at.is_(None))
        .group_by(Consent.case_id)
        .subquery("consent_terms")
    )


def terms_from(value: list[dict[str, Any]] | None) -> list[ConsentTerms]:
    return [
        ConsentTerms(
            t["from_party"],
            t["to_party"],
            tuple(t["categories"] or ()),
            date.fromisoformat(t["given_at"]),
            date.fromisoformat(t["expires_at"]) if t["expires_at"] else None,
        )
        for t in value or ()
    ]


def live_consents(case_id: int, today: date) -> list[Consent]:
    rows = db.session.scalars(select(Consent).where(Consent.case_id == case_id, Consent.withdrawn_at.is_(None)))
    return [c for c in rows if c.is_live(today)]


def consented(consents: Sequence[ConsentLike], from_party: str, to_party: str) -> frozenset[str]:
    """The categories live consents allow from one party to another."""
    out: set[str] = set()
    for c in consents:
        if c.from_party == from_party and c.to_party == to_party:
            out.update(c.categories)
    return frozenset(out)


@dataclass(frozen=True)
class Access:
    relation: Relation
    read: frozenset[Part]
    write: frozenset[Part]
    health_categories: frozenset[str]  # which shared-health-info categories may be read

    def can_read(self, part: str) -> bool:
        return part in self.read

    def can_write(self, part: str) -> bool:
        return part in self.write


def _consultant_access(relation: Relation, consents: Sequence[ConsentLike]) -> Access:
    health = consented(consents, Party.PSYCHIATRY, Party.IPS_TEAM) & set(HEALTH_CATEGORIES)
    read = {
        Part.IDENTITY,
        Part.PHASE,
        Part.CAREER_PROFILE,
        Part.PLACEMENTS,
        Part.CONTACT_NOTES,
        Part.HISTORY,
        Part.CONSENTS,
        Part.FOLLOW_UPS,
        Part.SHARED_PLAN,
        Part.PARALLEL_INTERVENTIONS,
        Part.PROGRESS,
    }
    if health:
        read.add(Part.SHARED_HEALTH_INFO)
    if ConsentCategory.BENEFIT_FACTS in consented(consents, Party.JOBCENTER, Party.IPS_TEAM):
        read.add(Part.BENEFIT_FACTS)
    write = {
        Part.PHASE,
        Part.CAREER_PROFILE,
        Part.PLACEMENTS,
        Part.CONTACT_NOTES,
        Part.CONSENTS,
        Part.FOLLOW_UPS,
        Part.SHARED_PLAN,
        Part.PARALLEL_INTERVENTIONS,
        Part.PROGRESS,
    }
    return Access(relation, frozenset(read), frozenset(write), frozenset(health))


def _psychiatry_access(relation: Relation, consents: Sequence[ConsentLike]) -> Access:
    # Psychiatry always sees what it shared itself; employment progress only under consent.
    # The interventions alongside IPS are largely psychiatry's own; the plan and the progress
    # ratings come with employment progress, under the same consent.
    read = {Part.IDENTITY, Part.PHASE, Part.SHARED_HEALTH_INFO, Part.CONSENTS, Part.PARALLEL_INTERVENTIONS}
    write = {Part.SHARED_HEALTH_INFO, Part.CONSENTS, Part.PARALLEL_INTERVENTIONS}
    if ConsentCategory.EMPLOYMENT_PROGRESS in consented(consents, Party.IPS_TEAM, Party.PSYCHIATRY):
        read |= {Part.PLACEMENTS, Part.CAREER_PROFILE, Part.HISTORY, Part.SHARED_PLAN, Part.PROGRESS}
        write |= {Part.SHARED_PLAN}
    return Access(relation, frozenset(read), frozenset(write), frozenset(HEALTH_CATEGORIES))


def _jobcenter_access(relation: Relation, consents: Sequence[ConsentLike]) -> Access:
    # Never clinical information; placements under consent; its own benefit facts always.
    read = {Part.IDENTITY, Part.PHASE, Part.BENEFIT_FACTS, Part.CONSENTS}
    write = {Part.BENEFIT_FACTS, Part.CONSENTS}
    if ConsentCategory.EMPLOYMENT_PROGRESS in consented(consents, Party.IPS_TEAM, Party.JOBCENTER):
        # The plan's goals and actions; no interventions, no ratings.
        read |= {Part.PLACEMENTS, Part.HISTORY, Part.SHARED_PLAN}
        write |= {Part.SHARED_PLAN}
    return Access(relation, frozenset(read), frozenset(write), frozenset())


def _coordinator_access(relation: Relation, consents: Sequence[ConsentLike]) -> Access:
    # Status and figures, no notes, no health data, no benefit facts.
    read = {Part.IDENTITY, Part.PHASE, Part.PLACEMENTS, Part.HISTORY, Part.CONSENTS, Part.FOLLOW_UPS, Part.ACCESS_LOG}
    return Access(relation, frozenset(read), frozenset({Part.PHASE, Part.FOLLOW_UPS}), frozenset())


def _privacy_officer_access(relation: Relation, consents: Sequence[ConsentLike]) -> Access:
    # The data controller's DPO: who saw what, and the citizen's full export (GDPR art. 15).
    return Access(relation, frozenset({Part.ACCESS_LOG, Part.EXPORT}), frozenset(), frozenset())


# The citizen's own record (their view and their download, GDPR art. 15) holds every part, health
# information included: what psychiatry shared and an admission's reason are the citizen's own. No
# clinician's decision to withhold (as health law allows for a patient's journal) is recorded here,
# so nothing is withheld; a reason psychiatry should not have written down belongs in its journal.
CITIZEN_SEES_ADMISSION_REASON = True


# One rule per relation; a relation without a rule would fail the test that covers them all.
ACCESS_BY_RELATION: dict[Relation, Callable[[Relation, Sequence[ConsentLike]], Access]] = {
    Relation.CONSULTANT: _consultant_access,
    Relation.TEAM_CONSULTANT: _consultant_access,
    Relation.PSYCHIATRY_CONTACT: _psychiatry_access,
    Relation.JOBCENTER_CASEWORKER: _jobcenter_access,
    Relation.COORDINATOR: _coordinator_access,
    Relation.PRIVACY_OFFICER: _privacy_officer_access,
}


def access_for(user: User, case: IpsCase, today: date, consents: Sequence[ConsentLike] | None = None) -> Access | None:
    """What the user may read and write of the case today, or None without a relation to it.
    `consents`: the case's unwithdrawn consents when the caller has them already (the gate)."""
    relation = relation_to_case(user, case)
    if relation is None:
        return None
    live: Sequence[ConsentLike] = (
        [c for c in consents if c.is_live(today)] if consents is not None else live_consents(case.id, today)
    )
    return ACCESS_BY_RELATION[relation](relation, live)


def case_with_consents(case_id: int) -> tuple[IpsCase | None, list[ConsentTerms]]:
    """The case, its citizen and its unwithdrawn consents' terms in one statement and one row:
    every case read passes here, and a round trip costs more than the query (bench/README.md,
    the case-read gate)."""
    terms = consent_terms(db.engine.dialect.name)
    row = db.session.execute(
        select(IpsCase, terms.c.terms).outerjoin(terms, terms.c.case_id == IpsCase.id).where(IpsCase.id == case_id)
    ).first()
    if row is None:
        return None, []
    return row[0], terms_from(row[1])


def gate(
    user: User, case_id: int, today: date, prefetched: tuple[IpsCase | None, list[ConsentTerms]] | None = None
) -> tuple[IpsCase, Access]:
    """The case and what the user may do with it today; 404 (never 403) without a relation.
    `prefetched`: what case_with_consents would read, read already with the API token."""
    case, consents = prefetched if prefetched is not None else case_with_consents(case_id)
    access = access_for(user, case, today, consents) if case is not None else None
    if case is None or access is None:
        raise NotFound()
    return case, access


def event_view(event: CaseEvent, access: Access) -> dict[str, Any]:
    """A case event as this reader may see it: each data field only if its part is readable."""
    data = {k: v for k, v in (event.data or {}).items() if access.can_read(EVENT_DATA_PARTS.get(k, Part.CONTACT_NOTES))}
    reason = event.reason
    reason_part = EVENT_REASON_PARTS.get(event.event)
    if reason is not None and reason_part is not None and not access.can_read(reason_part):
        reason = None
    reason = visible_reason(reason, access)
    name = event.event
    name_part = EVENT_PARTS.get(name)
    if name_part is not None and not access.can_read(name_part):
        name = HistoryEntry.PLAN_CHANGED
    return {
        "id": event.id,
        "seq": event.seq,
        "event": name,
        "from_phase": event.from_phase,
        "to_phase": event.to_phase,
        "reason": reason,
        "actor_id": event.actor_id,
        "request_id": event.request_id,
        "data": data,
        "created_at": event.created_at,
    }


def has_relation_to_citizen(user: User, citizen_id: int) -> bool:
    """Whether the user relates to any case of the citizen (the privacy officer relates to none
    here: finding a citizen is not an export)."""
    return (
        db.session.scalar(select(IpsCase.id).where(IpsCase.citizen_id == citizen_id, case_filter(user)).limit(1))
        is not None
    )


def case_filter(user: User) -> ColumnElement[bool]:
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
    if user.role == Role.INTEGRATION:
        return _integration_filter(user)
    return false()


def visible_case_or_404(user: User, case_id: int) -> IpsCase:
    """404 (not 403) for a case the user has no relation to: no probing for existence."""
    case = db.session.get(IpsCase, case_id)
    if case is None or relation_to_case(user, case) is None:
        raise NotFound()
    return case

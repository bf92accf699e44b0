"""The IPS state machine: given a case's facts, an event, an actor role and a clock
reading, return a Decision or a Refusal. Plain Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from . import rules
from .calendar import COPENHAGEN, add_working_days, local_date
from .constants import (
    ACK_WORKING_DAYS,
    CONTACT_WINDOW,
    FIRST_EMPLOYER_CONTACT_DEADLINE,
    NO_CONTACT_AFTER,
    is_early_ending,
)
from .messages import REFUSALS, text
from .phases import (
    ACTIVE,
    CLOSABLE,
    COMPETITIVE_JOB_TYPES,
    ENDED,
    PAUSABLE,
    Activity,
    CloseReason,
    Deviation,
    EndReason,
    Event,
    FollowUpKind,
    NotificationKind,
    Phase,
    PlacementType,
    Recipient,
    Role,
)

# Who may move a case between phases: the consultant who works it and the coordinator who leads.
TRANSITION_ROLES = frozenset({Role.IPS_CONSULTANT, Role.COORDINATOR})

# (phase, event) -> next phase, for the events whose target is fixed.
TRANSITIONS: dict[tuple[Phase, Event], Phase] = {
    (Phase.REFERRED, Event.ENROL): Phase.ENGAGEMENT,
    (Phase.REFERRED, Event.DECLINE): Phase.CLOSED,
    (Phase.ENGAGEMENT, Event.START_SEARCH): Phase.JOB_SEARCH,
    (Phase.JOB_SEARCH, Event.START_JOB): Phase.EMPLOYED,
    (Phase.JOB_SEARCH, Event.START_EDUCATION): Phase.IN_EDUCATION,
    (Phase.EMPLOYED, Event.END_JOB): Phase.JOB_ENDED,
    (Phase.EMPLOYED, Event.HANDOVER_TO_NATURAL_SUPPORTS): Phase.TRANSITIONED,
    (Phase.IN_EDUCATION, Event.END_EDUCATION): Phase.JOB_ENDED,
    (Phase.IN_EDUCATION, Event.HANDOVER_TO_NATURAL_SUPPORTS): Phase.TRANSITIONED,
    (Phase.JOB_ENDED, Event.RESUME_SEARCH): Phase.JOB_SEARCH,
    (Phase.JOB_ENDED, Event.START_JOB): Phase.EMPLOYED,
    (Phase.JOB_ENDED, Event.START_EDUCATION): Phase.IN_EDUCATION,
    (Phase.TRANSITIONED, Event.RE_ENTER): Phase.ENGAGEMENT,
    (Phase.CLOSED, Event.RE_ENTER): Phase.ENGAGEMENT,
    **{(p, Event.PAUSE): Phase.PAUSED for p in PAUSABLE},
    **{(p, Event.CLOSE): Phase.CLOSED for p in CLOSABLE},
}
# (phase, event) pairs whose target depends on the case: resume goes back to where it paused from.
RETURNS_FROM_PAUSE = frozenset({(Phase.PAUSED, Event.RESUME)})


def is_allowed(phase: Phase, event: Event) -> bool:
    return (phase, event) in TRANSITIONS or (phase, event) in RETURNS_FROM_PAUSE


@dataclass(frozen=True)
class CaseFacts:
    """What the workflow needs to know about a case; the service reads it from the record."""

    phase: Phase
    paused_from: Phase | None = None
    has_psychiatry_contact: bool = False
    enrolled_at: datetime | None = None
    first_employer_contact_at: datetime | None = None
    last_contact_at: datetime | None = None
    placement_started_on: date | None = None  # the current job or education
    review_recorded: bool = False  # a job-ending review since the latest ending


@dataclass(frozen=True)
class FollowUpSpec:
    kind: FollowUpKind
    due_at: datetime
    remind_at: datetime | None = None
    escalate_at: datetime | None = None
    assignee: Recipient = Recipient.CONSULTANT


@dataclass(frozen=True)
class NotificationSpec:
    kind: NotificationKind
    recipient: Recipient
    requires_ack: bool = False


@dataclass(frozen=True)
class Decision:
    event: Event
    from_phase: Phase
    to_phase: Phase
    reason: str | None = None
    create: tuple[FollowUpSpec, ...] = ()
    cancel: frozenset[FollowUpKind] = frozenset()
    complete: frozenset[FollowUpKind] = frozenset()
    notify: tuple[NotificationSpec, ...] = ()
    deviations: tuple[str, ...] = ()
    updates: dict[str, Any] = field(default_factory=dict)  # case fields the service writes
    data: dict[str, Any] = field(default_factory=dict)  # facts recorded on the case event

    ok = True


@dataclass(frozen=True)
class Refusal:
    code: str
    field: str | None = None

    ok = False

    def message(self, locale: str = "da") -> str:
        return text(REFUSALS, self.code, locale)


def _as_datetime(d: date) -> datetime:
    """08:00 on a Copenhagen calendar day, in UTC."""
    return datetime.combine(d, time(8, 0), tzinfo=COPENHAGEN).astimezone(UTC)


def specs(due: tuple[rules.Rule, ...], base: datetime) -> tuple[FollowUpSpec, ...]:
    return tuple(
        FollowUpSpec(
            kind=r.kind,
            due_at=base + r.due,
            remind_at=base + r.remind if r.remind is not None else None,
            escalate_at=base + r.escalate if r.escalate is not None else None,
            assignee=r.assignee,
        )
        for r in due
    )


def allowed_events(phase: Phase) -> list[Event]:
    """The events valid in a phase, in a stable order (for buttons and the API)."""
    return [e for e in Event if is_allowed(Phase(phase), e)]


def _parse_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@dataclass
class Draft:
    """A decision being made: each event's handler adds to it (or returns a Refusal)."""

    facts: CaseFacts
    phase: Phase
    event: Event
    payload: dict[str, Any]
    now: datetime
    target: Phase
    create: tuple[FollowUpSpec, ...]
    reason: str | None = None
    notify: list[NotificationSpec] = field(default_factory=list)
    deviations: list[str] = field(default_factory=list)
    updates: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return local_date(self.now)  # the Copenhagen calendar day

    def tell(self, kind: NotificationKind, *to: Recipient, requires_ack: bool = False) -> None:
        self.notify += [NotificationSpec(kind, r, requires_ack=requires_ack) for r in to]

    def decision(self) -> Decision:
        return Decision(
            event=self.event,
            from_phase=self.phase,
            to_phase=self.target,
            reason=self.reason,
            create=self.create if self.target in ACTIVE else (),
            cancel=rules.CANCELLED_BY_EVENT.get(self.event, frozenset()),
            complete=rules.COMPLETED_BY_EVENT.get(self.event, frozenset()),
            notify=tuple(self.notify),
            deviations=tuple(self.deviations),
            updates=self.updates,
            data=self.data,
        )


# One handler per event: it checks the event's own rules and adds its effects to the draft.
Handler = Callable[[Draft], Refusal | None]


def _enter(d: Draft) -> Refusal | None:
    """enrol and re_enter: integration with treatment needs a named psychiatry contact."""
    if not d.facts.has_psychiatry_contact:
        return Refusal("psychiatry_contact_required", "psychiatry_contact_id")
    d.updates.update(enrolled_at=d.now, first_employer_contact_at=None, closed_at=None, close_reason=None)
    d.tell(NotificationKind.CASE_ENROLLED, Recipient.PSYCHIATRY_CONTACT)
    return None


def _decline(d: Draft) -> Refusal | None:
    d.reason = CloseReason.CITIZEN_CHOICE
    d.updates.update(closed_at=d.now, close_reason=d.reason)
    return None


def _close(d: Draft) -> Refusal | None:
    """Zero exclusion: only the reasons in CloseReason close a case."""
    reason = d.payload.get("reason")
    if not reason:
        return Refusal("close_reason_required", "reason")
    if reason not in CloseReason.__members__.values():
        return Refusal("close_reason_not_allowed", "reason")
    d.reason = CloseReason(reason)
    d.updates.update(closed_at=d.now, close_reason=d.reason, paused_from=None, resume_date=None)
    d.tell(NotificationKind.CASE_CLOSED, Recipient.PSYCHIATRY_CONTACT, Recipient.JOBCENTER_CASEWORKER)
    return None


def _start_placement(d: Draft) -> Refusal | None:
    """start_job and start_education: competitive employment or ordinary education only."""
    job = d.event is Event.START_JOB
    ptype = d.payload.get("placement_type") or (PlacementType.ORDINARY_JOB if job else PlacementType.EDUCATION)
    if job and ptype not in COMPETITIVE_JOB_TYPES:
        return Refusal("not_competitive_employment", "placement_type")
    if not job and ptype != PlacementType.EDUCATION:
        return Refusal("education_type_required", "placement_type")
    start = _parse_date(d.payload.get("start_date")) or d.today
    if d.facts.enrolled_at is not None and start < local_date(d.facts.enrolled_at):
        # A job found before IPS support began is not an IPS outcome (and would skew fidelity).
        return Refusal("start_before_enrolment", "start_date")
    d.create = specs(rules.CREATED_BY_EVENT[d.event], max(d.now, _as_datetime(start)))
    if not d.payload.get("benefits_counselling_offered"):
        d.deviations.append(Deviation.JOB_START_WITHOUT_BENEFITS_COUNSELLING)
    kind = NotificationKind.JOB_STARTED if job else NotificationKind.EDUCATION_STARTED
    d.tell(kind, Recipient.PSYCHIATRY_CONTACT, Recipient.JOBCENTER_CASEWORKER)
    return None


def _end_placement(d: Draft) -> Refusal | None:
    """end_job and end_education: review and adjust; psychiatry acknowledges; early endings flagged."""
    reason = d.payload.get("end_reason")
    if not reason or reason not in EndReason.__members__.values():
        return Refusal("end_reason_required", "end_reason")
    d.reason = EndReason(reason)
    end = _parse_date(d.payload.get("end_date")) or d.today
    kind = NotificationKind.JOB_ENDED if d.event is Event.END_JOB else NotificationKind.EDUCATION_ENDED
    d.tell(kind, Recipient.PSYCHIATRY_CONTACT, requires_ack=True)
    d.tell(kind, Recipient.JOBCENTER_CASEWORKER)
    ack_due = add_working_days(d.now, ACK_WORKING_DAYS)
    d.create += (
        FollowUpSpec(
            FollowUpKind.PSYCHIATRY_ACK, due_at=ack_due, escalate_at=ack_due, assignee=Recipient.PSYCHIATRY_CONTACT
        ),
    )
    started = d.facts.placement_started_on
    early = is_early_ending(started, end, d.reason)
    if early:
        d.tell(NotificationKind.EARLY_ENDING, Recipient.COORDINATOR)
    d.data.update(early_ending=early, end_date=end.isoformat())
    return None


def _resume_search(d: Draft) -> Refusal | None:
    if not d.facts.review_recorded:
        return Refusal("review_required")
    return None


def _pause(d: Draft) -> Refusal | None:
    """A pause is the citizen's choice and has a planned resume date (assertive outreach then)."""
    try:
        resume = _parse_date(d.payload.get("resume_date"))
    except ValueError:
        return Refusal("resume_date_required", "resume_date")
    if resume is None:
        return Refusal("resume_date_required", "resume_date")
    if resume <= d.today:
        return Refusal("resume_date_in_past", "resume_date")
    d.updates.update(paused_from=d.phase, resume_date=resume)
    d.create = specs((rules.PAUSE_OUTREACH,), _as_datetime(resume))
    d.reason = d.payload.get("reason")
    return None


def _resume(d: Draft) -> Refusal | None:
    """Back to the phase the case paused from; a search phase needs its employer contact again."""
    d.target = Phase(d.facts.paused_from) if d.facts.paused_from else Phase.ENGAGEMENT
    d.updates.update(paused_from=None, resume_date=None)
    d.create = specs((rules.RESUME_CONTACT,), d.now)
    if d.target in (Phase.ENGAGEMENT, Phase.JOB_SEARCH) and d.facts.first_employer_contact_at is None:
        d.create += specs((rules.START_RULES[0],), d.now)
    return None


def _transition(d: Draft) -> Refusal | None:
    d.reason = CloseReason.CITIZEN_CHOICE  # hand-over to natural supports is the citizen's choice
    return None


def _no_checks(d: Draft) -> Refusal | None:
    """Events with no rule of their own beyond the phase table (start_search)."""
    return None


HANDLERS: dict[Event, Handler] = {
    Event.ENROL: _enter,
    Event.RE_ENTER: _enter,
    Event.DECLINE: _decline,
    Event.CLOSE: _close,
    Event.START_SEARCH: _no_checks,
    Event.START_JOB: _start_placement,
    Event.START_EDUCATION: _start_placement,
    Event.END_JOB: _end_placement,
    Event.END_EDUCATION: _end_placement,
    Event.RESUME_SEARCH: _resume_search,
    Event.PAUSE: _pause,
    Event.RESUME: _resume,
    Event.HANDOVER_TO_NATURAL_SUPPORTS: _transition,
}


def decide(
    facts: CaseFacts,
    event: str,
    payload: dict[str, Any] | None,
    actor_role: str,
    now: datetime,
) -> Decision | Refusal:
    """The phase table says whether the event may happen; the event's handler says what follows."""
    try:
        ev = Event(event)
    except ValueError:
        return Refusal("unknown_event", "event")
    if actor_role not in TRANSITION_ROLES:
        return Refusal("role_not_allowed")
    phase = Phase(facts.phase)
    if not is_allowed(phase, ev):
        return Refusal("event_not_allowed_in_phase", "event")
    draft = Draft(
        facts=facts,
        phase=phase,
        event=ev,
        payload=payload or {},
        now=now,
        target=TRANSITIONS.get((phase, ev), phase),
        create=specs(rules.CREATED_BY_EVENT.get(ev, ()), now),
    )
    refusal = HANDLERS[ev](draft)
    return refusal if refusal is not None else draft.decision()


@dataclass(frozen=True)
class OpenFollowUp:
    id: int
    kind: FollowUpKind
    due_at: datetime


@dataclass(frozen=True)
class ActivityOutcome:
    complete: tuple[int, ...]
    create: tuple[FollowUpSpec, ...]
    deviations: tuple[str, ...]


def on_activity(facts: CaseFacts, activity: str, at: datetime, open_followups: list[OpenFollowUp]) -> ActivityOutcome:
    """What a logged activity (contact, meeting, employer contact...) completes and starts."""
    kinds = rules.COMPLETED_BY_ACTIVITY.get(activity, frozenset())
    done = [
        f
        for f in open_followups
        if f.kind in kinds and (f.kind not in rules.CITIZEN_CONTACT_KINDS or f.due_at <= at + CONTACT_WINDOW)
    ]
    deviations: list[str] = []
    if (
        activity == Activity.EMPLOYER_CONTACT
        and facts.first_employer_contact_at is None
        and facts.enrolled_at
        and at > facts.enrolled_at + FIRST_EMPLOYER_CONTACT_DEADLINE
    ):
        deviations.append(Deviation.FIRST_EMPLOYER_CONTACT_LATE)
    create = [spec for f in done if (spec := next_recurrence(f.kind, f.due_at, at, facts.phase)) is not None]
    return ActivityOutcome(tuple(f.id for f in done), tuple(create), tuple(deviations))


RECURRING = {
    r.kind: r
    for r in (*rules.PLACEMENT_RULES, rules.PAUSE_OUTREACH, rules.PROFILE_REASSESSMENT, rules.PROGRESS_RATING)
    if r.recur
}


def next_recurrence(kind: str, due_at: datetime, completed_at: datetime, phase: Phase) -> FollowUpSpec | None:
    """The next one of a recurring follow-up (monthly contact, outreach, profile reassessment),
    counted from when this one was done or due, whichever is later; none once the case ended."""
    rule = RECURRING.get(FollowUpKind(kind))
    if rule is None or rule.recur is None or Phase(phase) in ENDED:
        return None
    if rule.kind is FollowUpKind.PAUSED_OUTREACH and phase != Phase.PAUSED:
        return None
    return specs((rules.Rule(rule.kind, due=rule.recur, assignee=rule.assignee),), max(completed_at, due_at))[0]


def contact_gap(facts: CaseFacts, now: datetime) -> str | None:
    """Deviation when an active case has had no contact for 30 days."""
    if Phase(facts.phase) not in ACTIVE or Phase(facts.phase) == Phase.PAUSED:
        return None
    last = facts.last_contact_at or facts.enrolled_at
    if last is not None and now - last > NO_CONTACT_AFTER:
        return Deviation.NO_CONTACT_30_DAYS
    return None


def assignment_follow_ups(now: datetime) -> tuple[FollowUpSpec, ...]:
    """A referral assigned (or handed) to a consultant: first contact with the citizen within
    7 days, a reminder at day 5, the coordinator told at day 7."""
    return specs((rules.FIRST_CITIZEN_CONTACT,), now)

"""The IPS state machine: given a case's facts, an event, an actor role and a clock
reading, return a Decision or a Refusal. Plain Python: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from . import rules as R
from .calendar import COPENHAGEN, add_working_days, local_date
from .messages import DEVIATIONS, REFUSALS, text
from .phases import (
    ACTIVE,
    CLOSABLE,
    COMPETITIVE_JOB_TYPES,
    ENDED,
    PAUSABLE,
    CloseReason,
    EndReason,
    Event,
    FollowUpKind,
    Phase,
    PlacementType,
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
    (Phase.EMPLOYED, Event.TRANSITION): Phase.TRANSITIONED,
    (Phase.IN_EDUCATION, Event.END_EDUCATION): Phase.JOB_ENDED,
    (Phase.IN_EDUCATION, Event.TRANSITION): Phase.TRANSITIONED,
    (Phase.JOB_ENDED, Event.RESUME_SEARCH): Phase.JOB_SEARCH,
    (Phase.JOB_ENDED, Event.START_JOB): Phase.EMPLOYED,
    (Phase.JOB_ENDED, Event.START_EDUCATION): Phase.IN_EDUCATION,
    (Phase.TRANSITIONED, Event.RE_ENTER): Phase.ENGAGEMENT,
    (Phase.CLOSED, Event.RE_ENTER): Phase.ENGAGEMENT,
}
for _p in PAUSABLE:
    TRANSITIONS[(_p, Event.PAUSE)] = Phase.PAUSED
for _p in CLOSABLE:
    TRANSITIONS[(_p, Event.CLOSE)] = Phase.CLOSED
# resume goes back to the phase it paused from; the target here is a placeholder.
TRANSITIONS[(Phase.PAUSED, Event.RESUME)] = Phase.PAUSED


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
    assignee: str = "consultant"


@dataclass(frozen=True)
class NotificationSpec:
    kind: str
    recipient: str  # consultant / psychiatry_contact / jobcenter_caseworker / coordinator
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
    updates: dict = field(default_factory=dict)  # case fields the service writes
    data: dict = field(default_factory=dict)  # facts recorded on the case event

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


def specs(rules: tuple[R.Rule, ...], base: datetime) -> tuple[FollowUpSpec, ...]:
    return tuple(
        FollowUpSpec(
            kind=r.kind,
            due_at=base + r.due,
            remind_at=base + r.remind if r.remind is not None else None,
            escalate_at=base + r.escalate if r.escalate is not None else None,
            assignee=r.assignee,
        )
        for r in rules
    )


def allowed_events(phase: Phase) -> list[Event]:
    """The events valid in a phase, in a stable order (for buttons and the API)."""
    return [e for e in Event if (Phase(phase), e) in TRANSITIONS]


def _parse_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def decide(facts: CaseFacts, event: str, payload: dict | None, actor_role: str, now: datetime) -> Decision | Refusal:
    payload = payload or {}
    try:
        ev = Event(event)
    except ValueError:
        return Refusal("unknown_event", "event")
    if actor_role not in TRANSITION_ROLES:
        return Refusal("role_not_allowed")
    phase = Phase(facts.phase)
    if (phase, ev) not in TRANSITIONS:
        return Refusal("event_not_allowed_in_phase", "event")
    target = TRANSITIONS[(phase, ev)]
    today = local_date(now)  # the Copenhagen calendar day
    create: tuple[FollowUpSpec, ...] = specs(R.CREATED_BY_EVENT.get(ev, ()), now)
    notify: list[NotificationSpec] = []
    deviations: list[str] = []
    updates: dict = {}
    data: dict = {}
    reason: str | None = None

    if ev in (Event.ENROL, Event.RE_ENTER):
        if not facts.has_psychiatry_contact:
            return Refusal("psychiatry_contact_required", "psychiatry_contact_id")
        updates.update(enrolled_at=now, first_employer_contact_at=None, closed_at=None, close_reason=None)
        notify.append(NotificationSpec("case_enrolled", "psychiatry_contact"))

    elif ev is Event.DECLINE:
        reason = CloseReason.CITIZEN_CHOICE
        updates.update(closed_at=now, close_reason=reason)

    elif ev is Event.CLOSE:
        reason = payload.get("reason")
        if not reason:
            return Refusal("close_reason_required", "reason")
        if reason not in CloseReason.__members__.values():
            return Refusal("close_reason_not_allowed", "reason")
        updates.update(closed_at=now, close_reason=reason, paused_from=None, resume_date=None)
        notify += [NotificationSpec("case_closed", "psychiatry_contact"), NotificationSpec("case_closed", "jobcenter_caseworker")]

    elif ev in (Event.START_JOB, Event.START_EDUCATION):
        ptype = payload.get("placement_type") or (
            PlacementType.ORDINARY_JOB if ev is Event.START_JOB else PlacementType.EDUCATION
        )
        if ev is Event.START_JOB and ptype not in COMPETITIVE_JOB_TYPES:
            return Refusal("not_competitive_employment", "placement_type")
        if ev is Event.START_EDUCATION and ptype != PlacementType.EDUCATION:
            return Refusal("education_type_required", "placement_type")
        start = _parse_date(payload.get("start_date")) or today
        if facts.enrolled_at is not None and start < local_date(facts.enrolled_at):
            # A job found before IPS support began is not an IPS outcome (and would skew fidelity).
            return Refusal("start_before_enrolment", "start_date")
        base = max(now, _as_datetime(start))
        create = specs(R.CREATED_BY_EVENT[ev], base)
        if not payload.get("benefits_counselling_offered"):
            deviations.append("job_start_without_benefits_counselling")
        kind = "job_started" if ev is Event.START_JOB else "education_started"
        notify += [NotificationSpec(kind, "psychiatry_contact"), NotificationSpec(kind, "jobcenter_caseworker")]

    elif ev in (Event.END_JOB, Event.END_EDUCATION):
        reason = payload.get("end_reason")
        if not reason:
            return Refusal("end_reason_required", "end_reason")
        if reason not in EndReason.__members__.values():
            return Refusal("end_reason_required", "end_reason")
        end = _parse_date(payload.get("end_date")) or today
        kind = "job_ended" if ev is Event.END_JOB else "education_ended"
        notify += [
            NotificationSpec(kind, "psychiatry_contact", requires_ack=True),
            NotificationSpec(kind, "jobcenter_caseworker"),
        ]
        ack_due = add_working_days(now, R.ACK_WORKING_DAYS)
        create += (FollowUpSpec(FollowUpKind.PSYCHIATRY_ACK, due_at=ack_due, escalate_at=ack_due,
                                assignee="psychiatry_contact"),)
        early = facts.placement_started_on is not None and (end - facts.placement_started_on) < R.EARLY_ENDING
        if early:
            notify.append(NotificationSpec("early_ending", "coordinator"))
        data.update(early_ending=early, end_date=end.isoformat())

    elif ev is Event.RESUME_SEARCH:
        if not facts.review_recorded:
            return Refusal("review_required")

    elif ev is Event.PAUSE:
        try:
            resume = _parse_date(payload.get("resume_date"))
        except ValueError:
            return Refusal("resume_date_required", "resume_date")
        if resume is None:
            return Refusal("resume_date_required", "resume_date")
        if resume <= today:
            return Refusal("resume_date_in_past", "resume_date")
        updates.update(paused_from=phase, resume_date=resume)
        create = specs((R.PAUSE_OUTREACH,), _as_datetime(resume))
        reason = payload.get("reason")

    elif ev is Event.RESUME:
        target = Phase(facts.paused_from) if facts.paused_from else Phase.ENGAGEMENT
        updates.update(paused_from=None, resume_date=None)
        create = specs((R.RESUME_CONTACT,), now)
        if target in (Phase.ENGAGEMENT, Phase.JOB_SEARCH) and facts.first_employer_contact_at is None:
            create += specs((R.START_RULES[0],), now)

    elif ev is Event.TRANSITION:
        reason = "citizen_choice"

    return Decision(
        event=ev,
        from_phase=phase,
        to_phase=target,
        reason=reason,
        create=create if target in ACTIVE else (),
        cancel=R.CANCELLED_BY_EVENT.get(ev, frozenset()),
        complete=R.COMPLETED_BY_EVENT.get(ev, frozenset()),
        notify=tuple(notify),
        deviations=tuple(deviations),
        updates=updates,
        data=data,
    )


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
    kinds = R.COMPLETED_BY_ACTIVITY.get(activity, frozenset())
    done = [
        f for f in open_followups
        if f.kind in kinds and (f.kind not in R.CITIZEN_CONTACT_KINDS or f.due_at <= at + R.CONTACT_WINDOW)
    ]
    deviations: list[str] = []
    if activity == "employer_contact" and facts.first_employer_contact_at is None and facts.enrolled_at:
        if at > facts.enrolled_at + R.FIRST_EMPLOYER_CONTACT_DEADLINE:
            deviations.append("first_employer_contact_late")
    create = [spec for f in done if (spec := next_recurrence(f.kind, f.due_at, at, facts.phase)) is not None]
    return ActivityOutcome(tuple(f.id for f in done), tuple(create), tuple(deviations))


RECURRING = {r.kind: r for r in R.PLACEMENT_RULES + (R.PAUSE_OUTREACH, R.PROFILE_REASSESSMENT) if r.recur}


def next_recurrence(kind: str, due_at: datetime, completed_at: datetime, phase: Phase) -> FollowUpSpec | None:
    """The next one of a recurring follow-up (monthly contact, outreach, profile reassessment),
    counted from when this one was done or due, whichever is later; none once the case ended."""
    rule = RECURRING.get(FollowUpKind(kind))
    if rule is None or Phase(phase) in ENDED:
        return None
    if rule.kind is FollowUpKind.PAUSED_OUTREACH and phase != Phase.PAUSED:
        return None
    return specs((R.Rule(rule.kind, due=rule.recur, assignee=rule.assignee),), max(completed_at, due_at))[0]


def contact_gap(facts: CaseFacts, now: datetime) -> str | None:
    """Deviation when an active case has had no contact for 30 days."""
    if Phase(facts.phase) not in ACTIVE or Phase(facts.phase) == Phase.PAUSED:
        return None
    last = facts.last_contact_at or facts.enrolled_at
    if last is not None and now - last > R.NO_CONTACT_AFTER:
        return "no_contact_30_days"
    return None


def deviation_message(code: str, locale: str = "da") -> str:
    return text(DEVIATIONS, code, locale)

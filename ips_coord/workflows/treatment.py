"""Psychiatry in the course of treatment, and a running job's changed terms: plain Python, like
the state machine. Given a case's facts and the time, each function returns what the service
writes (the phase, follow-ups to create and cancel, notifications) or a Refusal.

- An admission pauses an active case (a case already paused stays paused, and says so on the
  admission, so the discharge does not end the citizen's own pause). Outreach goes on during
  the admission: assertive engagement, never discharge from IPS.
- A discharge takes the case back to the phase it paused from and makes the consultant's
  contact due within 3 days, escalated to the coordinator when missed.
- Changed hours or pay of a running job offer benefits counselling again and tell the jobcenter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from . import rules
from .calendar import local_date
from .machine import CaseFacts, FollowUpSpec, NotificationSpec, Refusal, specs
from .phases import ENDED, PAUSABLE, Event, FollowUpKind, NotificationKind, Phase, Recipient


@dataclass(frozen=True)
class Outcome:
    to_phase: Phase
    updates: dict[str, Any] = field(default_factory=dict)
    cancel: frozenset[FollowUpKind] = frozenset()
    create: tuple[FollowUpSpec, ...] = ()
    notify: tuple[NotificationSpec, ...] = ()
    paused_case: bool = False  # the admission paused the case (the discharge resumes it)

    ok = True


def admit(facts: CaseFacts, admitted_on: date, now: datetime, *, already_admitted: bool) -> Outcome | Refusal:
    phase = Phase(facts.phase)
    if already_admitted:
        return Refusal("already_admitted")
    if phase in ENDED:
        return Refusal("case_not_active")
    if admitted_on > local_date(now):
        return Refusal("date_in_future", "admitted_on")
    tell = (NotificationSpec(NotificationKind.ADMITTED, Recipient.CONSULTANT),)
    if phase not in PAUSABLE:  # referred or already paused: recorded, the phase stays
        return Outcome(to_phase=phase, notify=tell)
    return Outcome(
        to_phase=Phase.PAUSED,
        updates={"paused_from": phase, "resume_date": None},
        cancel=rules.CANCELLED_BY_EVENT[Event.PAUSE],
        create=specs((rules.ADMISSION_OUTREACH,), now),
        notify=tell,
        paused_case=True,
    )


def discharge(
    facts: CaseFacts, admitted_on: date, discharged_on: date, now: datetime, *, paused_by_admission: bool
) -> Outcome | Refusal:
    if discharged_on > local_date(now):
        return Refusal("date_in_future", "discharged_on")
    if discharged_on < admitted_on:
        return Refusal("discharge_before_admission", "discharged_on")
    phase = Phase(facts.phase)
    create = specs((rules.DISCHARGE_CONTACT,), now) if phase not in ENDED else ()
    tell = (NotificationSpec(NotificationKind.DISCHARGED, Recipient.CONSULTANT),)
    if phase != Phase.PAUSED or not paused_by_admission:
        return Outcome(to_phase=phase, create=create, notify=tell)
    target = Phase(facts.paused_from) if facts.paused_from else Phase.ENGAGEMENT
    if target in (Phase.ENGAGEMENT, Phase.JOB_SEARCH) and facts.first_employer_contact_at is None:
        create += specs((rules.START_RULES[0],), now)  # rapid job search again, as a resume does
    return Outcome(
        to_phase=target,
        updates={"paused_from": None, "resume_date": None},
        cancel=frozenset({FollowUpKind.PAUSED_OUTREACH}),
        create=create,
        notify=tell,
    )


def change_terms(facts: CaseFacts, now: datetime, *, has_running_job: bool, changed: bool) -> Outcome | Refusal:
    """A running job's hours or pay changed: benefits counselling is offered again (a follow-up
    for the consultant) and the jobcenter is told, because the benefits change."""
    if not has_running_job or Phase(facts.phase) != Phase.EMPLOYED:
        return Refusal("no_running_job")
    if not changed:
        return Refusal("no_change", "hours_per_week")
    return Outcome(
        to_phase=Phase(facts.phase),
        create=specs((rules.BENEFITS_COUNSELLING,), now),
        notify=(NotificationSpec(NotificationKind.JOB_TERMS_CHANGED, Recipient.JOBCENTER_CASEWORKER),),
    )


__all__ = ["Outcome", "admit", "change_terms", "discharge"]

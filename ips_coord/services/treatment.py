"""Psychiatry in the course of treatment: admissions and discharges recorded by the clinician,
and the consultants' weekly treatment-team meetings. The rules are in
workflows/treatment.py; this module writes a decision in one transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..clock import local_today, utcnow
from ..extensions import db
from ..models import Admission, IpsCase, TreatmentTeamMeeting, User
from ..workflows.machine import Refusal
from ..workflows.phases import FollowUpStatus, HistoryEntry, Role
from ..workflows.treatment import Outcome, admit, discharge
from .case_state import facts_for
from .errors import N_, Conflict, NotFound, ServiceError, WorkflowRefused
from .records import add_case_event, add_follow_ups, add_notifications, close_follow_ups
from .unit_of_work import unit_of_work


def open_admission(case_id: int) -> Admission | None:
    return db.session.scalar(
        select(Admission)
        .where(Admission.case_id == case_id, Admission.discharged_on.is_(None))
        .order_by(Admission.admitted_on.desc(), Admission.id.desc())
        .limit(1)
    )


def _apply(case: IpsCase, outcome: Outcome, event: HistoryEntry, actor: User, event_date: date) -> None:
    now = utcnow()
    from_phase = case.phase
    case.phase = outcome.to_phase
    if outcome.to_phase != from_phase:
        case.phase_changed_at = now
    for key, value in outcome.updates.items():
        setattr(case, key, value)
    if outcome.cancel:
        close_follow_ups(case.id, outcome.cancel, FollowUpStatus.CANCELLED, now, actor)
    # The reason of an admission is health information: it stays on the admission row.
    row = add_case_event(case, event=event, actor=actor, now=now, from_phase=from_phase, to_phase=outcome.to_phase)
    add_follow_ups(case, outcome.create, now)
    add_notifications(
        case, outcome.notify, key=f"case{case.id}:ev{row.seq}", now=now, data={"event_date": event_date.isoformat()}
    )


def record_admission(
    case_id: int, actor: User, *, admitted_on: date, reason: str | None, locale: str = "da"
) -> Admission:
    now = utcnow()
    try:
        with unit_of_work():
            case = db.session.get(IpsCase, case_id)
            if case is None:
                raise NotFound(N_("No such case."))
            outcome = admit(facts_for(case), admitted_on, now, already_admitted=open_admission(case.id) is not None)
            if isinstance(outcome, Refusal):
                raise WorkflowRefused(outcome, locale)
            row = Admission(
                case_id=case.id,
                admitted_on=admitted_on,
                reason=(reason or "").strip() or None,
                paused_case=outcome.paused_case,
                recorded_by_id=actor.id,
                created_at=now,
            )
            db.session.add(row)
            _apply(case, outcome, HistoryEntry.ADMITTED, actor, admitted_on)
        return row
    except StaleDataError:
        raise Conflict(0) from None


def record_discharge(case_id: int, actor: User, *, discharged_on: date, locale: str = "da") -> Admission:
    now = utcnow()
    try:
        with unit_of_work():
            case = db.session.get(IpsCase, case_id)
            if case is None:
                raise NotFound(N_("No such case."))
            row = open_admission(case.id)
            if row is None:
                raise WorkflowRefused(Refusal("not_admitted"), locale)
            outcome = discharge(
                facts_for(case), row.admitted_on, discharged_on, now, paused_by_admission=row.paused_case
            )
            if isinstance(outcome, Refusal):
                raise WorkflowRefused(outcome, locale)
            row.discharged_on, row.discharged_by_id = discharged_on, actor.id
            _apply(case, outcome, HistoryEntry.DISCHARGED, actor, discharged_on)
        return row
    except StaleDataError:
        raise Conflict(0) from None


def record_team_meeting(
    consultant: User, *, held_on: date, attended: bool, clinicians_present: int, cases_discussed: int
) -> TreatmentTeamMeeting:
    """A consultant's meeting with the mental-health team, and who came (one a week is due)."""
    if consultant.role != Role.IPS_CONSULTANT:
        raise ServiceError(N_("Only an IPS consultant records treatment-team meetings."), "consultant")
    if held_on > local_today(utcnow()):
        raise ServiceError(N_("The date cannot be after today."), "held_on")
    if clinicians_present < 0 or cases_discussed < 0:
        raise ServiceError(N_("The value is out of range."), "clinicians_present")
    with unit_of_work():
        row = TreatmentTeamMeeting(
            consultant_id=consultant.id,
            held_on=held_on,
            consultant_attended=attended,
            clinicians_present=clinicians_present,
            cases_discussed=cases_discussed,
            created_at=utcnow(),
        )
        db.session.add(row)
    return row


__all__ = ["open_admission", "record_admission", "record_discharge", "record_team_meeting"]

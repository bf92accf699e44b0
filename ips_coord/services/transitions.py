"""Apply a workflow event to a stored case in one transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..clock import local_today, utcnow
from ..extensions import db
from ..models import Consent, IpsCase, Placement, User
from ..workflows import Decision, Event, Refusal, decide
from ..workflows.phases import (
    ConsentCategory,
    EndReason,
    FollowUpKind,
    FollowUpStatus,
    HistoryEntry,
    Party,
    PlacementType,
    Role,
)
from .case_state import current_placement, facts_for
from .errors import N_, Conflict, NotFound, ServiceError, WorkflowRefused
from .records import add_case_event, add_follow_ups, add_notifications, close_follow_ups
from .unit_of_work import unit_of_work


def _staff(user_id: int, role: Role, field: str) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role != role or not user.active:
        raise ServiceError(N_("No active %(role)s user with id %(id)s."), field, role=role, id=user_id)
    return user


def _prepare(case: IpsCase, event: str, payload: dict[str, Any]) -> None:
    """Payload facts that the workflow reads from the case (named contacts)."""
    if event in (Event.ENROL, Event.RE_ENTER):
        if payload.get("psychiatry_contact_id") is not None:
            case.psychiatry_contact_id = _staff(
                payload["psychiatry_contact_id"], Role.PSYCHIATRY, "psychiatry_contact_id"
            ).id
        if payload.get("jobcenter_caseworker_id") is not None:
            case.jobcenter_caseworker_id = _staff(
                payload["jobcenter_caseworker_id"], Role.JOBCENTER, "jobcenter_caseworker_id"
            ).id
        # The coordinating professional is chosen at enrolment: one of the case's professionals,
        # the consultant when none is named (changed later with a reason: services/coordination.py).
        chosen = payload.get("coordinating_professional_id")
        if chosen is not None:
            from .coordination import check_candidate

            case.coordinating_professional_id = check_candidate(case, chosen).id
        elif case.coordinating_professional_id is None:
            case.coordinating_professional_id = case.consultant_id


# The consents enrolment asks for: to the parties the workflow will notify (payload key -> to-party).
ENROLMENT_CONSENTS = {"consent_psychiatry": Party.PSYCHIATRY, "consent_jobcenter": Party.JOBCENTER}
ENROLMENT_CONSENT_PURPOSE = "IPS-forløbet: orientering om start, job, uddannelse og ophør"


def _enrolment_consents(
    case: IpsCase, event: str, payload: dict[str, Any], actor: User, now: datetime
) -> list[Consent]:
    """The citizen's consents given at enrolment, written before the notifications are decided
    (and flushed while the case row is still unchanged, so the case is written once)."""
    wanted = [party for key, party in ENROLMENT_CONSENTS.items() if payload.get(key) is True]
    if event not in (Event.ENROL, Event.RE_ENTER) or not wanted:
        return []
    if not (actor.role == Role.IPS_CONSULTANT and case.consultant_id == actor.id):
        raise ServiceError(N_("Only the consultant on the case records the citizen's consents."), "consent_psychiatry")
    rows = [
        Consent(
            case_id=case.id,
            from_party=Party.IPS_TEAM,
            to_party=party,
            categories=[ConsentCategory.EMPLOYMENT_PROGRESS],
            purpose=ENROLMENT_CONSENT_PURPOSE,
            given_at=local_today(now),
            expires_at=None,
            recorded_by_id=actor.id,
            created_at=now,
        )
        for party in wanted
    ]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _record_placement(case: IpsCase, decision: Decision, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    if decision.event in (Event.START_JOB, Event.START_EDUCATION):
        name = (payload.get("employer_name") or "").strip()
        if not name:
            raise ServiceError(N_("Name the employer or school."), "employer_name")
        placement = Placement(
            case_id=case.id,
            type=payload.get("placement_type")
            or (PlacementType.ORDINARY_JOB if decision.event is Event.START_JOB else PlacementType.EDUCATION),
            employer_name=name,
            job_title=payload.get("job_title"),
            hours_per_week=payload.get("hours_per_week"),
            start_date=payload.get("start_date") or local_today(now),
            benefits_counselling_offered=bool(payload.get("benefits_counselling_offered")),
            supports=payload.get("supports") or {},
            created_at=now,
        )
        if decision.event is Event.START_JOB:
            from .employers import link_placement_employer  # the employer register

            placement.employer_id = link_placement_employer(case, name, None, now)
        db.session.add(placement)
        db.session.flush()
        return {"placement_id": placement.id}
    if decision.event in (Event.END_JOB, Event.END_EDUCATION):
        ending = current_placement(case)
        if ending is not None:
            end = date.fromisoformat(decision.data["end_date"])
            if end < ending.start_date:
                raise ServiceError(N_("The end date is before the start date."), "end_date")
            ending.end_date = end
            ending.end_reason = EndReason(decision.reason) if decision.reason else None
            return {"placement_id": ending.id}
    return {}


# The joint meetings an email proposes a window for: the window ends when the meeting is due.
MEETINGS = (FollowUpKind.JOINT_START_MEETING, FollowUpKind.JOB_ENDING_REVIEW)


def _notice_facts(decision: Decision, payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """What an email about the event may say besides the reference: the date of the event, the
    end of the proposed meeting window and a job's hours. Never a reason, a note or a benefit."""
    when = decision.data.get("end_date") or payload.get("start_date") or local_today(now)
    facts: dict[str, Any] = {"event_date": str(when)}
    meeting = next((s.due_at for s in decision.create if s.kind in MEETINGS), None)
    if meeting is not None:
        facts["meeting_due"] = meeting.isoformat()
    if decision.event in (Event.START_JOB, Event.START_EDUCATION) and payload.get("hours_per_week"):
        facts["hours_per_week"] = payload["hours_per_week"]
    return facts


def apply_event(
    case_id: int,
    event: str,
    expected_version: int,
    payload: dict[str, Any] | None,
    actor: User,
    request_id: str | None = None,
    locale: str = "da",
) -> IpsCase:
    """Check the version, ask the workflow, write everything, commit - or change nothing."""
    payload = dict(payload or {})
    now = utcnow()
    try:
        # One UPDATE of the case row at commit: version goes up by exactly one.
        with db.session.no_autoflush, unit_of_work():
            case = db.session.get(IpsCase, case_id)
            if case is None:
                raise NotFound(N_("No such case."))
            if case.version != expected_version:
                raise Conflict(case.version)
            consents = _enrolment_consents(case, event, payload, actor, now)
            _prepare(case, event, payload)
            decision = decide(facts_for(case), event, payload, actor.role, now)
            if isinstance(decision, Refusal):
                raise WorkflowRefused(decision, locale)
            extra = _record_placement(case, decision, payload, now)
            from_phase = case.phase
            case.phase = decision.to_phase
            case.phase_changed_at = now
            for key, value in decision.updates.items():
                setattr(case, key, value)
            if decision.cancel:
                close_follow_ups(case.id, decision.cancel, FollowUpStatus.CANCELLED, now, actor)
            if decision.complete:
                close_follow_ups(case.id, decision.complete, FollowUpStatus.DONE, now, actor)
            row = add_case_event(
                case,
                event=decision.event,
                actor=actor,
                now=now,
                from_phase=from_phase,
                to_phase=decision.to_phase,
                reason=decision.reason,
                request_id=request_id,
                data={
                    **decision.data,
                    **extra,
                    **({"note": payload["note"]} if payload.get("note") else {}),
                    # Participation is voluntary: enrolment records the citizen's agreement when given.
                    **(
                        {"citizen_agreed": now.date().isoformat()}
                        if event == Event.ENROL and payload.get("citizen_agreed") is True
                        else {}
                    ),
                },
            )
            for code in decision.deviations:
                add_case_event(
                    case, event=HistoryEntry.DEVIATION, actor=actor, now=now, reason=code, request_id=request_id
                )
            for consent in consents:
                add_case_event(
                    case,
                    event=HistoryEntry.CONSENT_RECORDED,
                    actor=actor,
                    now=now,
                    data={"consent_id": consent.id},
                    request_id=request_id,
                )
            sent = add_notifications(
                case,
                decision.notify,
                key=f"case{case.id}:ev{row.seq}",
                now=now,
                data={"event": decision.event, **extra, **_notice_facts(decision, payload, now)},
            )
            # Psychiatry acknowledges only what it was told (under consent).
            awaiting_ack = any(n.requires_ack for n in sent)
            add_follow_ups(
                case,
                [s for s in decision.create if s.kind != FollowUpKind.PSYCHIATRY_ACK or awaiting_ack],
                now,
                data={"notification_key": f"case{case.id}:ev{row.seq}"},
            )
            # The commit at the end of the unit of work runs the UPDATE ... WHERE version = expected.
        return case
    except StaleDataError:  # rolled back by the unit of work
        current = db.session.scalar(select(IpsCase.version).where(IpsCase.id == case_id))
        raise Conflict(current or 0) from None

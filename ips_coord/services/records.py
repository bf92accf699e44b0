"""Small writers shared by every service: case events, follow-ups and outbox rows.

None of them commits; the calling service owns the transaction.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from ..clock import local_today
from ..extensions import db
from ..access.policy import consented, live_consents
from ..models import CaseEvent, FollowUp, IpsCase, Notification, User
from ..workflows import FollowUpSpec
from ..workflows.phases import ConsentCategory, FollowUpStatus, Party, Role


def add_case_event(
    case: IpsCase, *, event: str, actor: User | None, now: datetime, from_phase=None, to_phase=None,
    reason=None, data=None, request_id=None,
) -> CaseEvent:
    # event_count rides on the case row, so the version check makes the sequence gap-free.
    case.event_count += 1
    row = CaseEvent(
        case_id=case.id, seq=case.event_count, event=event, from_phase=from_phase, to_phase=to_phase,
        reason=reason, actor_id=actor.id if actor else None, request_id=request_id, data=data or {},
        created_at=now,
    )
    db.session.add(row)
    return row


def team_coordinators(case: IpsCase) -> list[int]:
    if case.ips_team_id is None:
        return []
    return list(
        db.session.scalars(
            select(User.id).where(User.role == Role.COORDINATOR, User.organisation_id == case.ips_team_id, User.active)
        )
    )


def recipients(case: IpsCase, who: str) -> list[int]:
    if who == "consultant":
        return [case.consultant_id] if case.consultant_id else []
    if who == "psychiatry_contact":
        return [case.psychiatry_contact_id] if case.psychiatry_contact_id else []
    if who == "jobcenter_caseworker":
        return [case.jobcenter_caseworker_id] if case.jobcenter_caseworker_id else []
    if who == "coordinator":
        return team_coordinators(case)
    raise ValueError(f"unknown recipient {who}")


def add_follow_ups(case: IpsCase, specs: tuple[FollowUpSpec, ...] | list[FollowUpSpec], now: datetime, data=None) -> None:
    for spec in specs:
        assignee = recipients(case, spec.assignee)
        db.session.add(
            FollowUp(
                case_id=case.id, kind=spec.kind, due_at=spec.due_at, remind_at=spec.remind_at,
                escalate_at=spec.escalate_at, assignee_id=assignee[0] if assignee else None,
                status=FollowUpStatus.OPEN, data=data or {}, created_at=now,
            )
        )


def open_follow_ups(case_id: int) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp).where(FollowUp.case_id == case_id, FollowUp.status == FollowUpStatus.OPEN)
            .order_by(FollowUp.due_at, FollowUp.id)
        )
    )


def close_follow_ups(case_id: int, kinds, status: str, now: datetime, actor: User | None = None) -> int:
    count = 0
    for fu in open_follow_ups(case_id):
        if fu.kind in kinds:
            fu.status = status
            fu.completed_at = now
            fu.completed_by_id = actor.id if actor else None
            count += 1
    return count


def consent_allows(case_id: int, from_party: str, to_party: str, category: str, today: date) -> bool:
    return category in consented(live_consents(case_id, today), from_party, to_party)


def add_notifications(case: IpsCase, specs, *, key: str, now: datetime, data=None) -> list[Notification]:
    """Outbox rows for the specs. `key` makes each row unique per cause (idempotent retries)."""
    rows = []
    for spec in specs:
        if spec.recipient == "psychiatry_contact" and not consent_allows(
            case.id, Party.IPS_TEAM, Party.PSYCHIATRY, ConsentCategory.EMPLOYMENT_PROGRESS, local_today(now)
        ):
            # Psychiatry hears of employment progress only under the citizen's consent.
            continue
        for recipient_id in recipients(case, spec.recipient):
            row = Notification(
                recipient_id=recipient_id, case_id=case.id, kind=spec.kind, status="pending",
                next_attempt_at=now, idempotency_key=f"{key}:{spec.kind}:{recipient_id}",
                requires_ack=spec.requires_ack, data={"reference": case.reference, **(data or {})}, created_at=now,
            )
            db.session.add(row)
            rows.append(row)
    return rows


__all__ = [
    "add_case_event", "add_follow_ups", "add_notifications", "close_follow_ups",
    "consent_allows", "open_follow_ups", "recipients",
]

"""Small writers shared by every service: case events, follow-ups and outbox rows.

None of them commits; the calling service owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..access.policy import consented, live_consents
from ..clock import local_today
from ..extensions import db
from ..models import CaseEvent, FollowUp, IpsCase, Notification, User
from ..workflows import FollowUpSpec, NotificationSpec
from ..workflows.phases import (
    ConsentCategory,
    FollowUpKind,
    FollowUpStatus,
    InboxKind,
    NotificationStatus,
    Party,
    Phase,
    Recipient,
    Role,
)
from .inbox import tell


def add_case_event(
    case: IpsCase,
    *,
    event: str,
    actor: User | None,
    now: datetime,
    from_phase: Phase | None = None,
    to_phase: Phase | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    request_id: str | None = None,
) -> CaseEvent:
    # event_count rides on the case row, so the version check makes the sequence gap-free.
    case.event_count += 1
    row = CaseEvent(
        case_id=case.id,
        seq=case.event_count,
        event=event,
        from_phase=from_phase,
        to_phase=to_phase,
        reason=reason,
        actor_id=actor.id if actor else None,
        request_id=request_id,
        data=data or {},
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


def recipients(case: IpsCase, who: Recipient) -> list[int]:
    """The staff ids a notification or follow-up for `who` on the case goes to."""
    if who == Recipient.COORDINATOR:
        return team_coordinators(case)
    named = {
        Recipient.CONSULTANT: case.consultant_id,
        Recipient.PSYCHIATRY_CONTACT: case.psychiatry_contact_id,
        Recipient.JOBCENTER_CASEWORKER: case.jobcenter_caseworker_id,
        Recipient.COORDINATING_PROFESSIONAL: case.coordinating_professional_id or case.consultant_id,
    }[who]
    return [named] if named else []


def add_follow_ups(
    case: IpsCase, specs: Iterable[FollowUpSpec], now: datetime, data: dict[str, Any] | None = None
) -> None:
    for spec in specs:
        assignee = recipients(case, spec.assignee)
        db.session.add(
            FollowUp(
                case_id=case.id,
                kind=spec.kind,
                due_at=spec.due_at,
                remind_at=spec.remind_at,
                escalate_at=spec.escalate_at,
                assignee_id=assignee[0] if assignee else None,
                status=FollowUpStatus.OPEN,
                data=data or {},
                created_at=now,
            )
        )


def open_follow_ups(case_id: int) -> list[FollowUp]:
    return list(
        db.session.scalars(
            select(FollowUp)
            .where(FollowUp.case_id == case_id, FollowUp.status == FollowUpStatus.OPEN)
            .order_by(FollowUp.due_at, FollowUp.id)
        )
    )


def close_follow_ups(
    case_id: int, kinds: Collection[FollowUpKind], status: FollowUpStatus, now: datetime, actor: User | None = None
) -> int:
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


def add_notifications(
    case: IpsCase, specs: Iterable[NotificationSpec], *, key: str, now: datetime, data: dict[str, Any] | None = None
) -> list[Notification]:
    """Outbox rows for the specs. `key` makes each row unique per cause (idempotent retries)."""
    rows = []
    for spec in specs:
        # Psychiatry hears of employment progress only under the citizen's consent. Without it the
        # row is kept as withheld, never silently dropped: the case page says so to the consultant,
        # the coordinator's overview counts it, and recording the consent releases it.
        withheld = spec.recipient == Recipient.PSYCHIATRY_CONTACT and not consent_allows(
            case.id, Party.IPS_TEAM, Party.PSYCHIATRY, ConsentCategory.EMPLOYMENT_PROGRESS, local_today(now)
        )
        for recipient_id in recipients(case, spec.recipient):
            row = Notification(
                recipient_id=recipient_id,
                case_id=case.id,
                kind=spec.kind,
                status=NotificationStatus.WITHHELD if withheld else NotificationStatus.PENDING,
                next_attempt_at=now,
                idempotency_key=f"{key}:{spec.kind}:{recipient_id}",
                requires_ack=spec.requires_ack,
                data={"reference": case.reference, **(data or {})},
                created_at=now,
            )
            db.session.add(row)
            if withheld:
                tell(
                    [case.consultant_id],
                    InboxKind.CONSENT_MISSING,
                    now,
                    case=case,
                    data={"notification_kind": spec.kind, "party": Party.PSYCHIATRY},
                )
                continue
            rows.append(row)
    return rows


# A withheld notification older than this is history when the consent comes: not sent late.
RELEASE_WITHIN = timedelta(days=14)


def release_withheld(case: IpsCase, now: datetime) -> int:
    """The consent to tell psychiatry has been recorded: the case's recent withheld notifications
    go out now; older ones are cancelled (their moment has passed; the case page kept them)."""
    released = 0
    for row in db.session.scalars(
        select(Notification).where(Notification.case_id == case.id, Notification.status == NotificationStatus.WITHHELD)
    ):
        if row.created_at >= now - RELEASE_WITHIN:
            row.status, row.next_attempt_at = NotificationStatus.PENDING, now
            released += 1
        else:
            row.status = NotificationStatus.CANCELLED
    return released


__all__ = [
    "add_case_event",
    "add_follow_ups",
    "add_notifications",
    "close_follow_ups",
    "consent_allows",
    "open_follow_ups",
    "recipients",
    "release_withheld",
]

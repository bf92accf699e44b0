"""What people do with notifications: psychiatry acknowledges one, a coordinator sends a
failed one again. (Claiming, sending and recording rows is the worker's, in notifications/.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm.exc import StaleDataError

from ..clock import utcnow
from ..extensions import db
from ..models import FollowUp, IpsCase, Notification, User
from ..workflows.phases import FollowUpKind, FollowUpStatus, HistoryEntry, InboxKind, NotificationStatus
from .errors import N_, NotFound
from .inbox import tell
from .records import add_case_event
from .unit_of_work import unit_of_work


def acknowledge(notification: Notification, attempts: int = 3) -> bool:
    """Record the acknowledgement once; False if it was already acknowledged.

    The case row may be written at the same moment by the sweep (an escalation), so a
    version conflict is retried with fresh data instead of failing the clinician's click.
    """
    for attempt in range(attempts):
        try:
            return _acknowledge(notification)
        except StaleDataError:
            db.session.expire_all()  # the unit of work has rolled back
            if attempt == attempts - 1:
                raise
    return False


def _acknowledge(notification: Notification) -> bool:
    if notification.acknowledged_at is not None:
        return False
    now = utcnow()
    with unit_of_work():
        notification.acknowledged_at = now
        notification.acknowledged_by_id = notification.recipient_id
        case = db.session.get(IpsCase, notification.case_id)
        if case is None:
            raise NotFound(N_("No such case."))
        open_acks = db.session.scalars(
            select(FollowUp).where(
                FollowUp.case_id == case.id,
                FollowUp.kind == FollowUpKind.PSYCHIATRY_ACK,
                FollowUp.status == FollowUpStatus.OPEN,
            )
        )
        for fu in open_acks:
            if notification.idempotency_key.startswith(fu.data.get("notification_key", "\0")):
                fu.status = FollowUpStatus.DONE
                fu.completed_at = now
                fu.completed_by_id = notification.recipient_id
        clinician = db.session.get(User, notification.recipient_id)
        add_case_event(
            case,
            event=HistoryEntry.ACKNOWLEDGED,
            actor=clinician,
            now=now,
            reason=notification.kind,
            data={"notification_id": notification.id},
        )
        tell(
            [case.consultant_id],
            InboxKind.ACKNOWLEDGED,
            now,
            case=case,
            data={"by": clinician.name if clinician else "", "notification_kind": notification.kind},
        )
    return True


def send_again(notification_id: int, now: datetime) -> str | None:
    """A failed row goes back to pending with a fresh count of attempts: the same row, so the
    same Message-ID. Returns None when it was re-queued, else the row's status (a row that is
    sent, or on its way, is left alone)."""
    with unit_of_work():
        result: CursorResult[Any] = db.session.execute(  # type: ignore[assignment]
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.status.in_([NotificationStatus.FAILED, NotificationStatus.UNCERTAIN]),
            )
            .values(
                status=NotificationStatus.PENDING,
                next_attempt_at=now,
                attempts=0,
                claimed_at=None,
                claim_token=None,
                maybe_delivered_at=None,
            )
        )
    if result.rowcount == 1:
        return None
    return db.session.scalar(select(Notification.status).where(Notification.id == notification_id))


__all__ = ["acknowledge", "send_again"]

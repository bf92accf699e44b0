"""Deliver one outbox row: claim it, send it, mark it. At-least-once, made sent-once by the
claim and the stable Message-ID."""
from __future__ import annotations

import logging
import random
import smtplib
from datetime import timedelta

from flask import current_app
from sqlalchemy import text, update

from ..clock import utcnow
from ..extensions import db
from ..models import Notification, User
from ..workflows.phases import NotificationStatus
from .email import build_message, send

log = logging.getLogger(__name__)


def _claim(notification_id: int) -> bool:
    now = utcnow()
    result = db.session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.status == NotificationStatus.QUEUED)
        .values(status=NotificationStatus.SENDING, claimed_at=now, attempts=Notification.attempts + 1)
    )
    db.session.commit()
    return result.rowcount == 1


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, so a recovering mail server is not hit by every row at once."""
    base = current_app.config["NOTIFY_BACKOFF_SECONDS"]
    return timedelta(seconds=base * 2 ** (attempts - 1) * random.uniform(0.5, 1.5))


def deliver(notification_id: int) -> str:
    """Returns what happened: sent / skipped / retry / failed."""
    if not _claim(notification_id):
        return "skipped"  # another worker has it, or it is already sent
    row = db.session.get(Notification, notification_id)
    recipient = db.session.get(User, row.recipient_id)
    try:
        if recipient is None or not recipient.active:
            raise LookupError("recipient missing or inactive")
        message = build_message(row, recipient)

        def handed_over():
            # Recorded before the final ".": after this the row counts as delivered. The commit
            # skips the WAL flush wait (it is still durable unless the database itself crashes)
            # to keep the moment between this commit and the "." as short as possible.
            if db.session.get_bind().dialect.name == "postgresql":
                db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
            row.status = NotificationStatus.UNCONFIRMED
            db.session.commit()

        send(message, handed_over)
    except (OSError, smtplib.SMTPException, LookupError) as exc:
        db.session.rollback()
        now = utcnow()
        error = f"{type(exc).__name__}: {exc}"[:500]
        if row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"] or isinstance(exc, LookupError):
            row.status = NotificationStatus.FAILED
            log.error("notification %s failed for good after %s attempts: %s", row.id, row.attempts, type(exc).__name__)
        else:
            row.status = NotificationStatus.PENDING
            row.next_attempt_at = now + backoff(row.attempts)
            log.warning("notification %s attempt %s failed (%s); retry at %s", row.id, row.attempts,
                        type(exc).__name__, row.next_attempt_at.isoformat())
        row.last_error = error
        row.claimed_at = None
        db.session.commit()
        return "failed" if row.status == NotificationStatus.FAILED else "retry"
    row.status = NotificationStatus.SENT
    row.sent_at = utcnow()
    row.last_error = None
    db.session.commit()
    log.info("notification %s sent (%s)", row.id, row.kind)
    return "sent"

"""Deliver outbox rows: claim each, send it, mark it. At-least-once, made sent-once by the
claim, the hand-over mark and the stable Message-ID.

The row moves queued -> sending (claimed) -> unconfirmed (the server holds the whole message;
recorded just before the final ".") -> sent. From "unconfirmed" on the row counts as
delivered and is never sent again, so the last step is bookkeeping: it is written once for a
whole chunk of rows.
"""
from __future__ import annotations

import logging
import random
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import bindparam, select, text, update

from ..clock import utcnow
from ..extensions import db
from ..models import Notification, User
from ..workflows.phases import NotificationStatus
from .email import build_message, send

log = logging.getLogger(__name__)
N = Notification.__table__
U = User.__table__


def _no_flush_wait() -> None:
    """The next commit does not wait for the WAL flush: still durable unless the database
    server itself crashes. Used where speed narrows a window or the row already counts as sent."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _claim(notification_id: int) -> tuple[Notification, User] | None:
    """Take the row (queued -> sending) and read its recipient, in one statement on
    PostgreSQL. The rows come back as transient objects, outside the session, so no later
    commit reloads them."""
    claim = (update(N).where(N.c.id == notification_id, N.c.status == NotificationStatus.QUEUED)
             .values(status=NotificationStatus.SENDING, claimed_at=utcnow(), attempts=N.c.attempts + 1))
    if db.session.get_bind().dialect.name == "postgresql":
        row = db.session.execute(claim.where(U.c.id == N.c.recipient_id).returning(
            *N.c, *(c.label(f"user_{c.name}") for c in U.c))).mappings().first()
        user = {c.name: row[f"user_{c.name}"] for c in U.c} if row else None
    else:  # SQLite's RETURNING sees only the updated table
        row = db.session.execute(claim.returning(*N.c)).mappings().first()
        user = db.session.execute(select(U).where(U.c.id == row["recipient_id"])).mappings().one() if row else None
    db.session.commit()
    if row is None:
        return None  # another worker has it, or it is already sent
    return Notification(**{c.name: row[c.name] for c in N.c}), User(**dict(user))


def _set(notification_id: int, fast: bool = False, **values) -> None:
    if fast:
        _no_flush_wait()
    db.session.execute(update(N).where(N.c.id == notification_id).values(**values))
    db.session.commit()


def _mark_sent(sent: list[tuple[int, datetime]]) -> None:
    if not sent:
        return
    db.session.rollback()  # in case an unexpected error left a transaction open
    _no_flush_wait()
    db.session.execute(
        update(N).where(N.c.id == bindparam("nid"), N.c.status == NotificationStatus.UNCONFIRMED)
        .values(status=NotificationStatus.SENT, sent_at=bindparam("at"), last_error=None),
        [{"nid": nid, "at": at} for nid, at in sent])
    db.session.commit()


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, so a recovering mail server is not hit by every row at once."""
    base = current_app.config["NOTIFY_BACKOFF_SECONDS"]
    return timedelta(seconds=base * 2 ** (attempts - 1) * random.uniform(0.5, 1.5))


def _deliver_one(notification_id: int) -> str:
    claimed = _claim(notification_id)
    if claimed is None:
        return "skipped"
    row, recipient = claimed
    try:
        if not recipient.active:
            raise LookupError("recipient inactive")
        message = build_message(row, recipient)
        # Recorded before the final ".": after this the row counts as delivered. The commit is
        # fast so the moment between it and the "." stays as short as possible.
        send(message, lambda: _set(row.id, fast=True, status=NotificationStatus.UNCONFIRMED))
    except (OSError, smtplib.SMTPException, LookupError) as exc:
        db.session.rollback()
        error = f"{type(exc).__name__}: {exc}"[:500]
        if row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"] or isinstance(exc, LookupError):
            _set(row.id, status=NotificationStatus.FAILED, last_error=error, claimed_at=None)
            log.error("notification %s failed for good after %s attempts: %s", row.id, row.attempts, type(exc).__name__)
            return "failed"
        retry_at = utcnow() + backoff(row.attempts)
        _set(row.id, status=NotificationStatus.PENDING, next_attempt_at=retry_at, last_error=error, claimed_at=None)
        log.warning("notification %s attempt %s failed (%s); retry at %s", row.id, row.attempts,
                    type(exc).__name__, retry_at.isoformat())
        return "retry"
    log.info("notification %s sent (%s)", row.id, row.kind)
    return "sent"


def deliver_many(notification_ids: list[int]) -> list[str]:
    """What happened to each: sent / skipped / retry / failed."""
    outcomes: list[str] = []
    sent: list[tuple[int, datetime]] = []
    try:
        for nid in notification_ids:
            outcomes.append(_deliver_one(nid))
            if outcomes[-1] == "sent":
                sent.append((nid, utcnow()))
    finally:
        _mark_sent(sent)  # a stopped worker's unconfirmed rows are marked by the sweep instead
    return outcomes


def deliver(notification_id: int) -> str:
    return deliver_many([notification_id])[0]

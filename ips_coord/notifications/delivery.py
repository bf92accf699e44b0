"""Deliver outbox rows at least once: claim each, send it, record it.

A row moves pending -> queued (the sweep's claim) -> sending (a worker's claim) -> sent, or
back to pending (a retry, with backoff) or to failed (after the last attempt). Every claim is a
lease: it writes `claimed_at` and a fresh owner token, and every later write by its owner says
`WHERE claim_token = :token`. When a lease has run for CLAIM_TIMEOUT_SECONDS the sweep gives
the row to someone else, and from then on the old owner cannot write anything: whatever it
learnt, the new owner's result stands. Configuration refuses a claim timeout shorter than the
longest SMTP send, and `email.send` never sends the final "." unless the wait for its reply
still fits in the lease, so a lease runs out under a live send only if the worker stalls.

A row is recorded `sent` only after the server's 250 to the final "." of its DATA, and before
the worker claims its next row. A worker that dies anywhere leaves its row queued or sending;
when the lease ends the row is sent again, with the same Message-ID. A server discards a
message whose "." never came, so a duplicate needs a worker that dies after the "." and before
recording the 250: at most one message per worker process that dies (its one row in flight).
Both commits skip the wait for the WAL flush: only a crash of the database server itself can
lose the last fraction of a second of them, and that too ends in a resend, never a loss.
"""
from __future__ import annotations

import logging
import random
import smtplib
import time
import uuid
from datetime import timedelta
from email.message import Message
from enum import StrEnum
from typing import Any, cast

from flask import current_app
from sqlalchemy import RowMapping, Table, select, text, update

from ..clock import utcnow
from ..extensions import affected_rows, db
from ..models import Notification, User
from ..workflows.phases import SECRET_NOTIFICATION_KINDS, NotificationStatus
from .email import build_message, send
from .failpoints import failpoint
from .secret_mail import SecretUnavailable, build_secret_message, expired, scrubbed

log = logging.getLogger(__name__)
# The tables themselves: a claim reads and writes plain rows, outside the session.
OUTBOX = cast(Table, Notification.__table__)
USERS = cast(Table, User.__table__)


class Outcome(StrEnum):
    """What one delivery attempt came to."""

    SENT = "sent"
    SKIPPED = "skipped"  # another worker has the row, or it is already sent
    RETRY = "retry"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # the claim ran out and another worker owns the row now


def _no_flush_wait() -> None:
    """The next commit does not wait for the WAL flush (see the module docstring)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def _claim(notification_id: int, token: str) -> tuple[Notification, User | None] | None:
    """Take the row (queued -> sending, under `token`) and read its recipient, in one
    statement on PostgreSQL. The rows come back as transient objects, outside the session,
    so no later commit reloads them. A row to a bare address (the citizen's sign-in mail)
    has no recipient: None."""
    _no_flush_wait()
    claim = (update(OUTBOX).where(OUTBOX.c.id == notification_id, OUTBOX.c.status == NotificationStatus.QUEUED)
             .values(status=NotificationStatus.SENDING, claimed_at=utcnow(), claim_token=token,
                     attempts=OUTBOX.c.attempts + 1))
    user: dict[str, Any] | RowMapping | None = None
    if db.session.get_bind().dialect.name == "postgresql":
        # The recipient through an outer join, so a row without one is claimed too.
        mine = OUTBOX.alias("mine")
        src = (select(mine.c.id.label("claimed_id"), *(c.label(f"user_{c.name}") for c in USERS.c))
               .select_from(mine.outerjoin(USERS, USERS.c.id == mine.c.recipient_id))
               .where(mine.c.id == notification_id).subquery("src"))
        row = db.session.execute(claim.where(OUTBOX.c.id == src.c.claimed_id).returning(
            *OUTBOX.c, *(src.c[f"user_{c.name}"] for c in USERS.c))).mappings().first()
        if row is not None and row["user_id"] is not None:
            user = {c.name: row[f"user_{c.name}"] for c in USERS.c}
    else:  # SQLite's RETURNING sees only the updated table
        row = db.session.execute(claim.returning(*OUTBOX.c)).mappings().first()
        if row is not None and row["recipient_id"] is not None:
            user = db.session.execute(select(USERS).where(USERS.c.id == row["recipient_id"])).mappings().one()
    db.session.commit()
    if row is None:
        return None  # another worker has it, or it is already sent
    return Notification(**{c.name: row[c.name] for c in OUTBOX.c}), User(**dict(user)) if user else None


def _message(row: Notification, recipient: User | None) -> Message:
    """The e-mail for a claimed row; LookupError if it must not be sent (never retried)."""
    if row.recipient_id is not None and (recipient is None or not recipient.active):
        raise LookupError("recipient inactive")
    if row.kind in SECRET_NOTIFICATION_KINDS:
        if expired(row, utcnow()):
            raise SecretUnavailable("expired before it could be sent")
        return build_secret_message(row, recipient)
    assert recipient is not None  # only the secret kinds go to a bare address
    return build_message(row, recipient)


def _record(notification_id: int, token: str, **values: Any) -> bool:
    """Write the outcome of this claim, if it is still this worker's; False if not."""
    db.session.rollback()  # in case an error left a transaction open
    _no_flush_wait()
    result = db.session.execute(update(OUTBOX).where(
        OUTBOX.c.id == notification_id, OUTBOX.c.claim_token == token, OUTBOX.c.status == NotificationStatus.SENDING)
        .values(**values))
    db.session.commit()
    return affected_rows(result) == 1


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, so a recovering mail server is not hit by every row at once."""
    base = current_app.config["NOTIFY_BACKOFF_SECONDS"]
    return timedelta(seconds=base * 2 ** (attempts - 1) * random.uniform(0.5, 1.5))


def _deliver_one(notification_id: int) -> Outcome:
    token = uuid.uuid4().hex
    # Taken before the claim's claimed_at, so this end is never later than the sweep's.
    claim_ends = time.monotonic() + current_app.config["CLAIM_TIMEOUT_SECONDS"]
    claimed = _claim(notification_id, token)
    if claimed is None:
        return Outcome.SKIPPED
    failpoint("delivery.after_claim")
    row, recipient = claimed
    # A sent or failed row keeps no secret (see ips_coord/sealed.py).
    scrub = {"data": scrubbed(row)} if row.kind in SECRET_NOTIFICATION_KINDS else {}
    try:
        send(_message(row, recipient), claim_ends)
    except (OSError, smtplib.SMTPException, LookupError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        if row.attempts >= current_app.config["NOTIFY_MAX_ATTEMPTS"] or isinstance(exc, LookupError):
            outcome = Outcome.FAILED
            values: dict[str, Any] = {"status": NotificationStatus.FAILED, "last_error": error, **scrub}
            retry_note = "no more attempts"
        else:
            retry_at = utcnow() + backoff(row.attempts)
            outcome = Outcome.RETRY
            values = {"status": NotificationStatus.PENDING, "next_attempt_at": retry_at,
                      "last_error": error, "claimed_at": None, "claim_token": None}
            retry_note = f"retry at {retry_at.isoformat()}"
        if not _record(row.id, token, **values):
            log.warning("notification %s: attempt failed (%s) after its claim passed to another worker; "
                        "that worker's result stands", row.id, type(exc).__name__)
            return Outcome.SUPERSEDED
        log.log(logging.ERROR if outcome is Outcome.FAILED else logging.WARNING,
                "notification %s attempt %s failed (%s): %s", row.id, row.attempts, type(exc).__name__, retry_note)
        return outcome
    failpoint("delivery.after_data_end")
    if not _record(row.id, token, status=NotificationStatus.SENT, sent_at=utcnow(), last_error=None, **scrub):
        log.warning("notification %s: sent, but its claim had passed to another worker; that worker's "
                    "result stands", row.id)
        return Outcome.SUPERSEDED
    log.info("notification %s sent (%s)", row.id, row.kind)
    return Outcome.SENT


def deliver_many(notification_ids: list[int]) -> list[Outcome]:
    """What happened to each: sent / skipped / retry / failed / superseded (the claim ran
    out and another worker owns the row now)."""
    return [_deliver_one(nid) for nid in notification_ids]


def deliver(notification_id: int) -> Outcome:
    return _deliver_one(notification_id)

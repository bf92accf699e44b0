"""Deliver e-mails at least once: the outbox engine's lease on each row (claim, record, retry
with backoff: ips_coord/services/outbox.py), with SMTP or the mailbox folder as the transport.

A row moves pending -> queued (the sweep's claim) -> sending (a worker's lease) -> sent, or
back to pending (a retry, with backoff) or to failed (after the last attempt). When a lease has
run for CLAIM_TIMEOUT_SECONDS the sweep gives the row to someone else, and from then on the old
owner cannot write anything: whatever it learnt, the new owner's result stands. Configuration
refuses a claim timeout shorter than the longest SMTP send, and `email.send` never sends the
final "." unless the wait for its reply still fits in the lease, so a lease runs out under a
live send only if the worker stalls.

A row is recorded `sent` only after the server's 250 to the final "." of its DATA, and before
the worker claims its next row. A worker that dies anywhere leaves its row queued or sending;
when the lease ends the row is sent again, with the same Message-ID. A server discards a
message whose "." never came, so a duplicate needs a worker that dies after the "." and before
recording the 250: at most one message per worker process that dies (its one row in flight).
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from datetime import datetime, timedelta
from email.message import Message
from enum import StrEnum
from typing import Any, cast

from flask import current_app
from sqlalchemy import RowMapping, Table, select

from ..clock import utcnow
from ..extensions import db
from ..models import Notification, User
from ..services import outbox
from ..workflows.phases import SECRET_NOTIFICATION_KINDS, NotificationStatus
from .email import build_message, send
from .failpoints import failpoint
from .texts import SecretUnavailable

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
    MAYBE = "maybe"  # the answer came too late: maybe delivered, tried once more after a pause
    UNCERTAIN = "uncertain"  # maybe delivered, and no answer in time again: not sent again


def _claim(notification_id: int, token: str) -> tuple[Notification, User | None] | None:
    """The engine's lease on the row (queued -> sending, under `token`), and its recipient read
    in the same transaction. The rows come back as transient objects, outside the session, so no
    later commit reloads them. A row to a bare address (the citizen's sign-in mail) has no
    recipient: None."""

    def recipient(row: RowMapping) -> RowMapping | None:
        if row["recipient_id"] is None:
            return None
        return db.session.execute(select(USERS).where(USERS.c.id == row["recipient_id"])).mappings().one()

    taken = outbox.take(outbox.EMAIL, notification_id, token, utcnow(), read=recipient)
    if taken is None:
        return None  # another worker has it, or it is already sent
    row, user = taken
    return Notification(**{c.name: row[c.name] for c in OUTBOX.c}), User(**dict(user)) if user else None


def expired(row: Notification, now: datetime) -> bool:
    """A secret's row whose code or link no longer works: not worth sending."""
    at = (row.data or {}).get("expires_at")
    return isinstance(at, str) and datetime.fromisoformat(at) <= now


def scrubbed(row: Notification) -> dict[str, Any]:
    """The row's data without its secret (written when the row is sent or fails)."""
    return {k: v for k, v in (row.data or {}).items() if k != "sealed"}


def _message(row: Notification, recipient: User | None) -> Message:
    """The e-mail for a claimed row; LookupError if it must not be sent (never retried)."""
    if row.recipient_id is not None and (recipient is None or not recipient.active):
        raise LookupError("recipient inactive")
    if row.kind in SECRET_NOTIFICATION_KINDS and expired(row, utcnow()):
        raise SecretUnavailable("expired before it could be sent")
    return build_message(row, recipient)


def _record(notification_id: int, token: str, **values: Any) -> bool:
    """Write the outcome of this claim, if it is still this worker's; False if not."""
    return outbox.record(outbox.EMAIL, notification_id, token, **values)


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter, so a recovering mail server is not hit by every row at once."""
    return outbox.backoff(outbox.EMAIL, attempts)


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
    except outbox.MaybeDelivered as exc:
        final, maybe = outbox.maybe_values(row, utcnow(), str(exc))
        if not _record(row.id, token, **maybe, **(scrub if final else {})):
            log.warning("notification %s: maybe delivered after its claim passed to another worker", row.id)
            return Outcome.SUPERSEDED
        log.warning(
            "notification %s attempt %s: maybe delivered (%s)",
            row.id,
            row.attempts,
            "recorded as uncertain" if final else "one more attempt after a pause",
        )
        return Outcome.UNCERTAIN if final else Outcome.MAYBE
    except (OSError, smtplib.SMTPException, LookupError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        if outbox.last_attempt(outbox.EMAIL, row.attempts) or isinstance(exc, LookupError):
            status = outbox.failed_status(row)
            outcome = Outcome.FAILED if status == NotificationStatus.FAILED else Outcome.UNCERTAIN
            values: dict[str, Any] = {"status": status, "last_error": error, **scrub}
            retry_note = "no more attempts"
        else:
            outcome = Outcome.RETRY
            values = {**outbox.retry_values(outbox.EMAIL, row.attempts, utcnow()), "last_error": error}
            retry_note = f"retry at {values['next_attempt_at'].isoformat()}"
        if not _record(row.id, token, **values):
            log.warning(
                "notification %s: attempt failed (%s) after its claim passed to another worker; "
                "that worker's result stands",
                row.id,
                type(exc).__name__,
            )
            return Outcome.SUPERSEDED
        log.log(
            logging.ERROR if outcome is Outcome.FAILED else logging.WARNING,
            "notification %s attempt %s failed (%s): %s",
            row.id,
            row.attempts,
            type(exc).__name__,
            retry_note,
        )
        return outcome
    failpoint("delivery.after_data_end")
    if not _record(row.id, token, status=NotificationStatus.SENT, sent_at=utcnow(), last_error=None, **scrub):
        log.warning(
            "notification %s: sent, but its claim had passed to another worker; that worker's result stands", row.id
        )
        return Outcome.SUPERSEDED
    log.info("notification %s sent (%s)", row.id, row.kind)
    return Outcome.SENT


def deliver_many(notification_ids: list[int]) -> list[Outcome]:
    """What happened to each: sent / skipped / retry / failed / superseded (the claim ran
    out and another worker owns the row now) / maybe (the answer came too late: once more after a
    pause) / uncertain (maybe delivered, for good)."""
    return [_deliver_one(nid) for nid in notification_ids]


def deliver(notification_id: int) -> Outcome:
    return _deliver_one(notification_id)

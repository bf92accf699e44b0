"""The outbox engine: one set of moves for every channel's rows (e-mail, webhooks).

A row moves pending -> queued (the sweep's claim of due rows) -> sending (a worker's lease) ->
sent (handed over to the mail server or the receiver: one word for every channel), back to
pending (a retry, with backoff), or to failed after the last attempt. Every claim writes
`claimed_at` and a fresh owner token, and every later write by its owner says `WHERE claim_token
= :token`: when a lease has run for CLAIM_TIMEOUT_SECONDS, `requeue_stale` gives the row to
someone else and the old owner can write nothing any more.

The sweep's claim is the one place that locks rows with FOR UPDATE SKIP LOCKED (`skip_locked`),
so two sweeps running by mistake split the work instead of doubling it; on SQLite, whose writers
are serialised, a conditional UPDATE is the claim. Nothing is handed to the broker inside a
transaction: the callers enqueue the claimed ids after the claim committed.

What a channel sends, and how (SMTP or the mailbox folder for e-mail, HTTP through the egress
guard for webhooks), is the transport's business: ips_coord/notifications/delivery.py and
ips_coord/notifications/webhook_delivery.py. Both commits of a lease skip the wait for the WAL flush:
only a crash of the database server itself can lose the last fraction of a second of them, and
that too ends in a resend, never a loss.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from flask import current_app
from sqlalchemy import RowMapping, Select, Table, select, text, update

from ..extensions import affected_rows, db
from ..models import Notification, WebhookDelivery
from ..workflows.phases import NotificationStatus, WebhookStatus

S = TypeVar("S", bound=Select[Any])


@dataclass(frozen=True)
class Channel:
    """One outbox table and its pace (the names of its settings)."""

    name: str
    table: Table
    max_attempts: str
    backoff_seconds: str
    # Backoff doubles per attempt, at most this many times.
    max_doublings: int = 16


EMAIL = Channel("e-mail", cast(Table, Notification.__table__), "NOTIFY_MAX_ATTEMPTS", "NOTIFY_BACKOFF_SECONDS")
WEBHOOK = Channel("webhook", cast(Table, WebhookDelivery.__table__), "WEBHOOK_MAX_ATTEMPTS", "WEBHOOK_BACKOFF_SECONDS")
# The states of a lease have the same values in every channel.
PENDING, QUEUED, SENDING = (
    NotificationStatus.PENDING.value,
    NotificationStatus.QUEUED.value,
    NotificationStatus.SENDING.value,
)
FAILED, UNCERTAIN = NotificationStatus.FAILED.value, NotificationStatus.UNCERTAIN.value
if (PENDING, QUEUED, SENDING, FAILED, UNCERTAIN) != (
    WebhookStatus.PENDING.value,
    WebhookStatus.QUEUED.value,
    WebhookStatus.SENDING.value,
    WebhookStatus.FAILED.value,
    WebhookStatus.UNCERTAIN.value,
):
    raise RuntimeError("the lease states of e-mail and webhooks differ")


def skip_locked(stmt: S) -> S:
    """FOR UPDATE SKIP LOCKED on PostgreSQL: the rows another transaction holds are left to it.
    The one place in the code base that takes such locks (tests/unit/test_architecture.py)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def no_flush_wait() -> None:
    """The next commit does not wait for the WAL flush (see the module docstring)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def requeue_stale(channel: Channel, now: datetime) -> int:
    """End the leases older than CLAIM_TIMEOUT_SECONDS (their worker stopped, or the broker lost
    their task): the rows go back to pending and are sent again (the same Message-ID or
    webhook-id). The old owner's token no longer matches, so it cannot write to them after."""
    t = channel.table
    cutoff = now - timedelta(seconds=current_app.config["CLAIM_TIMEOUT_SECONDS"])
    result = db.session.execute(
        update(t)
        .where(t.c.status.in_([QUEUED, SENDING]), t.c.claimed_at < cutoff)
        .values(status=PENDING, claimed_at=None, claim_token=None)
    )
    db.session.commit()
    return affected_rows(result)


class Claimed(list[int]):
    """The ids of one claim of due rows (a list), and the claim's token."""

    def __init__(self, ids: list[int], token: str):
        super().__init__(ids)
        self.token = token


def claim_due(channel: Channel, now: datetime, limit: int) -> Claimed:
    """Mark due pending rows queued under a new token and return their ids (committed)."""
    t = channel.table
    token = uuid.uuid4().hex
    due = (
        select(t.c.id)
        .where(t.c.status == PENDING, t.c.next_attempt_at <= now)
        .order_by(t.c.next_attempt_at, t.c.id)
        .limit(limit)
    )
    claim = {"status": QUEUED, "claimed_at": now, "claim_token": token}
    if db.session.get_bind().dialect.name == "postgresql":
        ids = list(db.session.scalars(skip_locked(due)))
        if ids:
            db.session.execute(update(t).where(t.c.id.in_(ids)).values(**claim))
    else:  # SQLite serialises writers: a conditional UPDATE is the claim
        ids = list(
            db.session.scalars(
                update(t)
                .where(t.c.id.in_(due.scalar_subquery()), t.c.status == PENDING)
                .values(**claim)
                .returning(t.c.id)
            )
        )
    db.session.commit()
    return Claimed(ids, token)


def release(channel: Channel, claimed: Claimed) -> None:
    """The broker refused: give the rows back at once instead of waiting for the timeout."""
    t = channel.table
    db.session.execute(
        update(t)
        .where(t.c.id.in_(list(claimed)), t.c.claim_token == claimed.token, t.c.status == QUEUED)
        .values(status=PENDING, claimed_at=None, claim_token=None)
    )
    db.session.commit()


R = TypeVar("R")


def take(
    channel: Channel, row_id: int, token: str, now: datetime, read: Callable[[RowMapping], R] | None = None
) -> tuple[RowMapping, R | None] | None:
    """A worker's lease: queued -> sending under `token`, one more attempt. Returns the row (and
    what `read` found with it, in the same transaction), or None if another worker has it or it
    is done."""
    t = channel.table
    no_flush_wait()
    row = (
        db.session.execute(
            update(t)
            .where(t.c.id == row_id, t.c.status == QUEUED)
            .values(status=SENDING, claimed_at=now, claim_token=token, attempts=t.c.attempts + 1)
            .returning(*t.c)
        )
        .mappings()
        .first()
    )
    extra = read(row) if row is not None and read is not None else None
    db.session.commit()
    if row is None:
        return None
    return row, extra


def record(channel: Channel, row_id: int, token: str, **values: Any) -> bool:
    """Write the outcome of this lease, if it is still this worker's; False if not."""
    t = channel.table
    db.session.rollback()  # in case an error left a transaction open
    no_flush_wait()
    result = db.session.execute(
        update(t).where(t.c.id == row_id, t.c.claim_token == token, t.c.status == SENDING).values(**values)
    )
    db.session.commit()
    return affected_rows(result) == 1


def backoff(channel: Channel, attempts: int) -> timedelta:
    """Exponential with jitter, so a recovering receiver is not hit by every row at once."""
    base = current_app.config[channel.backoff_seconds]
    jitter = random.uniform(0.5, 1.5)  # noqa: S311 - spreads retries, guards nothing
    return timedelta(seconds=base * 2 ** min(attempts - 1, channel.max_doublings) * jitter)


def last_attempt(channel: Channel, attempts: int) -> bool:
    return bool(attempts >= current_app.config[channel.max_attempts])


class MaybeDelivered(Exception):
    """The transport sent everything and the receiver's answer did not come in time: it may have
    stored the message (an SMTP server after the final ".", a webhook receiver)."""


def maybe_values(row: RowMapping | Any, now: datetime, error: str) -> tuple[bool, dict[str, Any]]:
    """The "maybe delivered" outcome: the first time, one more attempt after a long pause
    (MAYBE_DELIVERED_RETRY_SECONDS, so a slow receiver is not sent copy after copy); the second
    time the row is uncertain for good. (final, values to record)."""
    error = f"maybe delivered: {error}"[:500]
    if _value(row, "maybe_delivered_at") is None:
        pause = timedelta(seconds=current_app.config["MAYBE_DELIVERED_RETRY_SECONDS"])
        return False, {
            "status": PENDING,
            "next_attempt_at": now + pause,
            "maybe_delivered_at": now,
            "last_error": error,
            "claimed_at": None,
            "claim_token": None,
        }
    return True, {"status": UNCERTAIN, "last_error": error}


def failed_status(row: RowMapping | Any) -> str:
    """The end of a row that ran out of attempts: failed, or uncertain if an earlier attempt may
    have been delivered (it must never be reported as failed)."""
    return UNCERTAIN if _value(row, "maybe_delivered_at") is not None else FAILED


def _value(row: RowMapping | Any, name: str) -> Any:
    return row[name] if isinstance(row, RowMapping) else getattr(row, name)


def retry_values(channel: Channel, attempts: int, now: datetime) -> dict[str, Any]:
    """What a failed attempt that will be tried again writes: back to pending after its backoff."""
    return {
        "status": PENDING,
        "next_attempt_at": now + backoff(channel, attempts),
        "claimed_at": None,
        "claim_token": None,
    }


__all__ = [
    "EMAIL",
    "WEBHOOK",
    "Channel",
    "Claimed",
    "backoff",
    "claim_due",
    "last_attempt",
    "no_flush_wait",
    "record",
    "release",
    "requeue_stale",
    "retry_values",
    "skip_locked",
    "take",
]

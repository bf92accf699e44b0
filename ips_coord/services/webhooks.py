"""The webhook outbox: fanning changes out to endpoints, and the delivery rows' claims.

Fan-out reads the change log from each endpoint's cursor through the access policy, as the
endpoint's integration account (what its organisation may see today, under today's consents),
and writes one delivery row per change it may be told of, moving the cursor in the same
transaction. The cursor moves only if it still stands where this fan-out read it, and a
delivery is unique per (endpoint, change): two sweeps running by mistake cannot double a row.

The delivery rows then move through the outbox engine like e-mails (services/outbox.py):
pending -> queued (the sweep's claim) -> sending (the worker's lease, with an owner token that
every later write checks) -> sent / pending again / failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from ..access.audit import audit_pairs
from ..access.feed import FeedItem, read_changes
from ..extensions import affected_rows, db
from ..models import ApiToken, User, WebhookDelivery, WebhookEndpoint
from ..workflows.phases import HistoryEntry, ServiceScope, WebhookStatus
from . import outbox

FAN_OUT_PAGES = 10  # pages of changes per endpoint per sweep; the next sweep goes on
# Events whose very name tells of treatment: a webhook names them as a neutral change.
TREATMENT_EVENTS = frozenset({HistoryEntry.ADMITTED, HistoryEntry.DISCHARGED})


def payload(item: FeedItem) -> dict[str, Any]:
    """References only: the case id and number, what kind of record changed, the feed cursor.
    A case event's name is the one this reader may see (event_view); never its data or reason."""
    data: dict[str, Any] = {
        "cursor": str(item.cursor),
        "case_id": item.case_id,
        "case_reference": item.case_reference,
        "kind": item.kind.value,
        "action": item.action.value,
        "entity_id": item.entity_id,
        "changed_at": item.changed_at.isoformat(),
    }
    if item.event is not None:
        name = str(item.event["event"])
        # A webhook leaves the system: an admission or a discharge is named as a neutral change.
        data["event"] = HistoryEntry.PLAN_CHANGED.value if name in TREATMENT_EVENTS else name
    return {"type": f"{item.kind.value}.{item.action.value}", "data": data}


def _live_endpoints(now: datetime) -> list[int]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint.id)
            .join(ApiToken, ApiToken.id == WebhookEndpoint.token_id)
            .where(
                WebhookEndpoint.disabled_at.is_(None),
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
                ApiToken.approved_at.is_not(None),
            )  # four eyes: nothing flows before the approval
            .order_by(WebhookEndpoint.id)
        )
    )


def _fan_out_page(endpoint_id: int, now: datetime, limit: int) -> bool:
    """One page of changes for one endpoint; True if there may be more now."""
    endpoint = db.session.get_one(WebhookEndpoint, endpoint_id)
    token = db.session.get_one(ApiToken, endpoint.token_id)
    account = db.session.get_one(User, token.user_id)
    if ServiceScope.WEBHOOKS_RECEIVE not in (token.scopes or []) or not account.active:
        db.session.rollback()
        return False
    start = endpoint.cursor
    page = read_changes(account, start, limit, endpoint.kinds)
    if page.next_cursor == start:
        db.session.rollback()
        return False
    moved = db.session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.cursor == start)
        .values(cursor=page.next_cursor)
    )
    if affected_rows(moved) != 1:
        db.session.rollback()  # another sweep fanned this page out meanwhile
        return False
    for item in page.items:
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint_id,
                change_id=item.cursor,
                case_id=item.case_id,
                kind=item.kind,
                payload=payload(item),
                status=WebhookStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    db.session.commit()
    # Telling a system that a case changed is a read of that part of the case by the system.
    audit_pairs(account, page.shown())
    return page.has_more


def fan_out(now: datetime, limit: int) -> int:
    """Delivery rows for the changes each live endpoint has not been given yet."""
    done = 0
    for endpoint_id in _live_endpoints(now):
        db.session.commit()
        for _ in range(FAN_OUT_PAGES):
            if not _fan_out_page(endpoint_id, now, limit):
                break
        done += 1
    return done


def requeue_stale(now: datetime) -> int:
    return outbox.requeue_stale(outbox.WEBHOOK, now)


def claim_due(now: datetime, limit: int) -> tuple[list[int], str]:
    """Mark due pending rows queued under a new token; returns (ids, token), committed."""
    claimed = outbox.claim_due(outbox.WEBHOOK, now, limit)
    return list(claimed), claimed.token


def release(ids: list[int], token: str) -> None:
    """The broker refused: the rows go back to pending at once."""
    outbox.release(outbox.WEBHOOK, outbox.Claimed(ids, token))


@dataclass(frozen=True)
class Claim:
    """What a worker needs to send one delivery, read when it took the row."""

    delivery_id: int
    attempts: int
    url: str
    secret: str
    payload: dict[str, Any]
    created_at: datetime
    live: bool  # the endpoint is enabled and its token neither revoked nor expired
    maybe_delivered_at: datetime | None = None  # an earlier attempt's answer came too late


def claim_one(delivery_id: int, token: str, now: datetime) -> Claim | None:
    """The engine's lease: queued -> sending under `token` (None: another worker has it, or it
    is done), with the endpoint's address and secret read in the same transaction."""

    def endpoint(_row: Any) -> Any:
        return db.session.execute(
            select(
                WebhookEndpoint.url,
                WebhookEndpoint.secret,
                WebhookEndpoint.disabled_at,
                ApiToken.revoked_at,
                ApiToken.expires_at,
            )
            .join(ApiToken, ApiToken.id == WebhookEndpoint.token_id)
            .join(WebhookDelivery, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
            .where(WebhookDelivery.id == delivery_id)
        ).one()

    taken = outbox.take(outbox.WEBHOOK, delivery_id, token, now, read=endpoint)
    if taken is None:
        return None
    row, ep = taken
    if ep is None:  # never: the delivery's endpoint and token exist (foreign keys)
        raise LookupError(f"webhook delivery {delivery_id} has no endpoint")
    live = ep.disabled_at is None and ep.revoked_at is None and ep.expires_at > now
    return Claim(
        delivery_id,
        row["attempts"],
        ep.url,
        ep.secret,
        row["payload"],
        row["created_at"],
        live,
        row["maybe_delivered_at"],
    )


def record(delivery_id: int, token: str, **values: Any) -> bool:
    """Write the outcome of this claim, if it is still this worker's."""
    return outbox.record(outbox.WEBHOOK, delivery_id, token, **values)


__all__ = ["Claim", "claim_due", "claim_one", "fan_out", "payload", "record", "release", "requeue_stale"]

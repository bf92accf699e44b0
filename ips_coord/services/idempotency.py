"""Idempotency keys of API POSTs: claim a key before the request runs, keep the response after.

A retried POST with the same Idempotency-Key (same caller, same body) gets the first response
again instead of making a second row; the same key with another body is refused. A key lives
for IDEMPOTENCY_KEY_HOURS. Only successful responses are kept: after a refusal the client may
correct the request and send it again under the same key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import IdempotencyKey
from .unit_of_work import unit_of_work


@dataclass(frozen=True)
class Claim:
    """What claiming a key found: a new claim (id), a stored response, a request still running,
    or the key used for another request."""

    id: int | None = None
    status: int | None = None
    body: str | None = None
    headers: dict[str, str] | None = None
    in_progress: bool = False
    mismatch: bool = False


def claim(owner: str, key: str, method: str, path: str, request_hash: str, now: datetime, hours: float) -> Claim:
    with unit_of_work():
        # Expired keys go first (anyone's: the table holds only a day of keys), so an old key can be used afresh.
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
        row = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key))
        if row is not None:
            return _found(row, method, path, request_hash)
        row = IdempotencyKey(
            owner=owner,
            key=key,
            method=method,
            path=path,
            request_hash=request_hash,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError:  # a concurrent request with the same key claimed it first
            db.session.rollback()
            return Claim(in_progress=True)
        return Claim(id=row.id)


def _found(row: IdempotencyKey, method: str, path: str, request_hash: str) -> Claim:
    if (row.method, row.path, row.request_hash) != (method, path, request_hash):
        return Claim(mismatch=True)
    if row.status is None:
        return Claim(in_progress=True)
    return Claim(status=row.status, body=row.response_body, headers=json.loads(row.response_headers or "{}"))


def complete(claim_id: int, status: int, body: str, headers: dict[str, str]) -> None:
    with unit_of_work():
        row = db.session.get(IdempotencyKey, claim_id)
        if row is not None:
            row.status, row.response_body, row.response_headers = status, body, json.dumps(headers)


def release(claim_id: int) -> None:
    """The request did not succeed: forget the key, so a corrected retry can run."""
    with unit_of_work():
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == claim_id))


__all__ = ["Claim", "claim", "complete", "release"]

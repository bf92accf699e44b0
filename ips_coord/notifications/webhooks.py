"""Posting webhook deliveries: signed, at least once, with backoff (the rows: services/webhooks.py).

The signature follows Standard Webhooks (https://www.standardwebhooks.com): the headers
`webhook-id` (the delivery id; the same on every attempt and on "send again"),
`webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
("v1," + base64 HMAC-SHA256 over "<id>.<timestamp>.<body>" with the endpoint's secret, the
bytes after "whsec_" base64-decoded). A row is recorded delivered only after a 2xx; a worker
that dies between the 2xx and that record sends it again after its lease: the receiver drops
the copy by webhook-id. Redirects are not followed (the endpoint is the registered address).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import logging
import random
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

from ..clock import utcnow
from ..services import webhooks as rows
from ..workflows.phases import WebhookStatus
from .delivery import Outcome
from .failpoints import failpoint

log = logging.getLogger(__name__)
USER_AGENT = "ips-coord-webhooks/1"


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def request_parts(claim: rows.Claim, timestamp: int) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one attempt."""
    msg_id = f"whd_{claim.delivery_id}"
    body = json.dumps({"id": msg_id, "timestamp": claim.created_at.isoformat(), **claim.payload},
                      separators=(",", ":"), sort_keys=True).encode()
    return body, {"Content-Type": "application/json", "User-Agent": USER_AGENT, "webhook-id": msg_id,
                  "webhook-timestamp": str(timestamp), "webhook-signature": signature(claim.secret, msg_id, timestamp,
                                                                                      body)}


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST and return the status; OSError (refused, timed out, TLS) on no answer."""
    parts = urlsplit(url)
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(parts.hostname or "", parts.port, timeout=timeout)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(65536)
        return response.status
    except http.client.HTTPException as exc:
        raise OSError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()


def backoff(attempts: int) -> timedelta:
    base = current_app.config["WEBHOOK_BACKOFF_SECONDS"]
    return timedelta(seconds=base * 2 ** min(attempts - 1, 16) * random.uniform(0.5, 1.5))


def _failure(claim: rows.Claim, status: int | None, error: str) -> tuple[Outcome, dict[str, Any]]:
    if claim.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]:
        return Outcome.FAILED, {"status": WebhookStatus.FAILED, "last_status": status, "last_error": error}
    return Outcome.RETRY, {"status": WebhookStatus.PENDING, "next_attempt_at": utcnow() + backoff(claim.attempts),
                           "last_status": status, "last_error": error, "claimed_at": None, "claim_token": None}


def deliver_one(delivery_id: int) -> Outcome:
    token = uuid.uuid4().hex
    claim = rows.claim_one(delivery_id, token, utcnow())
    if claim is None:
        return Outcome.SKIPPED
    failpoint("webhook.after_claim")
    if not claim.live:  # disabled, or its token revoked or expired since the fan-out: not sent
        rows.record(delivery_id, token, status=WebhookStatus.FAILED,
                    last_error="not sent: the endpoint is disabled or its token revoked or expired")
        return Outcome.FAILED
    body, headers = request_parts(claim, int(utcnow().timestamp()))
    try:
        status: int | None = post(claim.url, body, headers, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
        error = None if status is not None and 200 <= status < 300 else f"HTTP {status}"
    except OSError as exc:
        status, error = None, f"{type(exc).__name__}: {exc}"[:500]
    if error is None:
        failpoint("webhook.after_response")
        outcome, values = Outcome.SENT, {"status": WebhookStatus.DELIVERED, "delivered_at": utcnow(),
                                         "last_status": status, "last_error": None}
    else:
        outcome, values = _failure(claim, status, error)
    if not rows.record(delivery_id, token, **values):
        log.warning("webhook delivery %s: its claim passed to another worker; that worker's result stands",
                    delivery_id)
        return Outcome.SUPERSEDED
    log.log(logging.INFO if outcome is Outcome.SENT else logging.WARNING, "webhook delivery %s: %s (%s)",
            delivery_id, outcome.value, error or status)
    return outcome


def deliver_many(delivery_ids: list[int]) -> list[Outcome]:
    return [deliver_one(d) for d in delivery_ids]

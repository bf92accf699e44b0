"""Posting webhook deliveries: signed, at least once, with backoff (the rows: services/webhooks.py).

The signature follows Standard Webhooks (https://www.standardwebhooks.com): the headers
`webhook-id` (the delivery id; the same on every attempt and on "send again"),
`webhook-timestamp` (Unix seconds of this attempt) and `webhook-signature`
("v1," + base64 HMAC-SHA256 over "<id>.<timestamp>.<body>" with the endpoint's secret, the
bytes after "whsec_" base64-decoded). A row is recorded sent only after a 2xx; a worker
that dies between the 2xx and that record sends it again after its lease: the receiver drops
the copy by webhook-id. Redirects are not followed (the endpoint is the registered address).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from datetime import timedelta
from typing import Any

import requests
from flask import current_app

from .. import egress
from ..clock import utcnow
from ..extensions import db
from ..services import outbox
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
    body = json.dumps(
        {"id": msg_id, "timestamp": claim.created_at.isoformat(), **claim.payload},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    return body, {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(claim.secret, msg_id, timestamp, body),
    }


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST through the egress guard and return the status. EgressRefused if the address may
    not be reached; requests' exceptions if there is no answer (refused, timed out, TLS)."""
    response = egress.session(current_app.config).post(url, data=body, headers=headers, timeout=timeout, stream=True)
    try:
        response.raw.read(65536)  # enough to let the receiver finish; its words are not kept
        return response.status_code
    finally:
        response.close()


def backoff(attempts: int) -> timedelta:
    return outbox.backoff(outbox.WEBHOOK, attempts)


def _failure(claim: rows.Claim, status: int | None, error: str) -> tuple[Outcome, dict[str, Any]]:
    if outbox.last_attempt(outbox.WEBHOOK, claim.attempts):
        final = outbox.failed_status(claim)
        return (
            Outcome.FAILED if final == WebhookStatus.FAILED else Outcome.UNCERTAIN,
            {"status": final, "last_status": status, "last_error": error},
        )
    return Outcome.RETRY, {
        **outbox.retry_values(outbox.WEBHOOK, claim.attempts, utcnow()),
        "last_status": status,
        "last_error": error,
    }


def deliver_one(delivery_id: int) -> Outcome:
    token = uuid.uuid4().hex
    claim = rows.claim_one(delivery_id, token, utcnow())
    if claim is None:
        return Outcome.SKIPPED
    failpoint("webhook.after_claim")
    if not claim.live:  # disabled, or its token revoked or expired since the fan-out: not sent
        rows.record(
            delivery_id,
            token,
            status=WebhookStatus.FAILED,
            last_error="not sent: the endpoint is disabled or its token revoked or expired",
        )
        return Outcome.FAILED
    try:
        body, headers = request_parts(claim, int(utcnow().timestamp()))
        status: int | None = post(claim.url, body, headers, current_app.config["WEBHOOK_TIMEOUT_SECONDS"])
        error = None if status is not None and 200 <= status < 300 else f"HTTP {status}"
    except requests.ReadTimeout:
        # The request went out and the answer did not come in time: the receiver may have it.
        final, values = outbox.maybe_values(
            claim, utcnow(), f"no answer within {current_app.config['WEBHOOK_TIMEOUT_SECONDS']:g} s"
        )
        if not rows.record(delivery_id, token, **values, last_status=None):
            return Outcome.SUPERSEDED
        log.warning(
            "webhook delivery %s: maybe delivered (%s)",
            delivery_id,
            "recorded as uncertain" if final else "one more attempt after a pause",
        )
        return Outcome.UNCERTAIN if final else Outcome.MAYBE
    except Exception as exc:  # noqa: BLE001 - one row's failure, whatever it is, is that row's only
        # The same words for every reason: the log must not tell which internal ports are open.
        log.info("webhook delivery %s: could not connect (%s)", delivery_id, type(exc).__name__)
        status, error = None, egress.COULD_NOT_CONNECT
    if error is None:
        failpoint("webhook.after_response")
        outcome, values = (
            Outcome.SENT,
            {"status": WebhookStatus.SENT, "sent_at": utcnow(), "last_status": status, "last_error": None},
        )
    else:
        outcome, values = _failure(claim, status, error)
    if not rows.record(delivery_id, token, **values):
        log.warning("webhook delivery %s: its claim passed to another worker; that worker's result stands", delivery_id)
        return Outcome.SUPERSEDED
    log.log(
        logging.INFO if outcome is Outcome.SENT else logging.WARNING,
        "webhook delivery %s: %s (%s)",
        delivery_id,
        outcome.value,
        error or status,
    )
    return outcome


def deliver_many(delivery_ids: list[int]) -> list[Outcome]:
    """Each row on its own: an error in one (a database hiccup while recording it) leaves that
    row to its lease and never keeps the others of the chunk from being sent."""
    outcomes = []
    for delivery_id in delivery_ids:
        try:
            outcomes.append(deliver_one(delivery_id))
        except Exception:  # logged; the row goes back when its lease runs out
            log.exception("webhook delivery %s: not recorded; it is sent again after its lease", delivery_id)
            db.session.rollback()
            outcomes.append(Outcome.SKIPPED)
    return outcomes

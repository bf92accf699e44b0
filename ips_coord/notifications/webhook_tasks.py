"""Celery tasks for webhooks: the beat wakes the sweep; due work is in the database."""

from __future__ import annotations

import logging
from collections import Counter

from celery import shared_task
from flask import current_app
from kombu.exceptions import OperationalError

from ..clock import utcnow
from ..services import webhooks as rows
from .delivery import Outcome
from .webhook_delivery import deliver_many

log = logging.getLogger(__name__)
CHUNK = 20


def run_webhook_sweep() -> tuple[list[int], str]:
    """Stale leases back to pending, changes fanned out, due deliveries claimed (all committed)."""
    now = utcnow()
    batch = current_app.config["SWEEP_BATCH"]
    rows.requeue_stale(now)
    rows.fan_out(now, batch)
    return rows.claim_due(now, batch)


@shared_task(name="ips_coord.webhook_sweep", ignore_result=True)
def webhook_sweep() -> int:
    ids, token = run_webhook_sweep()  # committed before anything is enqueued
    for i in range(0, len(ids), CHUNK):
        try:
            deliver_webhooks.delay(ids[i : i + CHUNK])
        except OperationalError:
            log.warning("broker unavailable; %d webhook deliveries go back to pending", len(ids) - i)
            rows.release(ids[i:], token)
            return i
    return len(ids)


@shared_task(name="ips_coord.deliver_webhooks", ignore_result=True)
def deliver_webhooks(delivery_ids: list[int]) -> dict[Outcome, int]:
    return dict(Counter(deliver_many(delivery_ids)))

"""Celery tasks. They never import the app: FlaskTask gives them its context."""
from __future__ import annotations

import logging

from celery import shared_task
from kombu.exceptions import OperationalError

from ..clock import utcnow
from .delivery import deliver as deliver_notification
from .sweep import release, run_sweep

log = logging.getLogger(__name__)


@shared_task(name="ips_coord.sweep", ignore_result=True)
def sweep() -> int:
    ids = run_sweep(utcnow())  # committed before anything is enqueued
    enqueued = 0
    for i, nid in enumerate(ids):
        try:
            deliver.delay(nid)
            enqueued += 1
        except OperationalError:
            log.warning("broker unavailable; %d notifications go back to pending", len(ids) - i)
            release(ids[i:])
            break
    return enqueued


@shared_task(name="ips_coord.deliver", ignore_result=True)
def deliver(notification_id: int) -> str:
    return deliver_notification(notification_id)

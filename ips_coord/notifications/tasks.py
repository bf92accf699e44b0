"""Celery tasks. They never import the app: FlaskTask gives them its context."""
from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app
from kombu.exceptions import OperationalError

from ..clock import utcnow
from .delivery import deliver as deliver_notification
from .sweep import claim_due_notifications, release, run_sweep

log = logging.getLogger(__name__)


def _enqueue(ids: list[int]) -> int:
    """Hand claimed rows to the workers (after their claim committed). A full batch means more
    may be due: a dispatch task queued behind this batch claims the next one, so a backlog
    drains at the workers' pace instead of one batch per sweep interval."""
    enqueued = 0
    for i, nid in enumerate(ids):
        try:
            deliver.delay(nid)
            enqueued += 1
        except OperationalError:
            log.warning("broker unavailable; %d notifications go back to pending", len(ids) - i)
            release(ids[i:])
            return enqueued
    if len(ids) >= current_app.config["SWEEP_BATCH"]:
        try:
            dispatch.delay()
        except OperationalError:
            log.warning("broker unavailable; the next sweep claims the rest")
    return enqueued


@shared_task(name="ips_coord.sweep", ignore_result=True)
def sweep() -> int:
    return _enqueue(run_sweep(utcnow()))  # committed before anything is enqueued


@shared_task(name="ips_coord.dispatch", ignore_result=True)
def dispatch() -> int:
    """The sweep's last step alone: claim the next batch of due notifications."""
    return _enqueue(claim_due_notifications(utcnow(), current_app.config["SWEEP_BATCH"]))


@shared_task(name="ips_coord.deliver", ignore_result=True)
def deliver(notification_id: int) -> str:
    return deliver_notification(notification_id)

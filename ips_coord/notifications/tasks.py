"""Celery tasks. They never import the app: FlaskTask gives them its context."""

from __future__ import annotations

import logging
import threading
from collections import Counter

from celery import shared_task
from flask import current_app
from kombu.exceptions import OperationalError

from ..clock import utcnow
from ..services.outbox import Claimed
from .delivery import Outcome, deliver_many
from .failpoints import failpoint
from .sweep import claim_due_notifications, release, run_sweep

log = logging.getLogger(__name__)
# Notifications per delivery task: fewer broker round trips per email. A task's rows are
# claimed and recorded one at a time, so the chunk does not widen what a crash can duplicate.
DELIVERY_CHUNK = 20


def _enqueue(claimed: Claimed) -> int:
    """Hand claimed rows to the workers (after their claim committed). A full batch means more
    may be due: a dispatch task queued behind this batch claims the next one, so a backlog
    drains at the workers' pace instead of one batch per sweep interval. Dying anywhere here
    loses nothing: rows whose task never reached the broker are claimed again when their
    claim times out, and a task that did is run once a worker takes it."""
    if not claimed:
        return 0
    failpoint("sweep.after_claim")
    enqueued = 0
    for i in range(0, len(claimed), DELIVERY_CHUNK):
        try:
            deliver.delay(claimed[i : i + DELIVERY_CHUNK])
            enqueued += len(claimed[i : i + DELIVERY_CHUNK])
        except OperationalError:
            log.warning("broker unavailable; %d notifications go back to pending", len(claimed) - i)
            release(Claimed(claimed[i:], claimed.token))
            return enqueued
    if len(claimed) >= current_app.config["SWEEP_BATCH"]:
        try:
            dispatch.delay()
        except OperationalError:
            log.warning("broker unavailable; the next sweep claims the rest")
    failpoint("sweep.after_enqueue")
    return enqueued


@shared_task(name="ips_coord.sweep", ignore_result=True)
def sweep() -> int:
    return _enqueue(run_sweep(utcnow()))  # committed before anything is enqueued


@shared_task(name="ips_coord.dispatch", ignore_result=True)
def dispatch() -> int:
    """The sweep's last step alone: claim the next batch of due notifications."""
    return _enqueue(claim_due_notifications(utcnow(), current_app.config["SWEEP_BATCH"]))


@shared_task(name="ips_coord.deliver", ignore_result=True)
def deliver(notification_ids: list[int] | int) -> dict[Outcome, int]:
    ids = [notification_ids] if isinstance(notification_ids, int) else notification_ids  # int: queued by 0.1
    return dict(Counter(deliver_many(ids)))


# A nudge's broker connection gives up after this long (Redis down or unreachable).
WAKE_BROKER_TIMEOUT_SECONDS = 2.0


def wake_delivery() -> threading.Thread | None:
    """After a commit that queued an e-mail someone is waiting for (a sign-in code, a reset
    link): ask a worker to claim due rows now instead of at the next sweep. Only a nudge, and it
    never holds the request: it is published from a thread of its own, on a connection with a
    short timeout and no retries. If the broker is down, or DELIVERY_WAKE is off (tests deliver
    in-process), the sweep sends the e-mail."""
    if not current_app.config.get("DELIVERY_WAKE", True):
        return None
    thread = threading.Thread(target=_nudge, name="ips-coord-wake", daemon=True)
    thread.start()
    return thread


def _nudge() -> None:
    app = dispatch.app
    options = {
        **(app.conf.broker_transport_options or {}),
        "socket_connect_timeout": WAKE_BROKER_TIMEOUT_SECONDS,
        "socket_timeout": WAKE_BROKER_TIMEOUT_SECONDS,
    }
    try:
        with app.connection_for_write(transport_options=options, connect_timeout=WAKE_BROKER_TIMEOUT_SECONDS) as conn:
            dispatch.apply_async(retry=False, connection=conn)
    except Exception as exc:  # noqa: BLE001 - any broker failure: the next sweep sends it
        log.warning("broker unavailable (%s); the next sweep sends the e-mail", type(exc).__name__)

"""Celery wired the documented Flask way (flask examples/celery): every task runs in an app
context, and task modules never import the app object."""

from __future__ import annotations

import logging
import os

from celery import Celery, Task
from celery.schedules import crontab
from celery.worker.consumer import Consumer
from flask import Flask

logger = logging.getLogger(__name__)


class BrokerLossConsumer(Consumer):
    """Celery's consumer, surviving a broker loss that comes while a task runs.

    kombu 5.7's Redis channel lets go of its connection parameters when the dead connection is
    closed, and then needs them twice: to put the unacknowledged message back while closing,
    and to acknowledge that message when its task finishes after the reconnect. Both raise
    AttributeError, which Celery takes for an unrecoverable error: the worker exits (seen when
    Redis restarts as a task runs; tests/worker/test_faults.py). Here the close tolerates it,
    and the old channel forgets late acknowledgements instead. The message stays in Redis's
    unacked set, which hands it out again after the visibility timeout; what it wakes is due
    work in the database, claimed row by row, so a second run does nothing twice."""

    def on_connection_error_after_connected(self, exc):
        broken = self.connection
        channel = getattr(broken, "_default_channel", None)  # the channel the task messages came on
        if broken is not None:
            close = broken.close

            def close_tolerating_kombu(*args, **kwargs):
                try:
                    return close(*args, **kwargs)
                except AttributeError as error:
                    logger.warning("broker connection closed with an error (%r); reconnecting", error)

            broken.close = close_tolerating_kombu
        super().on_connection_error_after_connected(exc)
        if channel is not None:
            channel.basic_ack = channel.basic_reject = _forget_on_lost_channel


def _forget_on_lost_channel(delivery_tag, *args, **kwargs):
    logger.info("message %s came on a lost broker connection; Redis hands it out again later", delivery_tag)


def celery_settings(app: Flask) -> dict:
    """Redis when REDIS_URL is set; otherwise kombu's filesystem transport in the instance
    folder, so the embedded default runs a real worker and beat without any server."""
    url = app.config.get("REDIS_URL")
    if url:
        broker = {"broker_url": url, "broker_transport_options": {"visibility_timeout": 3600}}
    else:
        queue = os.path.join(app.instance_path, "broker")
        for sub in ("in", "processed", "control"):
            os.makedirs(os.path.join(queue, sub), exist_ok=True)
        broker = {
            "broker_url": "filesystem://",
            "broker_transport_options": {
                "data_folder_in": os.path.join(queue, "in"),
                "data_folder_out": os.path.join(queue, "in"),
                "processed_folder": os.path.join(queue, "processed"),
                # Exchange tables; kombu's default is ./control in the working directory.
                "control_folder": os.path.join(queue, "control"),
                "store_processed": False,
            },
        }
    return {
        **broker,
        "task_ignore_result": True,
        # A task is acknowledged after it ran: a task whose pool process died is delivered
        # again, and each row's claim makes the second run skip what is taken. The database,
        # not the broker, is what guarantees delivery: a row whose task is lost with its worker
        # is handed out again by the sweep when the claim's lease runs out.
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_connection_retry_on_startup": True,
        "worker_consumer": "ips_coord.celery_app:BrokerLossConsumer",
        # The beat only wakes the sweep; all due work is in the database.
        "beat_schedule": {
            "sweep": {"task": "ips_coord.sweep", "schedule": float(app.config["SWEEP_INTERVAL_SECONDS"])},
            # Idempotent: a missed or repeated day does the same work the next time.
            "retention": {
                "task": "ips_coord.retention",
                "schedule": crontab(hour=app.config["RETENTION_HOUR_UTC"], minute=30),
            },
            "partitions": {
                "task": "ips_coord.partitions",
                "schedule": crontab(hour=app.config["RETENTION_HOUR_UTC"], minute=0),
            },
            "webhooks": {"task": "ips_coord.webhook_sweep", "schedule": float(app.config["SWEEP_INTERVAL_SECONDS"])},
            # A run not started before the next is due is dropped: runs never pile up.
            "rollups": {
                "task": "ips_coord.rollups",
                "schedule": 60.0 * app.config["ROLLUP_MINUTES"],
                "options": {"expires": 60.0 * app.config["ROLLUP_MINUTES"]},
            },
        },
        "timezone": "UTC",
        **app.config.get("CELERY", {}),
    }


def celery_init_app(app: Flask) -> Celery:
    from config import ConfigError

    from .notifications.failpoints import parse

    try:
        parse(app.config.get("FAILPOINTS"))
    except ValueError as exc:  # a misspelt point would silently never fire
        raise ConfigError(f"IPS_FAILPOINTS: {exc}") from None

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(
        app.name,
        task_cls=FlaskTask,
        include=["ips_coord.notifications.tasks", "ips_coord.notifications.webhook_tasks", "ips_coord.housekeeping"],
    )
    celery_app.config_from_object(celery_settings(app))
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app

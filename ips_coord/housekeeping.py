"""Housekeeping tasks (daily, and the rollups every few minutes). Like every task they never
import the app (FlaskTask gives them its context) and leave the work to a service."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from .clock import utcnow
from .services import partitions, retention, rollups, throttle


@shared_task(name="ips_coord.retention", ignore_result=True)
def run_retention() -> dict:
    config = current_app.config
    report = retention.run(
        utcnow(),
        closed_case_years=config["RETENTION_CLOSED_CASE_YEARS"],
        access_log_months=config["ACCESS_LOG_RETENTION_MONTHS"],
        notification_months=config["NOTIFICATION_RETENTION_MONTHS"],
    )
    throttle.prune(utcnow())  # sign-in counts older than a day or two are of no use
    return {
        "citizens": report.citizens,
        "access_log_rows": report.access_log_rows,
        "notifications": report.notifications,
    }


@shared_task(name="ips_coord.partitions", ignore_result=True)
def create_partitions() -> list[str]:
    """Next months' access-log partitions, ahead of the rows that will need them."""
    return partitions.ensure_partitions(utcnow())


@shared_task(name="ips_coord.rollups", ignore_result=True)
def refresh_rollups() -> None:
    """The country overview's figures, ahead of the national coordinator's page."""
    rollups.refresh_country(utcnow())

"""Retention as data-protection law asks: a closed case is anonymised after a
configurable number of years, and access-log months are dropped after theirs.

Anonymising keeps the figures the reports count (phases, dates, codes, numbers) and removes the
person: the citizen's name and contact details, and every piece of free text on their cases.
Which columns are free text is decided by rule, not by a list to keep up to date: on every table
that belongs to a case, every plain text column is emptied unless it is a key or named in
KEPT_COLUMNS, and JSON keeps only numbers, dates and the codes of the closed vocabularies. A new
table with a note column is therefore anonymised without anyone remembering to add it here.

The history tables are append-only (the database refuses UPDATE and DELETE); the run inserts a
row in history_override inside its own transaction, which the triggers accept. The row is never
committed, so no other transaction can rewrite history.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Select,
    String,
    Table,
    TableClause,
    Text,
    and_,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute

from ..access.audit import HISTORY_OVERRIDE
from ..extensions import Model, affected_rows, db
from ..models import AccessLog, CaseEvent, Citizen, HistoryOverride, IpsCase, Notification
from ..workflows import constants, phases
from ..workflows.phases import HistoryEntry, NotificationStatus
from . import partitions
from .unit_of_work import unit_of_work

log = logging.getLogger(__name__)

# Plain text columns of case tables that hold codes, not words about the person.
KEPT_COLUMNS = frozenset(
    {
        "case_event.event",
        "case_event.reason",
        "case_event.request_id",
        "notification.claim_token",
        "notification.idempotency_key",
        "career_profile.disclosure",
        "progress_rating.instrument",
        "benefit_fact.benefit",
        "parallel_intervention.name",
        "citizen.municipality",  # the reports count by municipality; a municipality names nobody
    }
)
# Tables outside this rule: the log is dropped by month, not rewritten; the case row holds codes;
# a webhook delivery carries references only (docs/integrations.md) and its lease must stay whole.
NOT_SCRUBBED = frozenset({"access_log", "ips_case", "history_override", "citizen", "webhook_delivery"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?$")


def _codes() -> frozenset[str]:
    values: set[str] = set()
    for module in (phases, constants):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, StrEnum) and obj is not StrEnum:
                values.update(member.value for member in obj)
    return frozenset(values)


CODES = _codes()


def scrub_json(value: Any) -> Any:
    """Numbers, booleans, dates and vocabulary codes stay; any other string goes."""
    if isinstance(value, dict):
        return {key: scrub_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub_json(item) for item in value]
    if isinstance(value, str):
        return value if value in CODES or _DATE.match(value) else None
    return value


@dataclass
class RetentionReport:
    dry_run: bool
    closed_before: datetime
    access_log_before: datetime
    notifications_before: datetime
    citizens: int = 0
    cases: int = 0
    access_log_months: list[tuple[str, int]] = field(default_factory=list)
    notifications: int = 0

    @property
    def access_log_rows(self) -> int:
        return sum(rows for _month, rows in self.access_log_months)


def _years_before(now: datetime, years: int) -> datetime:
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _months_before(now: datetime, months: int) -> datetime:
    """The first instant of the month `months` whole months before the current one (UTC):
    months are dropped whole."""
    index = now.year * 12 + (now.month - 1) - months
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def _due_citizen_query(closed_before: datetime) -> Select[tuple[int]]:
    """Citizens not yet anonymised whose every case closed before the cut-off."""
    still_needed = exists().where(
        IpsCase.citizen_id == Citizen.id,
        (IpsCase.closed_at.is_(None)) | (IpsCase.closed_at >= closed_before),
    )
    has_case = exists().where(IpsCase.citizen_id == Citizen.id)
    return select(Citizen.id).where(Citizen.anonymised_at.is_(None), has_case, ~still_needed).order_by(Citizen.id)


def _month_key(column: InstrumentedAttribute[datetime]) -> ColumnElement[str]:
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.date_trunc("month", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def plan(now: datetime, *, closed_case_years: int, access_log_months: int, notification_months: int) -> RetentionReport:
    """What a run would do now, without doing it."""
    report = RetentionReport(
        dry_run=True,
        closed_before=_years_before(now, closed_case_years),
        access_log_before=_months_before(now, access_log_months),
        notifications_before=_months_before(now, notification_months),
    )
    due = _due_citizen_query(report.closed_before).subquery()
    report.citizens = db.session.scalar(select(func.count()).select_from(due)) or 0
    report.cases = (
        db.session.scalar(select(func.count(IpsCase.id)).where(IpsCase.citizen_id.in_(select(due.c.id)))) or 0
    )
    month = _month_key(AccessLog.created_at)
    report.access_log_months = [
        (key, rows)
        for key, rows in db.session.execute(
            select(month, func.count())
            .where(AccessLog.created_at < report.access_log_before)
            .group_by(month)
            .order_by(month)
        )
    ]
    report.notifications = (
        db.session.scalar(select(func.count(Notification.id)).where(*_old_notifications(report.notifications_before)))
        or 0
    )
    db.session.rollback()
    return report


def _old_notifications(before: datetime) -> tuple[ColumnElement[bool], ...]:
    # Only settled rows: a pending or claimed one is still due work.
    return (
        Notification.created_at < before,
        Notification.status.in_([NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.UNCERTAIN]),
    )


def run(
    now: datetime,
    *,
    closed_case_years: int,
    access_log_months: int,
    notification_months: int,
    dry_run: bool = False,
    batch: int = 200,
) -> RetentionReport:
    """Anonymise due citizens and drop old log months. Each batch is its own transaction, so a
    run that stops half-way keeps what it did and the next run carries on."""
    report = plan(
        now,
        closed_case_years=closed_case_years,
        access_log_months=access_log_months,
        notification_months=notification_months,
    )
    if dry_run:
        return report
    report.dry_run = False
    while True:
        ids = list(db.session.scalars(_due_citizen_query(report.closed_before).limit(batch)))
        db.session.rollback()
        if not ids:
            break
        with unit_of_work(), _history_override():
            _anonymise(ids, now)
    # Whole months go as whole partitions on PostgreSQL; the rest (SQLite, the DEFAULT
    # partition) row by row.
    partitions.drop_months_before("access_log", report.access_log_before)
    _delete_in_chunks(table_of(AccessLog), AccessLog.created_at < report.access_log_before)
    _delete_in_chunks(table_of(Notification), and_(*_old_notifications(report.notifications_before)))
    log.info(
        "retention: anonymised %d citizens (%d cases); dropped %d access-log rows before %s "
        "and %d notifications before %s",
        report.citizens,
        report.cases,
        report.access_log_rows,
        report.access_log_before.date(),
        report.notifications,
        report.notifications_before.date(),
    )
    return report


class _history_override:
    """Inside a unit of work: lets this transaction, and only it, change the append-only tables."""

    def __enter__(self) -> None:
        db.session.info[HISTORY_OVERRIDE] = True
        db.session.execute(insert(HistoryOverride).values(id=1, reason="retention"))

    def __exit__(self, *exc: object) -> None:
        db.session.info.pop(HISTORY_OVERRIDE, None)
        if exc[0] is None:
            db.session.execute(delete(HistoryOverride))


def _delete_in_chunks(table: TableClause, condition: ColumnElement[bool], chunk: int = 10_000) -> None:
    while True:
        with unit_of_work(), _history_override():
            ids = select(table.c.id).where(condition).limit(chunk).scalar_subquery()
            deleted = affected_rows(db.session.execute(delete(table).where(table.c.id.in_(ids))))
        if deleted < chunk:
            return


def table_of(model: type[Model]) -> Table:
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


def _case_tables() -> list[Table]:
    return [t for t in db.metadata.sorted_tables if "case_id" in t.c and t.name not in NOT_SCRUBBED]


def _citizen_only_tables() -> list[Table]:
    """Tables that belong to the citizen and not to a case (sign-in codes, sessions): deleted."""
    return [
        t
        for t in db.metadata.sorted_tables
        if "citizen_id" in t.c and "case_id" not in t.c and t.name not in NOT_SCRUBBED
    ]


def _is_free_text(table: Table, column: Column[Any]) -> bool:
    if f"{table.name}.{column.name}" in KEPT_COLUMNS or column.primary_key or column.foreign_keys or column.unique:
        return False
    # Exactly String/Text: the enum columns (Code) and dates are decorators and stay.
    return type(column.type) in (String, Text)


def _anonymise(citizen_ids: list[int], now: datetime) -> None:
    case_ids = list(db.session.scalars(select(IpsCase.id).where(IpsCase.citizen_id.in_(citizen_ids))))
    for table in _case_tables():
        texts = {c.name: (None if c.nullable else "") for c in table.c if _is_free_text(table, c)}
        if texts:
            db.session.execute(update(table).where(table.c.case_id.in_(case_ids)).values(**texts))
        for column in (c for c in table.c if type(c.type) is JSON):
            rows = db.session.execute(
                select(table.c.id, column).where(table.c.case_id.in_(case_ids), column.is_not(None))
            ).all()
            for row_id, value in rows:
                scrubbed = scrub_json(value)
                if scrubbed != value:
                    db.session.execute(update(table).where(table.c.id == row_id).values({column.name: scrubbed}))
    for table in _citizen_only_tables():
        db.session.execute(delete(table).where(table.c.citizen_id.in_(citizen_ids)))
    db.session.execute(
        update(Citizen)
        .where(Citizen.id.in_(citizen_ids))
        .values(
            first_name="",
            last_name="",
            birth_year=None,
            phone=None,
            email=None,
            address=None,
            own_goal=None,
            cpr_encrypted=None,
            cpr_hmac=None,
            oidc_sub=None,
            anonymised_at=now,
        )
    )
    # The case's own history says when and why its words went.
    db.session.execute(
        update(IpsCase)
        .where(IpsCase.id.in_(case_ids))
        .values(event_count=IpsCase.event_count + 1, version=IpsCase.version + 1)
    )
    db.session.execute(
        insert(CaseEvent).from_select(
            ["case_id", "seq", "event", "data", "created_at"],
            select(
                IpsCase.id,
                IpsCase.event_count,
                literal(HistoryEntry.ANONYMISED.value),
                literal({}, JSON),
                literal(now.astimezone(UTC).replace(tzinfo=None)),
            ).where(IpsCase.id.in_(case_ids)),
        )
    )


__all__ = ["RetentionReport", "plan", "run", "scrub_json"]

"""Monthly partitions of the access log on PostgreSQL (declarative partitioning by created_at).

Every read is logged, so the access log is by far the largest table; its months are dropped
whole when their retention ends (DROP TABLE of a partition, no row-by-row delete). The worker
creates each month's partition ahead of time (PARTITION_MONTHS_AHEAD); a DEFAULT partition
catches any row outside them, so a late worker never fails a request, and the next run moves
such rows into their month's own partition. SQLite keeps a plain table.

Only the access log is partitioned: case events are the case's history and live as long as the
case (retention anonymises them instead), and the outbox's idempotency key must stay unique
across all months, which a partitioned table cannot enforce.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

from ..extensions import db
from .unit_of_work import unit_of_work

PARTITIONED = ("access_log",)
MONTHS_AHEAD = 3
_NAME = re.compile(r"^(?P<table>[a-z_]+)_p(?P<year>\d{4})_(?P<month>\d{2})$")


def is_partition(name: str | None) -> bool:
    """A partition is the database's business, not a model's (Alembic's comparison skips it)."""
    if not name:
        return False
    match = _NAME.match(name)
    return any(name == f"{t}_default" or (match is not None and match["table"] == t) for t in PARTITIONED)


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and is_partition(name))


def month_start(year: int, month: int) -> datetime:
    index = year * 12 + month - 1
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_name(table: str, month: date | datetime) -> str:
    return f"{table}_p{month.year:04d}_{month.month:02d}"


def is_partitioned(conn: Connection, table: str) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return bool(
        conn.execute(
            text(
                "SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                "WHERE c.relname = :table AND pg_table_is_visible(c.oid)"
            ),
            {"table": table},
        ).first()
    )


def monthly_partitions(conn: Connection, table: str) -> dict[datetime, str]:
    """The table's monthly partitions by their first instant."""
    names = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :table"
        ),
        {"table": table},
    ).scalars()
    found = {}
    for name in names:
        match = _NAME.match(name)
        if match and match["table"] == table:
            found[month_start(int(match["year"]), int(match["month"]))] = name
    return found


def create_month(conn: Connection, table: str, start: datetime) -> str | None:
    """Create the month's partition, moving in any rows the DEFAULT partition caught for it.
    Returns its name if it was created."""
    if start in monthly_partitions(conn, table):
        return None
    end = month_start(start.year, start.month + 1)
    name = partition_name(table, start)
    bounds = {"start": start.replace(tzinfo=None), "end": end.replace(tzinfo=None)}
    caught = conn.execute(
        text(f"SELECT 1 FROM {table}_default WHERE created_at >= :start AND created_at < :end LIMIT 1"), bounds
    ).first()
    if caught is None:
        conn.execute(
            text(
                f"CREATE TABLE {name} PARTITION OF {table} "
                f"FOR VALUES FROM ('{bounds['start']:%Y-%m-%d}') TO ('{bounds['end']:%Y-%m-%d}')"
            )
        )
        return name
    # The DEFAULT partition may not keep rows of a new partition's range: move them first. The
    # history stays append-only for everyone else (see services/retention.py).
    conn.execute(text("INSERT INTO history_override (id, reason) VALUES (2, 'partition')"))
    conn.execute(text(f"ALTER TABLE {table} DETACH PARTITION {table}_default"))
    conn.execute(
        text(
            f"CREATE TABLE {name} PARTITION OF {table} "
            f"FOR VALUES FROM ('{bounds['start']:%Y-%m-%d}') TO ('{bounds['end']:%Y-%m-%d}')"
        )
    )
    conn.execute(
        text(f"INSERT INTO {table} SELECT * FROM {table}_default WHERE created_at >= :start AND created_at < :end"),
        bounds,
    )
    conn.execute(text(f"DELETE FROM {table}_default WHERE created_at >= :start AND created_at < :end"), bounds)
    conn.execute(text(f"ALTER TABLE {table} ATTACH PARTITION {table}_default DEFAULT"))
    conn.execute(text("DELETE FROM history_override WHERE id = 2"))
    return name


def ensure_partitions(now: datetime, months_ahead: int = MONTHS_AHEAD) -> list[str]:
    """This month's and the next months' partitions, and one for each month the DEFAULT
    partition holds rows of. Safe to run any number of times (the worker runs it daily)."""
    created: list[str] = []
    with unit_of_work():
        conn = db.session.connection()
        for table in PARTITIONED:
            if not is_partitioned(conn, table):
                continue
            months = {month_start(now.year, now.month + ahead) for ahead in range(months_ahead + 1)}
            caught = conn.execute(
                text(f"SELECT DISTINCT date_trunc('month', created_at) FROM {table}_default")
            ).scalars()
            months |= {month_start(m.year, m.month) for m in caught}
            for start in sorted(months):
                name = create_month(conn, table, start)
                if name:
                    created.append(name)
    return created


def drop_months_before(table: str, before: datetime) -> list[tuple[str, int]]:
    """Drop the monthly partitions that end at or before `before`: (name, rows) of each."""
    dropped: list[tuple[str, int]] = []
    with unit_of_work():
        conn = db.session.connection()
        if not is_partitioned(conn, table):
            return dropped
        for start, name in sorted(monthly_partitions(conn, table).items()):
            if month_start(start.year, start.month + 1) > before:
                continue
            rows = conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            conn.execute(text(f"DROP TABLE {name}"))
            dropped.append((name, rows))
    return dropped


__all__ = ["PARTITIONED", "drop_months_before", "ensure_partitions", "is_partitioned", "partition_name"]

"""The access log is partitioned by month on PostgreSQL: months are created ahead, rows outside
them are caught and moved into their month, retention drops months whole, and the history stays
append-only. SQLite keeps a plain table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, inspect, select, text

from ips_coord.access.audit import audit
from ips_coord.models import AccessLog
from ips_coord.services import partitions, retention
from ips_coord.workflows.phases import AccessAction
from tests.conftest import make_app


def _count(db, table: str) -> int:
    return db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_months_are_made_ahead_rows_find_their_month_and_old_months_are_dropped(app, db, world, clock):
    conn = db.session.connection()
    if db.engine.dialect.name != "postgresql":
        assert not partitions.is_partitioned(conn, "access_log")
        assert partitions.ensure_partitions(clock.now()) == []
        return
    assert partitions.is_partitioned(conn, "access_log")
    db.session.rollback()

    created = partitions.ensure_partitions(clock.now())  # T0 is in March 2026
    months = partitions.monthly_partitions(db.session.connection(), "access_log")
    assert {datetime(2026, m, 1, tzinfo=UTC) for m in (3, 4, 5, 6)} <= set(months)
    assert partitions.ensure_partitions(clock.now()) == [], "a second run creates nothing"
    db.session.rollback()

    case = world.case_in("engagement")
    clock.set(datetime(2019, 6, 15, tzinfo=UTC))
    audit(world.consultant, case.id, AccessAction.READ, "history")  # no partition for June 2019 yet
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    audit(world.consultant, case.id, AccessAction.READ, "history")
    assert _count(db, "access_log_default") == 1 and _count(db, "access_log_p2026_03") >= 1
    db.session.rollback()

    created = partitions.ensure_partitions(clock.now())
    assert created == ["access_log_p2019_06"]
    assert _count(db, "access_log_default") == 0 and _count(db, "access_log_p2019_06") == 1
    assert (
        db.session.scalar(
            select(func.count()).select_from(AccessLog).where(AccessLog.created_at < datetime(2020, 1, 1, tzinfo=UTC))
        )
        == 1
    )
    db.session.rollback()

    # Still append-only, partition by partition.
    for statement in ("DELETE FROM access_log_p2019_06", "UPDATE access_log SET part = 'x'"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as c:
            c.execute(text(statement))

    report = retention.run(clock.now(), closed_case_years=5, access_log_months=60, notification_months=24)
    assert report.access_log_months == [("2019-06", 1)]
    assert "access_log_p2019_06" not in inspect(db.engine).get_table_names()
    assert (
        db.session.scalar(
            select(func.count()).select_from(AccessLog).where(AccessLog.created_at < datetime(2020, 1, 1, tzinfo=UTC))
        )
        == 0
    )
    assert _count(db, "access_log_p2026_03") >= 1


@pytest.mark.postgres_only
def test_the_upgrade_moves_an_existing_log_into_monthly_partitions(pg_empty_url):
    from flask_migrate import downgrade, upgrade

    from ips_coord.extensions import db

    app = make_app(pg_empty_url)
    with app.app_context():
        upgrade(revision="0010_retention")
        with db.engine.begin() as conn:
            for at in ("2025-11-03 10:00", "2025-12-24 08:00", "2025-12-31 23:59"):
                conn.execute(
                    text(
                        "INSERT INTO access_log (action, part, view, created_at) "
                        "VALUES ('read', 'history', 'test', :at)"
                    ),
                    {"at": at},
                )
        upgrade()
        with db.engine.connect() as conn:
            assert partitions.is_partitioned(conn, "access_log")
            assert conn.execute(text("SELECT count(*) FROM access_log_p2025_12")).scalar_one() == 2
            assert conn.execute(text("SELECT count(*) FROM access_log_p2025_11")).scalar_one() == 1
            assert conn.execute(text("SELECT max(id) FROM access_log")).scalar_one() == 3
        with db.engine.begin() as conn:  # the id sequence carries on
            new_id = conn.execute(
                text(
                    "INSERT INTO access_log (action, part, view, created_at) "
                    "VALUES ('read', 'history', 'test', now()) RETURNING id"
                )
            ).scalar_one()
        assert new_id == 4
        downgrade(revision="0010_retention")
        with db.engine.connect() as conn:
            assert not partitions.is_partitioned(conn, "access_log")
            assert conn.execute(text("SELECT count(*) FROM access_log")).scalar_one() == 4
        db.engine.dispose()

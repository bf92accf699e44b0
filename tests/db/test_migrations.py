"""Alembic: an empty database upgrades to head, and the models have not drifted from it."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ips_coord.extensions import db as _db
from ips_coord.models.case import include_object


def test_head_matches_models(app, db):
    # The session fixture upgraded a fresh database with Alembic; compare it to the models.
    with _db.engine.connect() as conn:
        from ips_coord.services.partitions import include_name

        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name,
                                                     "include_object": include_object})
        diff = compare_metadata(ctx, _db.metadata)
    assert diff == []
    tables = set(inspect(_db.engine).get_table_names())
    assert {"ips_case", "case_event", "follow_up", "notification", "consent", "access_log"} <= tables


def test_the_indexes_the_sweep_and_dashboards_use(app, db):
    insp = inspect(_db.engine)
    follow_up = {tuple(ix["column_names"]) for ix in insp.get_indexes("follow_up")}
    assert ("status", "due_at") in follow_up and ("status", "remind_at") in follow_up
    cases = {tuple(ix["column_names"]) for ix in insp.get_indexes("ips_case")}
    assert ("consultant_id", "phase") in cases
    outbox = {tuple(ix["column_names"]) for ix in insp.get_indexes("notification")}
    assert ("status", "next_attempt_at") in outbox


def test_flask_db_check_reports_no_drift(app, db):
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output

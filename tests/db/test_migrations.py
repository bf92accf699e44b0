"""Alembic: an empty database upgrades to head, down to base and up again; the migrations form
one chain numbered in the order they run; the models have not drifted from head."""

from __future__ import annotations

import os
import re

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from ips_coord import _migrations_dir
from ips_coord.extensions import db as _db
from ips_coord.models.case import include_object
from tests.conftest import _drop_database, _fresh_database, make_app


def test_head_matches_models(app, db):
    # The session fixture upgraded a fresh database with Alembic; compare it to the models.
    with _db.engine.connect() as conn:
        from ips_coord.services.partitions import include_name

        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": include_name, "include_object": include_object}
        )
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


@pytest.fixture
def empty_url(_backend, tmp_path_factory):
    """An empty database of the run's backend, for a test that runs the migrations itself."""
    url = _fresh_database(_backend, tmp_path_factory, migrated=False)
    yield url
    _drop_database(url)


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", _migrations_dir())
    return ScriptDirectory.from_config(config)


def _current(engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_the_migrations_upgrade_downgrade_to_base_and_upgrade_again(empty_url):
    """Every downgrade undoes its upgrade: base leaves no table behind, and head is reached again."""
    from flask_migrate import downgrade, upgrade

    head = _script().get_current_head()
    app = make_app(empty_url)
    with app.app_context():
        upgrade()
        assert _current(_db.engine) == head
        at_head = _tables(_db.engine)
        assert {"ips_case", "case_event", "notification", "access_log"} <= at_head
        downgrade(revision="base")
        assert _current(_db.engine) is None
        assert _tables(_db.engine) == set()
        upgrade()
        assert _current(_db.engine) == head
        assert _tables(_db.engine) == at_head
        _db.session.remove()
        _db.engine.dispose()


def test_the_migrations_form_one_chain_numbered_in_the_order_they_run():
    """One linear chain from base to head; each file and revision id starts with the same
    four-digit number, and the numbers are unique and increase along the chain, so the folder
    lists the migrations in the order they run."""
    script = _script()
    assert len(script.get_bases()) == 1 and len(script.get_heads()) == 1
    chain = list(reversed(list(script.walk_revisions())))  # base first
    numbers = []
    for revision in chain:
        filename = os.path.basename(revision.path)
        match = re.fullmatch(r"(\d{4})_\w+\.py", filename)
        assert match, f"{filename} does not start with a four-digit number and a name"
        assert re.fullmatch(match.group(1) + r"(_\w+)?", revision.revision), (filename, revision.revision)
        assert not revision.is_merge_point and not revision.is_branch_point, filename
        numbers.append(int(match.group(1)))
    assert numbers == sorted(set(numbers)), f"numbers along the chain: {numbers}"
    on_disk = {f for f in os.listdir(script.versions) if f.endswith(".py")}
    assert on_disk == {os.path.basename(r.path) for r in chain}, "a migration file is off the chain"

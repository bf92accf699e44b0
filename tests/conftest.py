"""Test fixtures.

Database tests run on PostgreSQL (a fresh database for this run, copied from a template
migrated once, dropped at the end) and, by the rule at backends_for, some of them on a SQLite
file too. With CI=true, PostgreSQL and Redis must be reachable, or the run stops with an error:
CI never silently falls back.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ips_coord.clock import FrozenClock

CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday

_state: dict = {"backends": [], "notes": []}


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return str(exc).splitlines()[0]


def _redis_reachable() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return str(exc)


def pytest_configure(config):
    wanted = [b for b in os.environ.get("IPS_TEST_DBS", "postgresql,sqlite").split(",") if b]
    pg_problem = _pg_reachable() if "postgresql" in wanted else "not asked for (IPS_TEST_DBS)"
    redis_problem = _redis_reachable()
    if CI and "postgresql" in wanted and pg_problem:
        pytest.exit(f"CI=true but PostgreSQL is unreachable at {PG_ADMIN_URL}: {pg_problem}", returncode=3)
    if CI and redis_problem:
        pytest.exit(f"CI=true but Redis is unreachable at {REDIS_URL}: {redis_problem}", returncode=3)
    backends = []
    if "postgresql" in wanted and not pg_problem:
        backends.append("postgresql")
    elif "postgresql" in wanted:
        _state["no_postgresql"] = "PostgreSQL not reachable outside CI"
        _state["notes"].append(f"PostgreSQL unreachable ({pg_problem}): PostgreSQL-only tests skipped")
    else:
        _state["no_postgresql"] = "PostgreSQL left out by IPS_TEST_DBS"
    if "sqlite" in wanted or not backends:
        backends.append("sqlite")
    _state["backends"] = backends
    _state["redis"] = None if redis_problem else REDIS_URL
    if redis_problem:
        _state["notes"].append(f"Redis unreachable ({redis_problem}): Redis tests skipped")


def pytest_terminal_summary(terminalreporter):
    terminalreporter.section("ips-coord test services")
    for backend in _state["backends"]:
        if f"url_{backend}" in _state:
            terminalreporter.write_line(f"database exercised: {backend} at {_state[f'url_{backend}']}")
    if _state.get("redis_used"):
        terminalreporter.write_line(f"redis exercised: {_state['redis']}")
    for note in _state["notes"]:
        terminalreporter.write_line(f"note: {note}")


def _admin_execute(*statements: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    admin.dispose()


def _pg_url(name: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _create_pg_database(template: str | None = None) -> str:
    name = f"ips_test_{uuid.uuid4().hex[:10]}"
    # Commits need not wait for the disk in a throw-away database (another connection still sees
    # them at once); under a loaded disk each commit's flush cost a test up to seconds.
    _admin_execute(
        f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""),
        f'ALTER DATABASE "{name}" SET synchronous_commit = off',
    )
    return _pg_url(name)


def _pg_template() -> str:
    """This run's template: one PostgreSQL database migrated with Alembic to head, as in
    production, on first use; every further migrated database is a copy of it (CREATE DATABASE
    ... TEMPLATE copies it in 0.15-0.4 s, against 3-10 s for running the migrations again)."""
    if "pg_template" not in _state:
        from flask_migrate import upgrade

        url = _create_pg_database()
        _state["pg_template"] = make_url(url).database
        application = make_app(url)
        with application.app_context():
            upgrade()
            from ips_coord.extensions import db

            db.session.remove()
            db.engine.dispose()
        # A copy needs the template free of connections.
        _admin_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{_state['pg_template']}' AND pid <> pg_backend_pid()"
        )
    return _state["pg_template"]


def _fresh_database(backend: str, tmp_path_factory, migrated: bool = True) -> str:
    """A database of its own: on PostgreSQL a copy of the migrated template (or an empty one
    for a test that runs the migrations itself), on SQLite an empty file."""
    if backend == "postgresql":
        url = _create_pg_database(_pg_template() if migrated else None)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "ips_test.sqlite")
    _state[f"url_{backend}"] = make_url(url).render_as_string(hide_password=True)
    return url


def _drop_database(url: str) -> None:
    """Dropped in a thread: DROP DATABASE waits for a checkpoint (1-9 s under load), which the
    next tests need not wait for. The run waits for every drop at its end."""
    if url.startswith("postgresql"):
        statement = f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'
        _state.setdefault("drops", []).append(_background("drop").submit(_admin_execute, statement))


def _background(name: str) -> ThreadPoolExecutor:
    """A thread for background work of one kind (the drops), started on first use."""
    return _state.setdefault(f"thread_{name}", ThreadPoolExecutor(1, thread_name_prefix=f"ips-test-{name}"))


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    if "pg_template" in _state:
        _drop_database(_pg_url(_state.pop("pg_template")))
    for drop in _state.pop("drops", []):
        try:
            drop.result()
        except Exception as exc:  # noqa: BLE001 - named in the summary; the tests have run
            _state["notes"].append(f"a test database was not dropped: {str(exc).splitlines()[0]}")


def make_app(db_url: str, **extra):
    from ips_coord import create_app

    config = {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": db_url, "BASE_URL": "http://testserver", **extra}
    return create_app(config, clock=FrozenClock(T0))


@pytest.fixture(scope="session", params=None)
def _backend(request):
    return request.param


# Which database a test runs on. PostgreSQL is the production database: with PostgreSQL in the
# run, every database test runs on it. SQLite (`make run`'s embedded default) runs again only
# what differs between the two: every test under SQLITE_TOO (tests/db exercises the services and
# with them the dialect-specific SQL: upserts, month grouping, claims without SKIP LOCKED, the
# partitions SQLite does not have, the append-only triggers, locking by one writer; tests/unit
# the stored times and texts) and every test marked `sqlite_too` elsewhere (the search
# expressions and their indexes, the change feed's counter, the webhook claim). The browser
# walks (tests/e2e) and the fuzzers are never marked: PostgreSQL only. Without PostgreSQL in
# the run (IPS_TEST_DBS=sqlite, as `make test-fast`) every test runs on SQLite.
# tests/unit/test_test_selection.py checks this rule.
SQLITE_TOO = ("tests/db/", "tests/unit/")


def backends_for(path: str, marked_sqlite_too: bool, backends: list[str]) -> list[str]:
    """The databases a test at `path` (relative to the repository) runs on."""
    if "postgresql" not in backends or marked_sqlite_too or path.startswith(SQLITE_TOO):
        return list(backends)
    return ["postgresql"]


def pytest_generate_tests(metafunc):
    if "_backend" in metafunc.fixturenames:
        path = metafunc.definition.path.relative_to(metafunc.config.rootpath).as_posix()
        marked = metafunc.definition.get_closest_marker("sqlite_too") is not None
        metafunc.parametrize("_backend", backends_for(path, marked, _state["backends"]), scope="session", indirect=True)


@pytest.fixture(scope="session")
def app(_backend, tmp_path_factory):
    """The app on a freshly migrated database (Alembic upgrade to head, as in production; on
    PostgreSQL a copy of this run's migrated template)."""
    from flask_migrate import upgrade

    url = _fresh_database(_backend, tmp_path_factory)
    application = make_app(url)
    if _backend == "sqlite":
        with application.app_context():
            upgrade()
    yield application
    with application.app_context():
        from ips_coord.extensions import db

        db.engine.dispose()
    _drop_database(url)


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory):
    """A fresh PostgreSQL database per test module, migrated to head, for PostgreSQL behaviour
    (row locks, concurrency, worker processes)."""
    if "postgresql" not in _state["backends"]:
        pytest.skip(_state["no_postgresql"])
    url = _fresh_database("postgresql", tmp_path_factory)
    yield url
    _drop_database(url)


@pytest.fixture
def pg_empty_url(tmp_path_factory):
    """An empty PostgreSQL database, for a test that runs the migrations itself."""
    if "postgresql" not in _state["backends"]:
        pytest.skip(_state["no_postgresql"])
    url = _fresh_database("postgresql", tmp_path_factory, migrated=False)
    yield url
    _drop_database(url)


@pytest.fixture
def clock(app):
    """The app's clock, frozen at T0 and reset for every test."""
    clk = FrozenClock(T0)
    app.extensions["ips_clock"] = clk
    return clk


@pytest.fixture
def db(app, clock):
    """An app context on an empty database; every table is emptied after the test."""
    from ips_coord.extensions import db as _db

    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        _empty_tables(_db)


# The physical tables of the schema (a partitioned table's months included) that hold or held a
# row, and the sequences of the models' tables that handed out a number.
_USED_TABLES = text(
    "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' "
    "AND relname <> 'alembic_version' AND pg_relation_size(oid) > 0"
)
_USED_SEQUENCES = text(
    "SELECT s.oid::regclass::text, ps.start_value FROM pg_depend d "
    "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' JOIN pg_class t ON t.oid = d.refobjid "
    "JOIN pg_sequences ps ON ps.schemaname = current_schema() AND ps.sequencename = s.relname "
    "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
    "AND t.relname = ANY(:tables) AND ps.last_value IS NOT NULL"
)


def _empty_pg(engine, metadata) -> None:
    """Every table as TRUNCATE ... RESTART IDENTITY leaves it: no rows, no pages, sequences at
    their start. TRUNCATE itself cost every test 0.13 s on a quiet machine and 1.5-2 s under
    load (a new file for each of 44 tables and their indexes); this takes 0.05-0.15 s: DELETE
    of the tables a test used, VACUUM (which hands their emptied pages back, so the next rows
    are stored, and read back without ORDER BY, in the order inserted, as after TRUNCATE) and
    setval. If a table still has pages (VACUUM could not free them), TRUNCATE as before.

    Not rolled-back transactions: the access log writes on a connection of its own, committed
    at once (access/audit.py), and its rows refer to the users and cases a test made, so a
    test's rows must be committed where that connection sees them."""
    tables = [t.name for t in metadata.sorted_tables]
    with engine.begin() as conn:
        used = conn.execute(_USED_TABLES).scalars().all()
        if used:
            # Replica mode: neither the foreign keys nor the append-only triggers fire.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in used:
                conn.execute(text(f'DELETE FROM "{table}"'))
        for sequence, start in conn.execute(_USED_SEQUENCES, {"tables": tables}).all():
            conn.execute(text("SELECT setval(CAST(:s AS regclass), :start, false)"), {"s": sequence, "start": start})
    if not used:
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM " + ", ".join(f'"{t}"' for t in used)))
        if conn.execute(_USED_TABLES).first() is None:
            return
    _truncate(engine, metadata)


def _truncate(engine, metadata) -> None:
    # TRUNCATE, not a bare DELETE: a table emptied by DELETE reuses its freed slots, so rows read
    # back without ORDER BY came in another order than inserted and a test failed at random
    # (tried 2026-11-24). TRUNCATE gives every test fresh tables and sequences.
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


def _empty_tables(_db):
    if _db.engine.dialect.name == "postgresql":
        _empty_pg(_db.engine, _db.metadata)
        return
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        # The append-only triggers refuse DELETE; lift them for the clean-up only.
        triggers = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
        for name, _sql in triggers:
            conn.execute(text(f'DROP TRIGGER "{name}"'))
        for t in tables:
            conn.execute(text(f'DELETE FROM "{t}"'))
        for _name, sql in triggers:
            conn.execute(text(sql))


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context and database session, as in production,
    even while the test holds an app context of its own."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, db):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def world(db):
    """A small organisation set-up: one IPS team, psychiatry, jobcenter, and their staff."""
    from tests.factories import World

    return World.build()


@pytest.fixture
def redis_url():
    if _state.get("redis") is None:
        pytest.skip("Redis not reachable outside CI")
    _state["redis_used"] = True
    return _state["redis"]

"""Test fixtures.

Database tests run on every backend that is available: a fresh PostgreSQL database created
for this run (dropped at the end) and a SQLite file. With CI=true, PostgreSQL and Redis must
be reachable, or the run stops with an error: CI never silently falls back.
"""
from __future__ import annotations

import contextvars
import os
import uuid
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
    except Exception as exc:  # noqa: BLE001
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


def _fresh_database(backend: str, tmp_path_factory) -> str:
    if backend == "postgresql":
        name = f"ips_test_{uuid.uuid4().hex[:10]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "ips_test.sqlite")
    _state[f"url_{backend}"] = make_url(url).render_as_string(hide_password=True)
    return url


def _drop_database(url: str) -> None:
    if url.startswith("postgresql"):
        name = make_url(url).database
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(db_url: str, **extra):
    from ips_coord import create_app

    config = {"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": db_url, "BASE_URL": "http://testserver", **extra}
    return create_app(config, clock=FrozenClock(T0))


@pytest.fixture(scope="session", params=None)
def _backend(request):
    return request.param


def pytest_generate_tests(metafunc):
    if "_backend" in metafunc.fixturenames:
        metafunc.parametrize("_backend", _state["backends"], scope="session", indirect=True)


@pytest.fixture(scope="session")
def app(_backend, tmp_path_factory):
    """The app on a freshly migrated database (Alembic upgrade to head, as in production)."""
    from flask_migrate import upgrade

    url = _fresh_database(_backend, tmp_path_factory)
    application = make_app(url)
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        from ips_coord.extensions import db

        db.engine.dispose()
    _drop_database(url)


@pytest.fixture(scope="module")
def pg_url(tmp_path_factory):
    """A fresh PostgreSQL database per test module, for PostgreSQL behaviour (row locks, concurrency)."""
    if "postgresql" not in _state["backends"]:
        pytest.skip(_state["no_postgresql"])
    url = _fresh_database("postgresql", tmp_path_factory)
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


def _empty_tables(_db):
    tables = [t.name for t in reversed(_db.metadata.sorted_tables)]
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # TRUNCATE, not DELETE: a table emptied by DELETE reuses its freed slots, so rows read
            # back without ORDER BY came in another order than inserted and a test failed at
            # random (tried 2026-11-24). TRUNCATE gives every test fresh tables and sequences.
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
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

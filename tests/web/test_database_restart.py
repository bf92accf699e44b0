"""A database restart (PostgreSQL drops every connection) with no ping before each checkout:
a read is answered as if nothing happened, a write gets 503 with Retry-After, never a 500."""

from __future__ import annotations

import re

from ips_coord.extensions import db as _db
from tests.factories import login


def _drop_every_connection(app) -> int:
    """What a restart does to the pool: every server process of this database ends (the same
    FATAL 57P01 that a fast shutdown sends). Returns how many there were."""
    import psycopg

    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    return row[0] if row else 0


def test_a_read_after_a_restart_is_answered_and_a_write_gets_503(app, client, world, clock):
    login(client, world.consultant)
    assert client.get("/my-day").status_code == 200  # the pool holds a connection now
    _db.session.rollback()  # the test's own session lets go of its connection too
    _db.session.remove()
    assert _drop_every_connection(app) >= 1

    page = client.get("/my-day")
    assert page.status_code == 200  # run again on a new connection; the first run was not sent
    assert client.get("/my-day").status_code == 200

    assert _drop_every_connection(app) >= 1
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    answer = client.post("/search", data={"q": "x", "csrf_token": token})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert client.post("/search", data={"q": "x", "csrf_token": token}).status_code in (200, 303)

"""Waking the worker after a request is a nudge that never holds the request: with the broker
down (a closed port) or silent (a port that accepts and never answers), a write that queues an
e-mail someone waits for answers as fast as with no broker at all, and the e-mail waits in the
outbox for the sweep."""

from __future__ import annotations

import socket
import time

from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import Notification
from tests.conftest import make_app


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_a_write_that_wakes_the_worker_returns_at_once_while_the_broker_is_down(app, world):
    silent = socket.socket()  # accepts connections (the kernel's backlog) and never says a word
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        for broker in (f"redis://127.0.0.1:{_closed_port()}/0", f"redis://127.0.0.1:{silent.getsockname()[1]}/0"):
            web = make_app(app.config["SQLALCHEMY_DATABASE_URI"], DELIVERY_WAKE=True, CELERY={"broker_url": broker})
            with web.app_context():
                client = web.test_client()
                started = time.monotonic()
                resp = client.post("/password/forgot", data={"email": world.consultant.email})
                took = time.monotonic() - started
                assert resp.status_code == 302, broker
                assert took < 1.0, f"the request waited {took:.2f} s for the broker {broker}"
                _db.session.remove()
                _db.engine.dispose()
        rows = _db.session.scalars(select(Notification).where(Notification.kind == "password_reset")).all()
        _db.session.commit()
        assert len(rows) == 2 and {r.status for r in rows} == {"pending"}, "the sweep sends them"
    finally:
        silent.close()

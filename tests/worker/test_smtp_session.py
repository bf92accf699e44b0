"""One SMTP session per worker process, reused between emails and replaced when it dies."""

from __future__ import annotations

import pytest

from ips_coord.notifications.delivery import deliver_many
from ips_coord.notifications.email import close_session
from ips_coord.notifications.sweep import claim_due_notifications
from tests.factories import World
from tests.worker.conftest import SmtpSink

pytestmark = pytest.mark.postgres_only  # the worker stack runs on PostgreSQL


class CountingSink(SmtpSink):
    """Counts SMTP sessions (one EHLO each)."""

    sessions = 0

    def start(self):
        super().start()

        async def handle_EHLO(server, session, envelope, hostname, responses):
            self.sessions += 1
            session.host_name = hostname
            return responses

        self.controller.handler.handle_EHLO = handle_EHLO


def test_emails_share_one_session_and_a_dropped_one_is_replaced(stack):
    stack.sink.stop()
    sink = CountingSink(port=stack.sink.port)
    sink.start()
    stack.sink = sink
    close_session()
    try:
        world = World.build()
        stack.outbox(world, 5)
        ids = claim_due_notifications(stack.clock.now(), 10)
        assert deliver_many(ids) == ["sent"] * 5
        assert len(sink.messages) == 5 and sink.sessions == 1
        # The server goes away and comes back: the kept session is dead, the next email opens a new one.
        sink.stop()
        sink.start()
        stack.outbox(world, 1, kind="job_started")
        [nid] = claim_due_notifications(stack.clock.now(), 10)
        assert deliver_many([nid]) == ["sent"]
        assert len(sink.messages) == 6 and sink.sessions == 2
    finally:
        close_session()
        sink.stop()


def test_no_final_dot_when_the_wait_for_its_reply_would_outlast_the_claim(stack):
    """A send whose lease could run out while the server still owes the reply to the "." stops
    before the ".": the server discards the message, and the row is tried again later."""
    from ips_coord.extensions import db
    from ips_coord.models import Notification

    close_session()
    stack.app.config["CLAIM_TIMEOUT_SECONDS"] = stack.app.config["SMTP_DATA_END_TIMEOUT_SECONDS"] - 1
    try:
        world = World.build()
        stack.outbox(world, 1)
        [nid] = claim_due_notifications(stack.clock.now(), 10)
        assert deliver_many([nid]) == ["retry"]
        row = db.session.get(Notification, nid)
        assert row.status == "pending" and "claim would run out" in row.last_error
        assert stack.sink.arrivals == [] and stack.sink.messages == []
    finally:
        close_session()

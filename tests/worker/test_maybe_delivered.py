"""A server whose 250 to the final "." comes after SMTP_DATA_END_TIMEOUT_SECONDS has stored the
message although the worker gave up waiting: each attempt is another copy. Such a timeout is its
own outcome, "maybe delivered": the row is tried once more after a long pause
(MAYBE_DELIVERED_RETRY_SECONDS), then recorded as uncertain, never as failed, and the
coordinator's notification page shows it as such."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ips_coord.extensions import db
from ips_coord.models import Notification
from ips_coord.notifications.delivery import deliver_many
from ips_coord.notifications.email import close_session
from ips_coord.notifications.sweep import claim_due_notifications
from tests.factories import World, login

pytestmark = pytest.mark.postgres_only  # the worker stack runs on PostgreSQL


def test_a_250_after_the_data_end_timeout_is_retried_once_after_a_pause_then_uncertain(stack):
    close_session()
    cfg = stack.app.config
    cfg["SMTP_DATA_END_TIMEOUT_SECONDS"] = 0.3
    stack.sink.delay = 1.0  # the server stores every copy and confirms it too late
    pause = cfg["MAYBE_DELIVERED_RETRY_SECONDS"]
    try:
        world = World.build()
        stack.outbox(world, 1)
        started = stack.clock.now()
        [nid] = claim_due_notifications(started, 10)
        assert deliver_many([nid]) == ["maybe"]
        row = db.session.get_one(Notification, nid)
        assert row.status == "pending" and row.maybe_delivered_at is not None and row.attempts == 1
        assert row.next_attempt_at >= started + timedelta(seconds=pause), "a long pause, not the backoff"
        db.session.commit()
        stack.clock.advance(seconds=pause - 60)
        assert claim_due_notifications(stack.clock.now(), 10) == []
        stack.clock.advance(seconds=61)
        [again] = claim_due_notifications(stack.clock.now(), 10)
        assert deliver_many([again]) == ["uncertain"]
        db.session.expire_all()
        row = db.session.get_one(Notification, nid)
        assert row.status == "uncertain" and row.attempts == 2 and "maybe delivered" in row.last_error
        db.session.commit()
        stack.clock.advance(days=30)
        assert claim_due_notifications(stack.clock.now(), 10) == [], "never a third copy"
        # The server had the whole message twice (the same Message-ID), and the coordinator sees
        # the row as maybe delivered, not among the failed ones.
        assert len(stack.sink.arrivals) == 2 and len(set(stack.sink.arrivals)) == 1
        client = stack.app.test_client()
        login(client, world.coordinator)
        page = client.get("/coordinator/notifications").get_data(as_text=True)
        failed, _, uncertain = page.partition('id="uncertain-h"')
        assert f'data-notification="{nid}"' in uncertain and f'data-notification="{nid}"' not in failed
    finally:
        close_session()

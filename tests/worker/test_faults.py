"""Delivery survives a killed worker, a Redis outage, an SMTP outage and a second beat,
and never sends an email twice (Message-IDs counted at the SMTP server). The crash-point
tests are in test_crash_points.py."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from tests.conftest import IsolatedClient
from tests.factories import World, bearer, login
from tests.worker.conftest import wait_until

# Real worker, beat, Redis and SMTP processes on PostgreSQL (SKIP LOCKED, concurrent workers).
pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]


def assert_each_once(sink, expected: int):
    counts = Counter(sink.message_ids())
    assert len(counts) == expected, f"{len(counts)} distinct of {expected}"
    assert max(counts.values()) == 1, [mid for mid, n in counts.items() if n > 1][:5]


def test_redis_down_while_cases_change(stack):
    stack.real_time()
    world = World.build()
    worker = stack.procs.worker()
    stack.procs.beat()
    cases = [world.case_in("job_search") for _ in range(3)]
    for case in cases:
        world.consent_employment_to_psychiatry(case)
    # Every row sent, not just claimed: a send still in flight would land after `before`.
    wait_until(lambda: set(stack.statuses()) == {"sent"}, 60, what="the enrolment emails")
    before = len(stack.sink.messages)
    stack.redis.stop()
    stack.app.test_client_class = IsolatedClient
    client = stack.app.test_client()
    h = bearer(world.consultant)
    for case in cases:
        version = client.get(f"/api/v1/cases/{case.id}", headers=h).json["version"]
        r = client.post(
            f"/api/v1/cases/{case.id}/transitions",
            headers=h,
            json={
                "event": "start_job",
                "version": version,
                "employer_name": "Lageret",
                "benefits_counselling_offered": True,
            },
        )
        assert r.status_code == 200, r.json  # the API does not need the broker
    assert len(stack.sink.messages) == before
    stack.redis.start()
    # 3 job starts x (psychiatry + jobcenter)
    delivered(stack, lambda: len(stack.sink.messages) >= before + 6, "delivery after Redis is back")
    wait_until(lambda: set(stack.statuses()) == {"sent"}, 30, what="every row marked sent")
    assert_each_once(stack.sink, len(stack.sink.messages))
    assert worker.poll() is None, stack.procs.logs()


def test_redis_lost_while_a_task_runs(stack):
    """Redis goes away while a delivery task is running, so the worker holds an unacknowledged
    message when its connection breaks, and acknowledges it on the lost channel after the
    reconnect (kombu 5.7 made such a worker exit: see BrokerLossConsumer). The SMTP server holds
    the first 250 until the worker has seen the broker go: the order is forced, not timed."""
    stack.real_time()
    world = World.build()
    worker = stack.procs.worker()

    def log() -> str:
        with open(worker.log_path) as f:
            return f.read()

    redis_down = threading.Event()
    stack.sink.reply = lambda mid, seen: (
        lambda: redis_down.is_set() and "Connection to broker lost" in log(),
        "250 OK",
    )
    stack.outbox(world, 3)
    stack.procs.beat()
    wait_until(lambda: stack.sink.arrivals, 60, what="the first message at the server")
    stack.redis.stop()
    redis_down.set()  # the worker sees the broker go, then the task finishes its batch
    wait_until(lambda: len(stack.sink.messages) == 3, 30, what="the batch sent while Redis is down")
    stack.redis.start()
    stack.outbox(world, 2, kind="job_started")  # new work after the outage reaches the worker
    delivered(stack, lambda: len(stack.sink.messages) == 5, "delivery after Redis is back")
    wait_until(lambda: stack.statuses() == {"sent": 5}, 30, what="rows marked sent")
    assert_each_once(stack.sink, 5)
    assert worker.poll() is None, stack.procs.logs()
    # Both kombu errors were met and outlived: the close, and the ack on the lost channel.
    wait_until(lambda: "came on a lost broker connection" in log(), 30, what="the late ack forgotten")
    assert "broker connection closed with an error" in log()
    assert "Unrecoverable error" not in log()


def delivered(stack, predicate, what: str):
    """wait_until, with the worker's and beat's logs when it times out."""
    try:
        wait_until(predicate, 120, what=what)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{stack.procs.logs()}") from None


def test_smtp_down_for_a_while_is_retried(stack):
    stack.real_time()
    world = World.build()
    stack.sink.stop()
    stack.outbox(world, 5)
    stack.procs.worker()
    stack.procs.beat()
    from sqlalchemy import func, select

    from ips_coord.extensions import db
    from ips_coord.models import Notification

    def min_attempts():
        db.session.expire_all()
        value = db.session.scalar(select(func.min(Notification.attempts)))
        db.session.commit()
        return value >= 2

    wait_until(min_attempts, 60, what="retries while SMTP is down")
    assert stack.sink.messages == []
    stack.sink.start()
    wait_until(lambda: len(stack.sink.messages) == 5, 60, what="delivery after SMTP is back")
    wait_until(lambda: stack.statuses() == {"sent": 5}, 30, what="rows marked sent")
    assert_each_once(stack.sink, 5)


def test_smtp_down_for_good_fails_visibly(stack):
    stack.real_time()
    stack.env["NOTIFY_MAX_ATTEMPTS"] = "3"
    world = World.build()
    stack.sink.stop()
    case = stack.outbox(world, 2)
    stack.procs.worker()
    stack.procs.beat()
    wait_until(lambda: stack.statuses() == {"failed": 2}, 90, what="rows failed after the last attempt")
    stack.app.test_client_class = IsolatedClient
    client = stack.app.test_client()
    login(client, world.coordinator)
    page = client.get("/coordinator/notifications").get_data(as_text=True)
    assert "E-mails der ikke kunne leveres" in page and "(2)" in page
    assert case.reference in page and "ConnectionRefusedError" in page
    # The server is back; "Send again" re-queues each row, and it goes out under its own Message-ID.
    from sqlalchemy import select

    from ips_coord.extensions import db
    from ips_coord.models import Notification
    from ips_coord.notifications.email import message_id

    stack.sink.start()
    rows = db.session.scalars(select(Notification)).all()
    db.session.commit()
    for row in rows:
        assert client.post(f"/coordinator/notifications/{row.id}/retry").status_code == 302
    wait_until(lambda: stack.statuses() == {"sent": 2}, 60, what="both rows sent after 'Send again'")
    assert sorted(stack.sink.message_ids()) == sorted(message_id(row) for row in rows)
    refused = client.post(f"/coordinator/notifications/{rows[0].id}/retry")
    assert refused.status_code == 409 and "allerede leveret" in refused.get_data(as_text=True)
    assert stack.statuses() == {"sent": 2} and len(stack.sink.messages) == 2


def test_two_beats_send_nothing_twice(stack):
    stack.real_time()
    stack.sink.delay = 0.005
    world = World.build()
    stack.outbox(world, 300)
    stack.procs.worker()
    stack.procs.worker()
    stack.procs.beat()
    stack.procs.beat()
    wait_until(lambda: len(stack.sink.messages) >= 300, 180, what="300 emails")
    wait_until(lambda: stack.statuses() == {"sent": 300}, 30, what="rows marked sent")
    assert_each_once(stack.sink, 300)


def test_a_backlog_drains_without_waiting_for_the_next_sweep(stack):
    """One sweep, batches of 50, 300 due: dispatch tasks claim batch after batch behind the
    deliveries, so the backlog goes out at the workers' pace, with no beat running."""
    stack.real_time()
    stack.env["SWEEP_BATCH"] = "50"
    world = World.build()
    stack.outbox(world, 300)
    stack.procs.worker()
    stack.app.extensions["celery"].send_task("ips_coord.sweep")
    wait_until(lambda: len(stack.sink.messages) >= 300, 60, what="300 emails from one sweep")
    wait_until(lambda: stack.statuses() == {"sent": 300}, 30, what="rows marked sent")
    assert_each_once(stack.sink, 300)

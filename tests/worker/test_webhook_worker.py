"""Webhooks at least once across a worker killed with SIGKILL.

A real Celery worker and beat deliver the changes of N new cases to a small HTTP receiver on
127.0.0.1; the worker dies at a named crash point (ips_coord.notifications.failpoints) the first
time it reaches it, the clock moves past the claim's lease while no worker runs, and a restarted
worker finishes. Every delivery arrives with a valid signature; a second copy (same webhook-id,
which the receiver drops) comes only from dying between the receiver's 2xx and recording it.
"""

from __future__ import annotations

import signal
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from ips_coord.extensions import db
from ips_coord.models import WebhookDelivery, WebhookEndpoint
from ips_coord.notifications.failpoints import WEBHOOK_POINTS
from ips_coord.services import integrations
from tests.api.test_webhooks import Receiver, verify
from tests.factories import World
from tests.worker.conftest import wait_until

N = 12
DUPLICATES_ALLOWED = {"webhook.after_response": 1}  # the one delivery in flight when it died


def _statuses() -> dict:
    db.session.expire_all()
    out = dict(db.session.execute(select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)).all())
    db.session.commit()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("point", list(WEBHOOK_POINTS))
def test_a_worker_killed_at_each_point_loses_no_webhook(stack, point):
    receiver = Receiver().start()
    try:
        world = World.build()
        _token, token = integrations.create_service_token(
            world.admin, world.team.id, "Fagsystem", ["webhooks:receive"], 30
        )
        _half, token = integrations.approve_service_token(world.privacy_officer, token.id)
        endpoint = integrations.register_webhook(world.admin, token.id, receiver.url, ["case_event"])
        secret = endpoint.secret
        for i in range(N):
            world.referral(first=f"W{i}")
        stack.env["IPS_FAILPOINTS"] = f"{point}:once"
        worker = stack.procs.worker(pool="solo")
        stack.procs.beat()
        wait_until(lambda: worker.poll() is not None, 60, what=f"the worker to die at {point}")
        assert worker.returncode == -signal.SIGKILL
        assert f"failpoint {point}: killing process {worker.pid}" in Path(worker.log_path).read_text()
        stack.clock.advance(seconds=stack.app.config["CLAIM_TIMEOUT_SECONDS"] + 1)
        restarted = stack.procs.worker(pool="solo")
        wait_until(lambda: _statuses() == {"sent": N}, 60, what=f"all {N} deliveries after the restart")
        assert restarted.poll() is None
        expected = {f"whd_{i}" for i in db.session.scalars(select(WebhookDelivery.id))}
        db.session.commit()
        counts = Counter(receiver.ids())
        assert set(counts) == expected, "every delivery arrived"
        duplicated = sum(counts.values()) - len(counts)
        assert duplicated <= DUPLICATES_ALLOWED.get(point, 0)
        with receiver.lock:
            bodies = [verify(secret, h, b) for h, b in receiver.received]
        assert {b["id"] for b in bodies} == expected and all(b["type"] == "case_event.created" for b in bodies)
        print(f"webhook crash point {point}: {N} deliveries, lost 0, duplicated {duplicated}")
    finally:
        receiver.stop()


@pytest.mark.slow
def test_a_malformed_endpoint_never_stalls_the_other_endpoints_deliveries(stack):
    """An address that passed no check (written straight into the database) fails its own rows
    with backoff; the other endpoint's deliveries in the same chunk arrive at once, far inside
    the claim timeout that a stalled chunk would wait for."""
    receiver = Receiver().start()
    try:
        world = World.build()
        _token, token = integrations.create_service_token(
            world.admin, world.team.id, "Fagsystem", ["webhooks:receive"], 30
        )
        _half, token = integrations.approve_service_token(world.privacy_officer, token.id)
        bad = integrations.register_webhook(world.admin, token.id, receiver.url, ["case_event"])
        good = integrations.register_webhook(world.admin, token.id, receiver.url, ["case_event"])
        db.session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == bad.id).values(url="https://a.b:abc/"))
        db.session.commit()
        for i in range(N):
            world.referral(first=f"M{i}")
        stack.procs.worker(pool="solo")
        stack.procs.beat()

        def good_done() -> bool:
            db.session.expire_all()
            rows = db.session.execute(select(WebhookDelivery.endpoint_id, WebhookDelivery.status)).all()
            db.session.commit()
            return len(rows) == 2 * N and all(s == "sent" for e, s in rows if e == good.id)

        wait_until(good_done, 30, what="the good endpoint's deliveries")
        rows = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == bad.id)).all()
        db.session.commit()
        assert len(rows) == N and all(r.status == "pending" and r.attempts >= 1 for r in rows)
        assert {r.last_error for r in rows} == {"could not connect"}
        assert len(set(receiver.ids())) == N
    finally:
        receiver.stop()

"""Webhooks: registering an endpoint, fan-out through the access policy, signed
deliveries to a real HTTP receiver on loopback, retries with backoff, the delivery log and
"send again". The worker-kill test is in tests/worker/test_webhook_worker.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from ips_coord.access.feed import CHANGE_PARTS
from ips_coord.clock import utcnow
from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, IpsCase, WebhookDelivery
from ips_coord.notifications.webhook_delivery import deliver_many
from ips_coord.services import activities as act
from ips_coord.services import integrations, webhooks
from tests.factories import bearer, service_token

pytestmark = pytest.mark.sqlite_too  # the delivery claim differs per database (SKIP LOCKED on PostgreSQL)


def verify(secret: str, headers, body: bytes, tolerance: int = 300, now: int | None = None) -> dict:
    """What an integrator does (docs/integrations.md): check the signature and the timestamp."""
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    given = [s.partition(",")[2] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
    if not any(hmac.compare_digest(expected, g) for g in given):
        raise ValueError("bad signature")
    if now is not None and abs(now - int(timestamp)) > tolerance:
        raise ValueError("too old")
    return json.loads(body)


@dataclass
class Receiver:
    """A small HTTP server on 127.0.0.1 that records every POST; `answer` gives the status."""

    answer: object = 200
    received: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.received.append((dict(self.headers.items()), body))
                    n = len(receiver.received)
                status = receiver.answer(n) if callable(receiver.answer) else receiver.answer
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/ips"

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def ids(self):
        with self.lock:
            return [h["webhook-id"] for h, _b in self.received]


@pytest.fixture
def receiver():
    r = Receiver().start()
    yield r
    r.stop()


def endpoint_for(world, org, url, kinds=("case", "case_event", "consent", "contact", "shared_health_info")):
    _token, token = service_token(world, org, ["webhooks:receive"])
    return integrations.register_webhook(world.admin, token.id, url, list(kinds))


def sweep_and_deliver(now=None):
    now = now or utcnow()
    webhooks.requeue_stale(now)
    webhooks.fan_out(now, 500)
    ids, _token = webhooks.claim_due(now, 500)
    return deliver_many(ids)


def test_every_subscribed_change_arrives_once_signed_with_references_only(world, receiver, clock):
    endpoint = endpoint_for(world, world.jobcenter, receiver.url)
    secret = endpoint.secret
    case = world.referral(first="Ida", last="Lyngvigsen")
    world.step(case, "enrol")
    act.share_health_info(_db.session.get(IpsCase, case.id), world.clinician, category="symptoms", text="Sover dårligt")
    act.record_consent(
        _db.session.get(IpsCase, case.id),
        world.consultant,
        from_party="ips_team",
        to_party="jobcenter",
        categories=["employment_progress"],
        purpose="Koordinering",
        given_at=utcnow().date(),
        expires_at=None,
    )
    outcomes = sweep_and_deliver()
    assert outcomes and set(outcomes) == {"sent"}
    rows = _db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
    _db.session.commit()
    assert len(receiver.received) == len(rows), "each delivery arrives once"
    assert sorted(receiver.ids()) == sorted(f"whd_{r.id}" for r in rows)
    bodies = [verify(secret, h, b, now=int(utcnow().timestamp())) for h, b in receiver.received]
    kinds = {b["data"]["kind"] for b in bodies}
    # The jobcenter is told of the case and the consents, not of psychiatry's information.
    assert "case" in kinds and "consent" in kinds and "shared_health_info" not in kinds
    for b in bodies:
        assert b["data"]["case_id"] == case.id and b["data"]["case_reference"] == case.reference
        assert b["type"] == f"{b['data']['kind']}.{b['data']['action']}" and int(b["data"]["cursor"]) > 0
    raw = b"".join(body for _h, body in receiver.received).decode()
    assert "Lyngvigsen" not in raw and "Ida" not in raw and "Sover" not in raw and "Koordinering" not in raw
    # A forged or altered body fails the check.
    h, b = receiver.received[0]
    with pytest.raises(ValueError):
        verify(secret, h, b.replace(b"case", b"cage"))
    # The next sweep has nothing new: nothing is sent twice.
    assert sweep_and_deliver() == []
    assert len(receiver.received) == len(rows)
    # Telling the system was a read by the integration account, in the access log.
    account_id = endpoint.token.user_id
    logged = _db.session.scalars(
        select(AccessLog.part).where(AccessLog.user_id == account_id, AccessLog.case_id == case.id)
    ).all()
    _db.session.commit()
    assert set(logged) == {CHANGE_PARTS[k] for k in kinds} and "shared_health_info" not in logged


def test_failures_retry_with_backoff_then_fail_and_send_again_resends_the_same_delivery(
    world, receiver, clock, app, client
):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    app.config["WEBHOOK_BACKOFF_SECONDS"] = 60.0
    receiver.answer = 503
    endpoint = endpoint_for(world, world.team, receiver.url, kinds=("case_event",))
    case = world.referral()
    assert sweep_and_deliver() == ["retry"]
    row = _db.session.scalar(select(WebhookDelivery))
    _db.session.commit()
    assert row.status == "pending" and row.attempts == 1 and row.last_status == 503
    wait = (row.next_attempt_at - utcnow()).total_seconds()
    assert 30 <= wait <= 90, "backoff: 60 s with jitter"
    assert sweep_and_deliver() == [], "not due before its backoff"
    clock.advance(seconds=91)
    assert sweep_and_deliver() == ["retry"]
    clock.advance(seconds=200)
    assert sweep_and_deliver() == ["failed"]
    assert len(receiver.received) == 3 and len(set(receiver.ids())) == 1, "one delivery, three attempts"
    # The admin's delivery log shows it failed; "send again" delivers the same delivery once more.
    log = bearer(world.admin)
    listed = client.get(f"/api/v1/admin/webhook-deliveries?endpoint_id={endpoint.id}&status=failed", headers=log)
    assert [d["id"] for d in listed.get_json()["items"]] == [row.id]
    assert listed.get_json()["items"][0]["last_status"] == 503
    receiver.answer = 204
    resent = client.post(f"/api/v1/admin/webhook-deliveries/{row.id}/resend", headers=log)
    assert resent.status_code == 200 and resent.get_json()["status"] == "pending"
    assert sweep_and_deliver() == ["sent"]
    assert receiver.ids() == [f"whd_{row.id}"] * 4
    assert client.post("/api/v1/admin/webhook-deliveries/999999/resend", headers=log).status_code == 404
    assert client.get("/api/v1/admin/webhook-deliveries", headers=bearer(world.consultant)).status_code == 403
    del case


def test_only_https_or_loopback_http_and_revoking_the_token_stops_deliveries(world, receiver, clock, client):
    _first, pending = integrations.create_service_token(world.admin, world.team.id, "S", ["webhooks:receive"], 30)
    resp = client.post(
        "/api/v1/admin/webhooks",
        headers=bearer(world.admin),
        json={"token_id": pending.id, "url": receiver.url, "kinds": ["case"]},
    )
    assert resp.status_code == 422 and "token_id" in resp.get_json()["errors"], "nothing flows before the approval"
    _half, token = integrations.approve_service_token(world.privacy_officer, pending.id)
    for url in (
        "http://example.org/hook",
        "ftp://127.0.0.1/x",
        "https://user:pw@example.org/",
        "not a url",
        "http://10.0.0.1/hook",
    ):
        resp = client.post(
            "/api/v1/admin/webhooks",
            headers=bearer(world.admin),
            json={"token_id": token.id, "url": url, "kinds": ["case"]},
        )
        assert resp.status_code == 422 and "url" in resp.get_json()["errors"], url
    ok = client.post(
        "/api/v1/admin/webhooks",
        headers=bearer(world.admin),
        json={"token_id": token.id, "url": "https://ips.example.org/hook", "kinds": ["case"]},
    )
    assert ok.status_code == 201 and ok.get_json()["secret"].startswith("whsec_")
    assert "secret" not in str(
        client.get("/api/v1/admin/webhooks", headers=bearer(world.admin)).get_json()["items"][0].get("secret") or ""
    )
    no_scope, plain = service_token(world, world.team, ["cases:read"])
    resp = client.post(
        "/api/v1/admin/webhooks",
        headers=bearer(world.admin),
        json={"token_id": plain.id, "url": receiver.url, "kinds": ["case"]},
    )
    assert resp.status_code == 422 and "token_id" in resp.get_json()["errors"]
    endpoint = integrations.register_webhook(world.admin, token.id, receiver.url, ["case"])
    world.referral()
    webhooks.fan_out(utcnow(), 100)  # due deliveries exist when the token is revoked ...
    integrations.revoke_service_token(token.id)
    assert set(sweep_and_deliver()) == {"failed"} and receiver.received == [], "... and are not sent"
    world.referral()
    assert sweep_and_deliver() == [] and receiver.received == [], "nothing new is fanned out"
    failed = _db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).all()
    _db.session.commit()
    assert failed and all(d.status == "failed" and "revoked" in d.last_error for d in failed)
    del no_scope


def test_a_receiver_that_answers_after_the_timeout_is_tried_once_more_after_a_pause_then_uncertain(world, clock, app):
    """Each late answer may mean the receiver stored it: one more attempt after the long pause,
    then the delivery is uncertain (never failed, never a third copy)."""
    import time

    app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.3
    receiver = Receiver(answer=lambda n: (time.sleep(1.0), 200)[1]).start()
    try:
        endpoint_for(world, world.team, receiver.url, kinds=("case",))
        world.referral()
        assert sweep_and_deliver() == ["maybe"]
        row = _db.session.scalar(select(WebhookDelivery))
        _db.session.commit()
        pause = app.config["MAYBE_DELIVERED_RETRY_SECONDS"]
        assert row.status == "pending" and row.maybe_delivered_at is not None
        assert (row.next_attempt_at - utcnow()).total_seconds() >= pause
        clock.advance(seconds=pause - 60)
        assert sweep_and_deliver() == []
        clock.advance(seconds=61)
        assert sweep_and_deliver() == ["uncertain"]
        _db.session.expire_all()
        row = _db.session.scalar(select(WebhookDelivery))
        _db.session.commit()
        assert row.status == "uncertain" and row.attempts == 2 and row.last_error.startswith("maybe delivered")
        clock.advance(days=30)
        assert sweep_and_deliver() == []
        time.sleep(1.0)
        assert receiver.ids() == [f"whd_{row.id}"] * 2, "two copies, the same webhook-id"
    finally:
        receiver.stop()

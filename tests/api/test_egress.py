"""The egress guard (ips_coord/egress.py): every outbound request reaches only public https
addresses on the allowed ports, checked at registration and again when the connection is made,
and one bad endpoint never keeps the others' deliveries from going out.

"Production mode" below is EGRESS_ALLOW_LOOPBACK off, as production has it (config refuses it
on); the tests' receivers run on 127.0.0.1, which only that setting lets through."""

from __future__ import annotations

import socket

import pytest
import requests
from sqlalchemy import select, update

from ips_coord import egress
from ips_coord.extensions import db as _db
from ips_coord.models import WebhookDelivery, WebhookEndpoint
from tests.api.test_webhooks import Receiver, endpoint_for, sweep_and_deliver
from tests.factories import bearer, service_token

# Each form an attacker or a typo can give, and why it is refused. With EGRESS_ALLOW_LOOPBACK on
# (development) the loopback forms are allowed; every other one is refused in both modes.
MALFORMED = [
    "https://127.0.0.1:99999/",  # port out of range
    "https://a.b:abc/",  # port not a number
    "https://example.org:-1/",
    "https://example.org:0/",
    "https:///hook",  # no host
    "https://:443/hook",
    "https://user:pw@example.org/",  # userinfo
    "https://user@example.org/",
    "https://example.org@10.0.0.1/",
    "https://[::1/",  # IPv6 literal forms
    "https://::1/",
    "https://[fe80::1%25eth0]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:7f00:1]/",
    "https://[::ffff:169.254.169.254]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://[2002:7f00:1::]/",
    "https://[2001::1]/",
    "https://[::]/",
    "https://[ff02::1]/",
    "https://[fd00::1]/",
    "https://[fc00::1]/",
    "https://[1.2.3.4]/",
    "https://127.1/",  # numeric spellings of an address
    "https://2130706433/",
    "https://0x7f.0.0.1/",
    "https://0177.0.0.1/",
    "https://10.0.0.1/",  # internal IPv4 ranges
    "https://172.16.0.1/",
    "https://192.168.1.1/",
    "https://100.64.0.1/",
    "https://169.254.169.254/latest/meta-data/",
    "https://0.0.0.0/",
    "https://224.0.0.1/",
    "https://255.255.255.255/",
    "https://240.0.0.1/",
    "https://a.localhost/",
    "https://intranet/",  # a single label: a name of the local network
    "https://example.org:8443/",  # a port not in EGRESS_PORTS
    "https://example.org:6379/",
    "ftp://example.org/",
    "javascript:alert(1)",
    "https://example.org/#fragment",
    "https://exa mple.org/",
    "https://example.org/\r\nX: y",
    "not a url",
    "",
]
LOOPBACK = [
    "https://127.0.0.1:5432/",
    "https://127.0.0.1:6379/",
    "https://localhost:5000/",
    "https://[::1]/",
    "http://127.0.0.1:8000/",
    "http://localhost/",
    "https://127.0.0.2/",
]
PUBLIC = [
    "https://hooks.example.org/ips",
    "https://example.org:443/x?y=1",
    "https://1.1.1.1/",
    "https://[2606:4700:4700::1111]/hook",
]


@pytest.fixture
def listener():
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def production_mode(app):
    app.config["EGRESS_ALLOW_LOOPBACK"] = False
    yield
    app.config["EGRESS_ALLOW_LOOPBACK"] = True


def _register(client, world, token_id, url):
    return client.post(
        "/api/v1/admin/webhooks",
        headers=bearer(world.admin),
        json={"token_id": token_id, "url": url, "kinds": ["case"]},
    )


def test_every_malformed_or_internal_address_is_refused_at_registration_with_a_422_naming_url(world, client, app):
    _token, token = service_token(world, world.team, ["webhooks:receive"])
    for allow_loopback in (False, True):
        app.config["EGRESS_ALLOW_LOOPBACK"] = allow_loopback
        refused = MALFORMED + ([] if allow_loopback else LOOPBACK)
        for url in refused:
            resp = _register(client, world, token.id, url)
            assert resp.status_code == 422, (allow_loopback, url, resp.get_json())
            assert list(resp.get_json()["errors"]) == ["url"], url
        for url in PUBLIC + (LOOPBACK if allow_loopback else []):
            assert _register(client, world, token.id, url).status_code == 201, (allow_loopback, url)
    app.config["EGRESS_ALLOW_LOOPBACK"] = True
    port = _register(client, world, token.id, "https://example.org:8443/").get_json()
    assert "443" in port["errors"]["url"][0], "the message names the allowed ports"
    assert _db.session.scalar(select(WebhookEndpoint.id).where(WebhookEndpoint.url.in_(MALFORMED))) is None


def test_the_guard_checks_at_connect_time_and_connects_to_the_checked_address(app):
    """A name is resolved when the connection is made and every address checked: a name that
    resolves to loopback (as a rebinding DNS server would answer) is never connected to, even
    past the address check; with loopback allowed, the request carries the name as Host."""
    receiver = Receiver().start()
    try:
        port = receiver.server.server_address[1]
        strict = egress.Policy(frozenset({443, port}), allow_loopback=False)
        with pytest.raises(egress.EgressRefused):
            egress.vetted_addresses("localhost", port, strict)
        bare = requests.Session()  # only the connection layer: no address check in front of it
        bare.trust_env = False
        bare.mount("http://", egress._adapter(strict))
        with pytest.raises(egress.EgressRefused):
            bare.post(f"http://localhost:{port}/hooks/ips", data=b"{}", timeout=5)
        with pytest.raises(egress.EgressRefused):
            egress.GuardedSession(strict).post(f"http://127.0.0.1:{port}/", data=b"{}", timeout=5)
        assert receiver.received == [], "nothing reached the loopback receiver"
        loose = egress.GuardedSession(egress.Policy(frozenset({443}), allow_loopback=True))
        assert loose.post(f"http://localhost:{port}/hooks/ips", data=b"{}", timeout=5).status_code == 200
        headers, _body = receiver.received[0]
        assert headers["Host"] == f"localhost:{port}"
        redirect = Receiver(answer=302).start()
        try:
            answer = loose.post(redirect.url, data=b"{}", timeout=5)
            assert answer.status_code == 302 and len(redirect.received) == 1, "a redirect is not followed"
        finally:
            redirect.stop()
    finally:
        receiver.stop()


def test_production_mode_reaches_no_internal_address_and_logs_only_could_not_connect(
    world, listener, clock, production_mode
):
    """Open and closed internal ports look the same in the delivery log."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    open_port = listener.server.server_address[1]
    targets = [
        f"http://127.0.0.1:{open_port}/",
        f"https://127.0.0.1:{open_port}/",
        f"https://localhost:{open_port}/",
        f"https://127.0.0.1:{closed_port}/",
        "https://[::1]/",
        "https://169.254.169.254/",
        "https://10.255.255.1/",
        "https://a.b:abc/",
        "https://127.0.0.1:99999/",
    ]
    for url in targets:
        endpoint = endpoint_for(world, world.team, "https://hooks.example.org/ips", kinds=("case",))
        # Written past the registration check: as an address registered before the guard, or
        # changed in the database.
        _db.session.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id).values(url=url))
    _db.session.commit()
    world.referral()
    outcomes = sweep_and_deliver()
    assert outcomes == ["retry"] * len(targets)
    rows = _db.session.scalars(select(WebhookDelivery)).all()
    _db.session.commit()
    assert {r.last_error for r in rows} == {egress.COULD_NOT_CONNECT} and {r.last_status for r in rows} == {None}
    assert all(r.status == "pending" and r.attempts == 1 for r in rows), "each row backs off on its own"
    assert listener.received == []


def test_one_malformed_endpoint_does_not_keep_the_others_deliveries_in_the_same_chunk(world, listener, clock):
    bad = endpoint_for(world, world.team, listener.url, kinds=("case", "case_event"))
    good = endpoint_for(world, world.team, listener.url, kinds=("case", "case_event"))
    _db.session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == bad.id).values(url="https://127.0.0.1:99999/")
    )
    _db.session.commit()
    for _ in range(3):
        world.referral()
    outcomes = sweep_and_deliver()
    good_ids = _db.session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == good.id)).all()
    _db.session.commit()
    assert good_ids and outcomes.count("sent") == len(good_ids) and outcomes.count("retry") == len(good_ids)
    assert sorted(listener.ids()) == sorted(f"whd_{i}" for i in good_ids)

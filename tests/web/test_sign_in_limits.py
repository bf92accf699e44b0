"""Sign-in limits per citizen and per e-mail typed, across client addresses; an address on record
answered exactly as an unknown one; nobody can keep the owner of an account out.

The app runs behind one proxy here (PROXY_HOPS=1), so each request's X-Forwarded-For is a
different client address, as a distributed attacker's would be."""

from __future__ import annotations

import email
import email.policy
import glob
import os
import re
import time
from datetime import timedelta

import pytest

from ips_coord.services.citizen_access import CODE_TRIES_PER_HOUR, CODES_PER_HOUR
from tests.conftest import IsolatedClient, make_app
from tests.factories import PASSWORD
from tests.web.test_citizen_view import citizen_case, deliver_due

KNOWN, UNKNOWN = "sara@borger.example", "nobody@borger.example"


@pytest.fixture
def proxied(app, db, clock):
    behind = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        PROXY_HOPS=1,
        LOGIN_FREE_FAILURES=3,
        LOGIN_LIMIT_ADDRESS="10000 per 15 minutes",
    )
    behind.extensions["ips_clock"] = clock
    behind.test_client_class = IsolatedClient
    return behind


def _from(n: int) -> dict:
    return {"X-Forwarded-For": f"198.51.100.{n % 250 + 1}"}


def _codes(app, address: str) -> list[str]:
    """Every sign-in code mailed to `address` so far, oldest first."""
    deliver_due(app)
    found = []
    for path in sorted(glob.glob(os.path.join(app.instance_path, "mailbox", "*.eml")), key=os.path.getmtime):
        with open(path, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        if msg["To"] == address:
            found += re.findall(r"\b(\d{6})\b", msg.get_body(("plain",)).get_content())[:1]
    return found


def test_codes_per_citizen_across_addresses_and_the_same_answers_for_an_unknown_address(proxied, world):
    citizen_case(world)
    before = len(_codes(proxied, KNOWN))
    statuses = {}
    for address in (KNOWN, UNKNOWN):
        statuses[address] = [
            proxied.test_client().post("/citizen/login", data={"email": address}, headers=_from(i)).status_code
            for i in range(CODES_PER_HOUR + 3)
        ]
    assert statuses[KNOWN] == statuses[UNKNOWN] == [302] * CODES_PER_HOUR + [429] * 3
    codes = _codes(proxied, KNOWN)[before:]
    assert len(codes) == CODES_PER_HOUR  # no e-mail beyond the limit: the mailbox is not flooded
    # A new request voids nothing: the first code still signs in, after four more were sent.
    client = proxied.test_client()
    with client.session_transaction() as s:
        s["citizen_login_email"] = KNOWN  # as the first request left it (asking again is refused now)
    resp = client.post("/citizen/login/code", data={"code": codes[0]}, headers=_from(99))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/citizen")


def test_wrong_codes_per_citizen_across_addresses_and_the_citizen_gets_in_after(proxied, world, clock):
    citizen_case(world)
    statuses = {}
    for address in (KNOWN, UNKNOWN):
        client = proxied.test_client()
        assert client.post("/citizen/login", data={"email": address}, headers=_from(0)).status_code == 302
        statuses[address] = []
        for i in range(CODE_TRIES_PER_HOUR + 2):
            with client.session_transaction() as s:
                s["citizen_login_email"] = address  # an attacker keeps the address; the client address varies
            statuses[address].append(
                client.post("/citizen/login/code", data={"code": f"{i:06d}"}, headers=_from(i + 1)).status_code
            )
    assert statuses[KNOWN] == statuses[UNKNOWN] == [400] * CODE_TRIES_PER_HOUR + [429] * 2
    right = _codes(proxied, KNOWN)[-1]
    citizen = proxied.test_client()
    citizen.post("/citizen/login", data={"email": KNOWN}, headers=_from(200))
    assert citizen.post("/citizen/login/code", data={"code": right}, headers=_from(200)).status_code == 429
    clock.advance(hours=1, seconds=1)  # the hour has passed: the citizen asks again and gets in
    assert citizen.post("/citizen/login", data={"email": KNOWN}, headers=_from(200)).status_code == 302
    resp = citizen.post("/citizen/login/code", data={"code": _codes(proxied, KNOWN)[-1]}, headers=_from(200))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/citizen")


def test_staff_login_known_and_unknown_alike_and_the_owner_gets_in(proxied, world, clock):
    statuses = {}
    for address in (world.consultant.email, "nobody@example.test"):
        statuses[address] = [
            proxied.test_client()
            .post("/login", data={"email": address, "password": "Wrong-one-1"}, headers=_from(7))
            .status_code
            for _ in range(6)
        ]
    # Three free failures (LOGIN_FREE_FAILURES=3), then the address waits: for both alike.
    assert statuses[world.consultant.email] == statuses["nobody@example.test"] == [400, 400, 400, 429, 429, 429]
    # The attacker's address waits; the owner, from their own address, signs in at once.
    owner = proxied.test_client()
    right = {"email": world.consultant.email, "password": PASSWORD}
    assert proxied.test_client().post("/login", data=right, headers=_from(7)).status_code == 429
    assert owner.post("/login", data=right, headers=_from(8)).status_code == 302


def test_many_addresses_together_meet_a_cap_per_e_mail(proxied, world, clock):
    from ips_coord.auth import ACCOUNT_FAILURES_PER_HOUR

    wrong = {"email": world.consultant.email, "password": "Wrong-one-1"}
    for i in range(ACCOUNT_FAILURES_PER_HOUR):  # two from each address: under the per-address delay
        assert proxied.test_client().post("/login", data=wrong, headers=_from(i // 2)).status_code == 400
    right = {"email": world.consultant.email, "password": PASSWORD}
    assert proxied.test_client().post("/login", data=right, headers=_from(249)).status_code == 429
    clock.advance(hours=1, seconds=1)
    assert proxied.test_client().post("/login", data=right, headers=_from(249)).status_code == 302


def test_old_counts_are_forgotten_by_the_daily_housekeeping(proxied, world, clock):
    from ips_coord.extensions import db as _db
    from ips_coord.housekeeping import run_retention
    from ips_coord.models import LoginThrottle

    assert (
        proxied.test_client()
        .post("/login", data={"email": "x@example.test", "password": "Wrong-one-1"}, headers=_from(1))
        .status_code
        == 400
    )
    assert _db.session.query(LoginThrottle).count() == 2  # the (e-mail, address) pair and the e-mail's cap
    with proxied.app_context():
        run_retention()
    assert _db.session.query(LoginThrottle).count() == 2  # still of use
    clock.advance(days=3)
    with proxied.app_context():
        run_retention()
    _db.session.expire_all()
    assert _db.session.query(LoginThrottle).count() == 0


def test_pages_that_mail_a_secret_answer_no_sooner_than_the_floor(app, db, world, clock):
    """Known and unknown do different work (a row and an e-mail, or nothing); both answer after the
    same fixed floor, never sooner."""
    citizen_case(world)
    floor = make_app(app.config["SQLALCHEMY_DATABASE_URI"], SIGN_IN_MIN_SECONDS=0.3)
    floor.extensions["ips_clock"] = clock
    floor.test_client_class = IsolatedClient
    for url, known in (("/citizen/login", KNOWN), ("/password/forgot", world.consultant.email)):
        for address in (known, "nobody@example.test"):
            started = time.monotonic()
            status = floor.test_client().post(url, data={"email": address}).status_code
            assert status == 302 and time.monotonic() - started >= 0.3, (url, address)
    assert timedelta(seconds=floor.config["SIGN_IN_MIN_SECONDS"]) == timedelta(seconds=0.3)

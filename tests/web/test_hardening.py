"""Login throttling, proxies, idle timeout, logout (here and everywhere), caching."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import make_app
from tests.factories import PASSWORD, login


def test_failed_logins_grow_a_delay_per_account_that_ends(app, db, world, clock):
    strict = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        LOGIN_FREE_FAILURES=3,
        LOGIN_DELAY_SECONDS=30,
        LOGIN_DELAY_MAX_SECONDS=120,
        LOGIN_LIMIT_ADDRESS="1000 per 15 minutes",
    )
    strict.extensions["ips_clock"] = clock
    client = strict.test_client()
    wrong = {"email": world.consultant.email, "password": "Wrong-one-1"}
    for _ in range(3):
        assert client.post("/login", data=wrong).status_code == 400
    # The 3rd failure started a 30 s delay: even the right password waits, and says why.
    blocked = login(client, world.consultant)
    assert blocked.status_code == 429 and blocked.headers["Retry-After"] == "31"
    assert "Prøv igen om 31 sekunder" in blocked.get_data(as_text=True)
    # Hammering during the delay does not grow it (no lasting lock-out by an attacker).
    for _ in range(20):
        assert client.post("/login", data=wrong).status_code == 429
    clock.advance(seconds=31)
    assert client.post("/login", data=wrong).status_code == 400  # 4th failure: 60 s now
    clock.advance(seconds=59)
    assert login(client, world.consultant).status_code == 429
    clock.advance(seconds=2)
    for _ in range(5):  # the cap: 120 s at most, however many failures
        assert client.post("/login", data=wrong).status_code == 400
        clock.advance(seconds=121)
    assert login(client, world.consultant).status_code == 302  # the right password works again
    client.post("/logout")
    # ...and reset the count: the next wrong password does not start a delay.
    assert client.post("/login", data=wrong).status_code == 400
    assert login(client, world.consultant).status_code == 302
    # Another account from the same address was never affected.
    other = strict.test_client()
    assert login(other, world.colleague).status_code == 302


def test_failed_logins_are_throttled_per_address(app, db, world):
    strict = make_app(app.config["SQLALCHEMY_DATABASE_URI"], LOGIN_LIMIT_ADDRESS="4 per 15 minutes")
    client = strict.test_client()
    for i in range(4):
        client.post("/login", data={"email": f"guess{i}@example.test", "password": "Wrong-one-1"})
    assert client.post("/login", data={"email": world.consultant.email, "password": PASSWORD}).status_code == 429


def test_behind_a_proxy_the_address_limit_is_per_client(app, db, world, redis_url):
    """PROXY_HOPS=1: one client's failures do not lock out everyone who comes through the proxy,
    and a client cannot dodge its limit by sending its own X-Forwarded-For."""
    proxied = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        LOGIN_LIMIT_ADDRESS="4 per 15 minutes",
        PROXY_HOPS=1,
        RATELIMIT_STORAGE_URI=redis_url,
    )
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    client = proxied.test_client()
    attacker = {"REMOTE_ADDR": "127.0.0.1"}
    for i in range(4):
        client.post(
            "/login",
            data={"email": f"guess{i}@example.test", "password": "Wrong-one-1"},
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base=attacker,
        )
    spoofed = client.post(
        "/login",
        data={"email": "x@example.test", "password": "Wrong-one-1"},
        headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"},
        environ_base=attacker,
    )
    assert spoofed.status_code == 429  # the proxy appended the real address; only that one is trusted
    colleague = proxied.test_client()
    r = colleague.post(
        "/login",
        data={"email": world.consultant.email, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.99"},
        environ_base=attacker,
    )
    assert r.status_code == 302
    # Without PROXY_HOPS every client is the proxy's address: the same four failures block all.
    plain = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"], LOGIN_LIMIT_ADDRESS="4 per 15 minutes", RATELIMIT_STORAGE_URI=redis_url
    )
    redis.Redis.from_url(redis_url).flushdb()
    c = plain.test_client()
    for i in range(4):
        c.post(
            "/login",
            data={"email": f"guess{i}@example.test", "password": "Wrong-one-1"},
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base=attacker,
        )
    assert (
        c.post(
            "/login",
            data={"email": world.consultant.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "203.0.113.99"},
            environ_base=attacker,
        ).status_code
        == 429
    )
    redis.Redis.from_url(redis_url).flushdb()


def test_good_logins_are_not_counted(app, db, world):
    strict = make_app(app.config["SQLALCHEMY_DATABASE_URI"], LOGIN_FREE_FAILURES=1)
    client = strict.test_client()
    for _ in range(4):
        assert login(client, world.consultant).status_code == 302
        client.post("/logout")


def test_idle_timeout(client, world, clock):
    login(client, world.consultant)
    assert client.get("/cases").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/cases").status_code == 200  # activity keeps it alive
    clock.advance(minutes=31)
    r = client.get("/cases")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_the_session_cookie_is_signed_again_at_most_once_a_minute(client, world, clock):
    """Signing the cookie on every request cost 12-18 % of a page's CPU: the idle mark moves,
    and the cookie is sent again, only when a minute has passed; the session still lives on."""
    login(client, world.consultant)
    assert client.get("/cases").status_code == 200
    clock.advance(seconds=30)
    quiet = client.get("/cases")
    assert quiet.status_code == 200 and "Set-Cookie" not in quiet.headers
    clock.advance(seconds=31)
    moved = client.get("/cases")
    assert moved.status_code == 200 and "session=" in moved.headers.get("Set-Cookie", "")
    clock.advance(minutes=29, seconds=30)
    assert client.get("/cases").status_code == 200  # idle under 30 minutes since the mark moved


def test_logout_everywhere_ends_other_sessions(app, world):
    from tests.conftest import IsolatedClient

    app.test_client_class = IsolatedClient
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, world.consultant)
    login(phone, world.consultant)
    assert phone.get("/cases").status_code == 200
    laptop.post("/logout/everywhere")
    assert phone.get("/cases").status_code == 302
    assert laptop.get("/cases").status_code == 302
    assert login(phone, world.consultant).status_code == 302  # logging in again works
    assert timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]) == app.permanent_session_lifetime


def test_logout_ends_the_session_on_the_server(app, world):
    """A cookie copied before logout (from a shared PC, a proxy log) no longer logs anyone in."""
    from tests.conftest import IsolatedClient

    app.test_client_class = IsolatedClient
    browser = app.test_client()
    login(browser, world.consultant)
    cookie = browser.get_cookie("session").value
    assert browser.get("/cases").status_code == 200
    browser.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    r = thief.get("/cases")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert thief.get("/api/v1/cases").status_code == 401


def test_responses_are_not_cached(client, world):
    login(client, world.consultant)
    case = world.case_in("engagement")
    for path in ("/cases", f"/cases/{case.id}", "/api/v1/cases", "/login"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/static/app.css").headers.get("Cache-Control", "")

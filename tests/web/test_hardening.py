"""Login throttling, idle timeout and logout everywhere."""
from __future__ import annotations

from datetime import timedelta

from tests.conftest import make_app
from tests.factories import PASSWORD, login


def test_failed_logins_are_throttled_per_account(app, db, world):
    strict = make_app(app.config["SQLALCHEMY_DATABASE_URI"], LOGIN_LIMIT_ACCOUNT="3 per 15 minutes",
                      LOGIN_LIMIT_ADDRESS="100 per 15 minutes")
    client = strict.test_client()
    for _ in range(3):
        assert client.post("/login", data={"email": world.consultant.email, "password": "Wrong-one-1"}).status_code == 400
    blocked = client.post("/login", data={"email": world.consultant.email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "For mange mislykkede forsøg" in blocked.get_data(as_text=True)
    # Another account from the same address is not blocked by this one's failures.
    assert login(client, world.colleague).status_code == 302


def test_failed_logins_are_throttled_per_address(app, db, world):
    strict = make_app(app.config["SQLALCHEMY_DATABASE_URI"], LOGIN_LIMIT_ACCOUNT="100 per 15 minutes",
                      LOGIN_LIMIT_ADDRESS="4 per 15 minutes")
    client = strict.test_client()
    for i in range(4):
        client.post("/login", data={"email": f"guess{i}@example.test", "password": "Wrong-one-1"})
    assert client.post("/login", data={"email": world.consultant.email, "password": PASSWORD}).status_code == 429


def test_good_logins_are_not_counted(app, db, world):
    strict = make_app(app.config["SQLALCHEMY_DATABASE_URI"], LOGIN_LIMIT_ACCOUNT="2 per 15 minutes")
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

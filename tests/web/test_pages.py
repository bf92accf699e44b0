"""Login, logout, the case list and the language switch, through the real pages."""

from __future__ import annotations

import re

from ips_coord.models import User
from tests.conftest import make_app
from tests.factories import PASSWORD, login


def test_login_page_is_danish_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Log ind" in page and "Adgangskode" in page and '<html lang="da">' in page


def test_unknown_user_and_wrong_password_get_the_same_message(client, world):
    wrong = client.post("/login", data={"email": world.consultant.email, "password": "Wrong-password-1"})
    unknown = client.post("/login", data={"email": "nobody@example.test", "password": "Wrong-password-1"})
    assert wrong.status_code == unknown.status_code == 400
    message = "Forkert e-mail eller adgangskode."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    # What the user typed is kept; the password is not echoed back.
    assert world.consultant.email in wrong.get_data(as_text=True)
    assert "Wrong-password-1" not in wrong.get_data(as_text=True)


def test_case_list_by_phase_for_the_logged_in_consultant(client, world):
    world.case_in("job_search")
    world.case_in("employed")
    other = world.referral(first="Skjult", last="Person", consultant_id=world.outsider.id)
    assert other.consultant_id == world.outsider.id
    r = login(client, world.consultant)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    page = client.get("/cases").get_data(as_text=True)
    assert "Jobsøgning" in page and "I job" in page and "Test Borger" in page
    assert "Skjult" not in page  # another team's case
    assert "Mine forløb" in page


def test_login_required_and_safe_next(client, world):
    r = client.get("/cases")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    r = client.post("/login?next=https://evil.example/", data={"email": world.consultant.email, "password": PASSWORD})
    assert r.headers["Location"] == "/"


def test_logout_needs_post_and_ends_the_session(client, world):
    login(client, world.consultant)
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/cases").status_code == 302


def test_english_switch_is_remembered_on_the_user(client, world, db):
    login(client, world.consultant)
    r = client.post("/language", data={"lang": "en", "next": "/"})
    assert r.status_code == 302
    page = client.get("/cases").get_data(as_text=True)
    assert "My cases" in page and '<html lang="en">' in page
    db.session.expire_all()
    assert db.session.get(User, world.consultant.id).locale == "en"
    client.post("/logout")
    login(client, world.consultant)
    assert "My cases" in client.get("/cases").get_data(as_text=True)


def test_csrf_is_required_on_forms(app, world, db):
    strict = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=True)
    c = strict.test_client()
    r = c.post("/login", data={"email": world.consultant.email, "password": PASSWORD})
    assert r.status_code == 400 and "/login" not in r.headers.get("Location", "")
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = c.post("/login", data={"email": world.consultant.email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    # The session is renewed at login, so the page after it carries a new token.
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/cases").get_data(as_text=True)).group(1)
    # The API with a session also needs the token; with a Bearer token it does not.
    assert c.post("/api/v1/tokens", json={"name": "x"}).status_code == 400
    assert c.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRFToken": token}).status_code == 201


def test_session_cookie_flags(client, world):
    r = login(client, world.consultant)
    cookie = r.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers(client):
    r = client.get("/login")
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


def test_health_without_redis(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_health_with_real_redis(app, db, redis_url):
    with_redis = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url)
    r = with_redis.test_client().get("/healthz")
    assert r.status_code == 200 and r.json["redis"] == "ok"
    down = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL="redis://127.0.0.1:1/0")
    r = down.test_client().get("/healthz")
    assert r.status_code == 503 and r.json["redis"] == "unreachable"


def test_case_list_scope_filter_pages_and_links(client, world, db, monkeypatch):
    """A consultant's own cases first, the team's on request; a phase filter; pages of
    PAGE_SIZE; every row links to its case; only the cases shown are logged as read."""
    from sqlalchemy import func, select

    from ips_coord.models import AccessLog
    from ips_coord.web import cases as cases_view

    mine = [world.case_in("job_search") for _ in range(3)]
    colleagues = world.referral(first="Kollegas", last="Borger", consultant_id=world.colleague.id)
    login(client, world.consultant)
    page = client.get("/cases").get_data(as_text=True)
    assert all(f'href="/cases/{c.id}"' in page for c in mine) and colleagues.reference not in page
    page = client.get("/cases?scope=team").get_data(as_text=True)
    assert colleagues.reference in page and "(4)" in page
    page = client.get("/cases?scope=team&phase=referred").get_data(as_text=True)
    assert colleagues.reference in page and mine[0].reference not in page
    assert client.get("/cases?phase=nonsense&page=x").status_code == 200
    monkeypatch.setattr(cases_view, "PAGE_SIZE", 2)
    before = db.session.scalar(select(func.count()).select_from(AccessLog))
    first = client.get("/cases").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == before + 2
    assert "Side 1 af 2" in first and 'href="/cases?page=2"' in first
    second = client.get("/cases?page=2").get_data(as_text=True)
    shown = [c for c in mine if c.reference in first] + [c for c in mine if c.reference in second]
    assert sorted(c.id for c in shown) == sorted(c.id for c in mine)

"""Accounts and administration: change password; a forgotten password by a signed,
expiring, single-use e-mail link sent through the outbox (its token never in a URL the server
sees, nor in a log line); the admin role's pages for users, organisations and personal API tokens
(no case content); the personal calendar feed (iCalendar, secret URL, revocable)."""

from __future__ import annotations

import logging
import re

from icalendar import Calendar
from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, ApiToken, Notification, User
from ips_coord.services import calendar_feed
from tests.conftest import IsolatedClient
from tests.factories import PASSWORD, bearer, login, token_for
from tests.web.test_citizen_view import mailbox_body

NEW = "Another-horse-77"


def _logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_change_password_keeps_this_device_and_ends_the_others(app, world, client):
    other_device = IsolatedClient(app)
    login(other_device, world.consultant)
    login(client, world.consultant)
    page = client.get("/account").get_data(as_text=True)
    assert "Skift adgangskode" in page and "Kalender" in page
    wrong = client.post("/account/password", data={"current_password": "nope", "new_password": NEW, "confirm": NEW})
    assert wrong.status_code == 400 and "Den nuværende adgangskode er forkert." in wrong.get_data(as_text=True)
    weak = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": "short", "confirm": "short"}
    )
    assert weak.status_code == 400 and "mindst 12 tegn" in weak.get_data(as_text=True)
    differ = client.post(
        "/account/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW + "x"}
    )
    assert differ.status_code == 400 and "De to adgangskoder er forskellige." in differ.get_data(as_text=True)
    ok = client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    assert ok.status_code == 302 and _logged_in(client)
    assert not _logged_in(other_device)  # logged out on the other device
    assert login(IsolatedClient(app), world.consultant).status_code == 400  # the old password no longer works
    assert login(IsolatedClient(app), world.consultant, NEW).status_code == 302


def _reset_link(app, address: str) -> str:
    body = mailbox_body(app, address, containing="/password/reset#")
    return re.search(r"http://testserver(/password/reset#\S+)", body).group(1)


def test_forgotten_password_link_is_signed_expiring_single_use_and_never_in_a_request_line(
    app, world, client, clock, caplog
):
    from ips_coord.extensions import limiter

    limiter.reset()  # other tests (the fuzzing) may have used this address's allowance of requests
    caplog.set_level(logging.DEBUG)
    for address in ("consultant@example.test", "nobody@example.test"):  # the same answer either way
        resp = client.post("/password/forgot", data={"email": address})
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    [row] = _db.session.scalars(select(Notification).where(Notification.kind == "password_reset")).all()
    assert row.recipient_id == world.consultant.id and row.case_id is None
    link = _reset_link(app, "consultant@example.test")
    path, token = link.split("#")
    assert path == "/password/reset" and len(token) > 40  # the token is after "#": browsers never send it
    _db.session.expire_all()
    assert "sealed" not in _db.session.get(Notification, row.id).data
    page = client.get(path)
    assert page.status_code == 200 and "fragment_token.js" in page.get_data(as_text=True)
    weak = client.post(path, data={"token": token, "new_password": "weak", "confirm": "weak"})
    assert weak.status_code == 400
    assert client.post(path, data={"token": token, "new_password": NEW, "confirm": NEW}).status_code == 302
    assert login(IsolatedClient(app), world.consultant, NEW).status_code == 302
    again = client.post(path, data={"token": token, "new_password": NEW + "1", "confirm": NEW + "1"})
    assert again.status_code == 400 and "Linket er udløbet eller brugt" in again.get_data(as_text=True)
    forged = client.post(path, data={"token": token[:-4] + "abcd", "new_password": NEW, "confirm": NEW})
    assert forged.status_code == 400
    # A link older than an hour no longer works.
    client.post("/password/forgot", data={"email": "consultant@example.test"})
    late = _reset_link(app, "consultant@example.test").split("#")[1]
    clock.advance(minutes=61)
    expired = client.post(path, data={"token": late, "new_password": NEW + "2", "confirm": NEW + "2"})
    assert expired.status_code == 400
    assert token not in caplog.text and late not in caplog.text


def test_an_inactive_account_gets_no_link(app, world, client):
    world.caseworker.active = False
    _db.session.commit()
    client.post("/password/forgot", data={"email": world.caseworker.email})
    assert _db.session.scalar(select(Notification.id)) is None


def test_only_the_admin_sees_the_admin_pages_and_they_hold_no_case_content(app, world, client):
    case = world.step(world.referral(first="Valborg", last="Skjoldager"), "enrol")
    login(client, world.consultant)
    for path in ("/admin/users", "/admin/organisations", "/admin/tokens", f"/admin/users/{world.admin.id}"):
        assert client.get(path).status_code == 404
    admin = IsolatedClient(app)
    assert login(admin, world.admin).headers["Location"].endswith("/")
    assert admin.get("/").headers["Location"].endswith("/admin/users")
    for path in ("/admin/users", "/admin/organisations", "/admin/tokens", f"/admin/users/{world.consultant.id}"):
        body = admin.get(path).get_data(as_text=True)
        assert "Skjoldager" not in body and case.reference not in body, path
    assert admin.get(f"/cases/{case.id}").status_code in (403, 404)  # the policy gives the admin no case


def test_every_role_but_the_admin_gets_404_on_every_admin_page(app, world):
    token = _db.session.scalar(select(ApiToken.id)) or 1
    routes = [
        ("GET", "/admin"),
        ("GET", "/admin/users"),
        ("POST", "/admin/users"),
        ("GET", f"/admin/users/{world.consultant.id}"),
        ("POST", f"/admin/users/{world.consultant.id}"),
        ("GET", "/admin/tokens"),
        ("POST", f"/admin/tokens/{token}/revoke"),
        ("GET", "/admin/organisations"),
        ("POST", "/admin/organisations"),
    ]
    for who in ("consultant", "clinician", "caseworker", "coordinator", "privacy_officer"):
        client = IsolatedClient(app)
        login(client, getattr(world, who))
        for method, path in routes:
            assert (
                client.open(path, method=method, data={"role": "admin", "name": "x", "kind": "jobcenter"}).status_code
                == 404
            ), (who, method, path)
    anonymous = IsolatedClient(app)
    assert anonymous.get("/admin/users").status_code == 302  # to the login page
    _db.session.expire_all()
    assert _db.session.get(User, world.consultant.id).role == "ips_consultant"


def test_admin_creates_a_user_who_chooses_their_own_password(app, world, client):
    login(client, world.admin)
    bad = client.post(
        "/admin/users",
        data={"name": "Ny", "email": "not-an-address", "role": "jobcenter", "organisation_id": "", "locale": "da"},
    )
    assert bad.status_code == 400 and 'value="Ny"' in bad.get_data(as_text=True)  # what was typed stays
    resp = client.post(
        "/admin/users",
        data={
            "name": "Nora Ny",
            "email": "nora@example.test",
            "role": "jobcenter",
            "organisation_id": str(world.jobcenter.id),
            "locale": "da",
        },
    )
    assert resp.status_code == 302, re.findall(r'class="error"[^>]*>([^<]*)', resp.get_data(as_text=True))
    nora = _db.session.scalar(select(User).where(User.email == "nora@example.test"))
    assert nora.role == "jobcenter" and nora.organisation_id == world.jobcenter.id and nora.active
    dup = client.post(
        "/admin/users",
        data={"name": "Nora", "email": "nora@example.test", "role": "jobcenter", "organisation_id": "", "locale": "da"},
    )
    assert dup.status_code == 400
    path, token = _reset_link(app, "nora@example.test").split("#")
    new = IsolatedClient(app)
    assert new.post(path, data={"token": token, "new_password": NEW, "confirm": NEW}).status_code == 302
    assert login(new, nora, NEW).status_code == 302


def test_admin_changes_role_and_organisation_and_deactivates(app, world, client):
    user_client = IsolatedClient(app)
    login(user_client, world.caseworker)
    token = token_for(world.caseworker)
    assert user_client.get("/cases").status_code == 200
    login(client, world.admin)
    page = f"/admin/users/{world.caseworker.id}"
    assert (
        client.post(
            page, data={"role": "jobcenter", "organisation_id": str(world.jobcenter.id), "active": "y"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            page, data={"role": "ips_consultant", "organisation_id": str(world.team.id), "active": "y"}
        ).status_code
        == 302
    )
    _db.session.expire_all()
    row = _db.session.get(User, world.caseworker.id)
    assert row.role == "ips_consultant" and row.organisation_id == world.team.id
    assert client.post(page, data={"role": "ips_consultant", "organisation_id": str(world.team.id)}).status_code == 302
    assert user_client.get("/cases").status_code == 302  # logged out at once
    assert IsolatedClient(app).get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    own = client.post(f"/admin/users/{world.admin.id}", data={"role": "admin", "organisation_id": ""})
    assert own.status_code == 400 and "egen administratoradgang" in own.get_data(as_text=True)


def test_admin_lists_and_revokes_personal_api_tokens(app, world, client):
    headers = bearer(world.consultant)
    assert IsolatedClient(app).get("/api/v1/cases", headers=headers).status_code == 200
    login(client, world.admin)
    listing = client.get("/admin/tokens").get_data(as_text=True)
    row = _db.session.scalar(select(ApiToken).where(ApiToken.user_id == world.consultant.id))
    assert row.prefix in listing and headers["Authorization"][7:] not in listing  # only the prefix is shown
    assert row.prefix in client.get(f"/admin/users/{world.consultant.id}").get_data(as_text=True)
    assert client.post(f"/admin/tokens/{row.id}/revoke").status_code == 302
    assert IsolatedClient(app).get("/api/v1/cases", headers=headers).status_code == 401
    assert client.post("/admin/tokens/999999/revoke").status_code == 404


def test_admin_creates_an_organisation(world, client):
    login(client, world.admin)
    assert (
        client.post(
            "/admin/organisations", data={"name": "Jobcenter Vest", "kind": "jobcenter", "municipality": "Vesthavn"}
        ).status_code
        == 302
    )
    page = client.get("/admin/organisations").get_data(as_text=True)
    assert "Jobcenter Vest" in page and "Vesthavn" in page
    dup = client.post("/admin/organisations", data={"name": "Jobcenter Vest", "kind": "jobcenter"})
    assert dup.status_code == 400 and "Jobcenter Vest" in dup.get_data(as_text=True)


def _feed_url(resp) -> str:
    return re.search(r'value="http://testserver(/calendar/cal_[^"]+\.ics)"', resp.get_data(as_text=True)).group(1)


def test_calendar_feed_lists_follow_ups_by_case_number_only_and_can_be_replaced_and_revoked(app, world, client):
    case = world.step(world.referral(first="Gunhild", last="Bækkelund"), "enrol")
    login(client, world.consultant)
    made = client.post("/account/calendar")
    assert made.status_code == 200
    url = _feed_url(made)
    assert url not in client.get("/account").get_data(as_text=True)  # shown once only
    outlook = IsolatedClient(app)  # a calendar program: no login, the address is the credential
    feed = outlook.get(url)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    body = feed.get_data(as_text=True)
    cal = Calendar.from_ical(feed.data)
    events = [e for e in cal.walk("VEVENT")]
    summaries = [str(e["SUMMARY"]) for e in events]
    assert summaries and all(s.startswith(case.reference + ": ") for s in summaries)
    assert any("Fælles opstartsmøde" in s for s in summaries), summaries  # in the user's language
    assert "Gunhild" not in body and "Bækkelund" not in body
    assert (
        _db.session.scalar(
            select(AccessLog.id).where(
                AccessLog.user_id == world.consultant.id, AccessLog.case_id == case.id, AccessLog.part == "follow_ups"
            )
        )
        is not None
    )
    replaced = _feed_url(client.post("/account/calendar"))
    assert outlook.get(url).status_code == 404 and outlook.get(replaced).status_code == 200
    assert client.post("/account/calendar/revoke").status_code == 302
    assert outlook.get(replaced).status_code == 404
    assert calendar_feed.feed_of(world.consultant) is None

"""Staff sign-in from the organisation's identity provider, end to end against panva's certified
`oidc-provider` (npm) with its default settings (tests/oidc/provider.mjs): the user matched by
the provider's stable subject, the role and organisation from the group claim through the
configured table, an unknown subject or a user without a mapped group refused, passwords
switched off, and logging out ending both the local session and the provider's (RP-initiated
logout)."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import User, UserSession
from ips_coord.services import accounts
from ips_coord.workflows.phases import Role
from tests.conftest import make_app
from tests.e2e.test_citizen_oidc import serve
from tests.factories import PASSWORD, user
from tests.oidc.provider import free_port, oidc_provider

pytestmark = pytest.mark.slow  # a real browser against the app and a Node provider

DESKTOP = {"width": 1280, "height": 900}
GROUPS = [
    {"group": "ips-team-a", "role": "ips_consultant", "organisation": "IPS Team A"},
    {"group": "dpo", "role": "privacy_officer", "organisation": None},
]


@pytest.fixture
def staff_site(app, db):
    client_id, client_secret = "ips-coord-staff", secrets.token_urlsafe(32)
    provider_port = free_port()
    site = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        LOCAL_PASSWORDS=False,
        STAFF_OIDC_CLIENT_ID=client_id,
        STAFF_OIDC_CLIENT_SECRET=client_secret,
        STAFF_OIDC_SCOPE="openid groups",
        STAFF_OIDC_GROUPS=GROUPS,
        STAFF_OIDC_METADATA_URL=f"http://127.0.0.1:{provider_port}/.well-known/openid-configuration",
    )
    site_url, server, thread = serve(site)
    accounts_ = {
        "kim": {"groups": ["alle-ansatte", "ips-team-a"]},
        "ghost": {"groups": ["ips-team-a"]},  # nobody here is linked to this subject
        "lone": {"groups": ["kantine"]},
    }  # linked, but in no mapped group
    clients = [
        {
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": [f"{site_url}/login/idp/callback"],
            "post_logout_redirect_uris": [f"{site_url}/login"],
        }
    ]
    with oidc_provider(clients, accounts_, port=provider_port) as issuer:
        yield site_url, issuer
    server.shutdown()
    thread.join(10)


def provider_sign_in(page, site_url: str, login: str, consent: bool = True) -> None:
    page.goto(f"{site_url}/login")
    page.get_by_role("link", name="Log ind med din organisations konto").click()
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")
    page.get_by_role("button", name="Sign-in").click()
    if consent:
        page.get_by_role("button", name="Continue").click()


def test_staff_sign_in_by_subject_and_group_and_logout_ends_both_sessions(browser, staff_site, world):
    site_url, issuer = staff_site
    # Kim was a jobcenter caseworker here; the provider now puts Kim in the IPS team's group.
    kim = user("kim@kommune.example", Role.JOBCENTER, world.jobcenter, "Kim Kommune")
    lone = user("lone@kommune.example", Role.IPS_CONSULTANT, world.team, "Lone Lonesen")
    _db.session.commit()
    accounts.link_subject(kim, "kim")
    accounts.link_subject(lone, "lone")
    page = browser.new_context(viewport=DESKTOP, locale="da-DK").new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{site_url}/login")
    assert page.locator("input[type=password]").count() == 0  # passwords are switched off
    provider_sign_in(page, site_url, "kim")
    page.wait_for_url(f"{site_url}/my-day")  # signed in: the consultant's start page
    assert "Kim Kommune" in page.content()
    authorize = parse_qs(urlsplit(next(u for u in requests if u.startswith(f"{issuer}/auth?"))).query)
    assert authorize["code_challenge_method"] == ["S256"] and authorize["nonce"][0] and authorize["state"][0]
    _db.session.expire_all()
    kim = _db.session.get(User, kim.id)
    assert (kim.role, kim.organisation_id) == (Role.IPS_CONSULTANT, world.team.id)  # from the group table
    # Logging out ends the local session and, through the provider's end_session endpoint, its own.
    page.get_by_role("button", name="Log ud", exact=True).click()
    page.wait_for_url(f"{issuer}/session/end**")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{site_url}/login")
    assert page.goto(f"{site_url}/cases").url.startswith(f"{site_url}/login")
    _db.session.expire_all()
    assert (
        _db.session.scalar(select(UserSession.id).where(UserSession.user_id == kim.id, UserSession.ended_at.is_(None)))
        is None
    )
    page.get_by_role("link", name="Log ind med din organisations konto").click()
    page.wait_for_selector("input[name=login]")  # the provider asks again: its session ended too

    # An unknown subject, and a known one in no mapped group: refused, with the reason.
    for login, message in (
        ("ghost", "ikke knyttet til en bruger her"),
        ("lone", "ikke medlem af en gruppe, der giver adgang"),
    ):
        other = browser.new_context(viewport=DESKTOP, locale="da-DK").new_page()
        provider_sign_in(other, site_url, login)
        other.wait_for_url(f"{site_url}/login")
        assert message in other.content()
        assert other.goto(f"{site_url}/cases").url.startswith(f"{site_url}/login")


def test_passwords_switched_off_sign_no_one_in(staff_site, world):
    import requests

    site_url, _ = staff_site
    with requests.Session() as http:
        page = http.get(f"{site_url}/login")
        assert page.status_code == 200 and 'type="password"' not in page.text
        refused = http.post(
            f"{site_url}/login", data={"email": world.consultant.email, "password": PASSWORD}, allow_redirects=False
        )
        assert refused.status_code == 400
        assert http.get(f"{site_url}/cases", allow_redirects=False).status_code == 302  # still signed out
        assert http.get(f"{site_url}/password/forgot").status_code == 404

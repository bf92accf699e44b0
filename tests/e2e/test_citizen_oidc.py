"""The citizen's national sign-in (MitID through an OpenID Connect broker), end to end against a
provider nobody on this project wrote: panva's certified `oidc-provider` from npm, on loopback,
with its default security settings (tests/oidc/provider.mjs configures only the client, the
synthetic accounts and which claims each scope releases). Chromium at phone size goes redirect ->
the provider's login page -> its consent page -> callback -> signed in as the citizen whose
verified CPR claim matches. Nothing is mocked: authlib fetches the discovery document and the
keys, sends the PKCE challenge (S256), state and nonce, exchanges the code with the verifier,
checks the id_token and reads the claims from the UserInfo endpoint (the provider puts them only
there). An e-mail claim, verified or not, never selects anyone."""

from __future__ import annotations

import random
import secrets
import threading
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from ips_coord import cpr as cpr_rules
from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, Citizen
from ips_coord.services import identity as identity_svc
from tests.conftest import make_app
from tests.e2e.conftest import screenshot
from tests.oidc.provider import free_port, oidc_provider
from tests.web.test_citizen_view import citizen_case

pytestmark = pytest.mark.slow  # a real browser against the app and a Node provider

PHONE = {"width": 390, "height": 844}
CPR_CLAIM = "dk:gov:saml:attribute:CprNumberIdentifier"  # NemLog-in's attribute name: configurable


def serve(wsgi_app) -> tuple[str, object, threading.Thread]:
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server, thread


@pytest.fixture
def numbers():
    rng = random.Random(25)
    return [cpr_rules.synthetic(rng) for _ in range(3)]


@pytest.fixture
def oidc_site(app, db, numbers):
    """The app (same database as `app`) pointed at oidc-provider, and the provider's accounts."""
    client_id, client_secret = "ips-coord-citizens", secrets.token_urlsafe(32)
    provider_port = free_port()
    site = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        CITIZEN_AUTH="oidc",
        OIDC_CLIENT_ID=client_id,
        OIDC_CLIENT_SECRET=client_secret,
        OIDC_SCOPE="openid cpr email",
        OIDC_CPR_CLAIM=CPR_CLAIM,
        OIDC_METADATA_URL=f"http://127.0.0.1:{provider_port}/.well-known/openid-configuration",
    )
    site_url, server, thread = serve(site)
    mira, stranger, _ = numbers
    accounts = {
        "mira": {
            CPR_CLAIM: f"{mira[:6]}-{mira[6:]}",
            "cpr_verified": True,
            "email": "mira@borger.example",
            "email_verified": True,
        },
        "stranger": {CPR_CLAIM: stranger, "cpr_verified": True},  # a real person, no IPS course here
        # Mira's e-mail address, unverified, and no CPR number: not Mira, not anyone.
        "no-cpr": {"email": "mira@borger.example", "email_verified": False},
        "unverified": {CPR_CLAIM: mira, "cpr_verified": False},  # Mira's number, not verified
    }
    clients = [
        {
            "client_id": client_id,
            "client_secret": client_secret,
            "redirect_uris": [f"{site_url}/citizen/login/oidc/callback"],
        }
    ]
    with oidc_provider(clients, accounts, cpr_claim=CPR_CLAIM, port=provider_port) as issuer:
        yield site_url, issuer
    server.shutdown()
    thread.join(10)


def provider_sign_in(page, site_url: str, login: str) -> None:
    """From the app's sign-in page through the provider's own login and consent pages."""
    page.goto(f"{site_url}/citizen/login")
    page.get_by_role("link", name="Log ind med MitID").click()
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")  # the provider's development login takes any password
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()  # consent to the scopes
    page.wait_for_url(f"{site_url}/citizen**")


def test_a_citizen_signs_in_through_oidc_provider_by_the_cpr_claim(browser, oidc_site, world, numbers):
    site_url, issuer = oidc_site
    case = citizen_case(world, first="Mira", email_addr="mira@borger.example", consents=False)
    identity_svc.set_cpr(_db.session.get(Citizen, case.citizen_id), numbers[0])
    ctx = browser.new_context(viewport=PHONE, locale="da-DK")
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{site_url}/citizen/login")
    assert page.locator("input[type=email]").count() == 0  # no e-mail code form: the broker replaces it
    provider_sign_in(page, site_url, "mira")
    page.wait_for_url(f"{site_url}/citizen/cases/{case.id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Hej Mira"
    screenshot(page, "citizen-phone-oidc-provider-signed-in")

    # What went over the wire: PKCE S256, state and nonce to the provider; code, state and iss back.
    authorize = parse_qs(urlsplit(next(u for u in requests if u.startswith(f"{issuer}/auth?"))).query)
    assert authorize["code_challenge_method"] == ["S256"] and len(authorize["code_challenge"][0]) == 43
    assert authorize["state"][0] and authorize["nonce"][0] and authorize["response_type"] == ["code"]
    callback = next(u for u in requests if "/citizen/login/oidc/callback?" in u)
    assert set(parse_qs(urlsplit(callback).query)) >= {"code", "state", "iss"}
    _db.session.expire_all()
    citizen = _db.session.get(Citizen, case.citizen_id)
    assert citizen.oidc_sub == "mira"  # linked once, by the verified number
    assert (
        _db.session.scalar(
            select(AccessLog.target).where(AccessLog.citizen_id == case.citizen_id, AccessLog.part == "sign_in")
        )
        == "oidc"
    )

    # The same callback again (a replay, or a stolen URL): the state was used, the code too.
    replay = browser.new_context(viewport=PHONE, locale="da-DK").new_page()
    for p in (page, replay):
        p.goto(callback)
        assert p.url == f"{site_url}/citizen/login" or p.url.startswith(f"{site_url}/citizen/cases/")
    assert replay.url == f"{site_url}/citizen/login" and "Log ind lykkedes ikke" in replay.content()
    ctx.close()


@pytest.mark.parametrize(
    "login, message",
    [
        ("stranger", "Vi kunne ikke finde dit IPS-forløb"),
        ("no-cpr", "Log ind-tjenesten oplyste ikke dit CPR-nummer"),
        ("unverified", "Log ind-tjenesten har ikke bekræftet dit CPR-nummer"),
    ],
)
def test_no_case_no_cpr_or_an_unverified_cpr_signs_no_one_in(browser, oidc_site, world, numbers, login, message):
    site_url, _ = oidc_site
    case = citizen_case(world, first="Mira", email_addr="mira@borger.example", consents=False)
    identity_svc.set_cpr(_db.session.get(Citizen, case.citizen_id), numbers[0])
    page = browser.new_context(viewport=PHONE, locale="da-DK").new_page()
    provider_sign_in(page, site_url, login)
    page.wait_for_url(f"{site_url}/citizen/login")
    assert message in page.content()
    assert page.goto(f"{site_url}/citizen/cases/{case.id}").url.endswith("/citizen/login")
    _db.session.expire_all()
    assert _db.session.get(Citizen, case.citizen_id).oidc_sub is None
    assert _db.session.scalar(select(AccessLog.id).where(AccessLog.part == "sign_in")) is None


def test_a_wrong_state_or_a_forged_callback_is_refused(browser, oidc_site, world, numbers):
    site_url, issuer = oidc_site
    case = citizen_case(world, first="Mira", email_addr="mira@borger.example", consents=False)
    identity_svc.set_cpr(_db.session.get(Citizen, case.citizen_id), numbers[0])
    page = browser.new_context(viewport=PHONE, locale="da-DK").new_page()
    # The app's redirect to the provider (the app keeps its state S in this browser's session).
    authorize = urlsplit(page.request.get(f"{site_url}/citizen/login/oidc", max_redirects=0).headers["location"])
    params = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    params["state"] = secrets.token_urlsafe(16)  # the same request to the provider, another state
    page.goto(f"{issuer}/auth?{urlencode(params)}")
    page.fill("input[name=login]", "mira")
    page.fill("input[name=password]", "any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{site_url}/citizen/login")  # a real code for Mira, under a state the app never gave
    assert "Log ind lykkedes ikke" in page.content()
    assert page.goto(f"{site_url}/citizen/cases/{case.id}").url.endswith("/citizen/login")
    forged = browser.new_context(viewport=PHONE, locale="da-DK").new_page()
    response = forged.goto(f"{site_url}/citizen/login/oidc/callback?code=x&state=y")
    assert response.status == 200 and forged.url.endswith("/citizen/login")
    assert forged.goto(f"{site_url}/citizen/cases/{case.id}").url.endswith("/citizen/login")

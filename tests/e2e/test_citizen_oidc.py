"""The citizen's national sign-in (MitID through an OpenID Connect broker), end to end: with
CITIZEN_AUTH=oidc the app is pointed at a small but real OpenID Connect provider on loopback
(discovery document, authorization endpoint, token endpoint, JWKS; an id_token signed RS256 with
a test key), and Chromium at phone size goes redirect -> the provider's page -> callback ->
signed in as the citizen whose e-mail the provider vouches for. Nothing is mocked: authlib
fetches the discovery document and the keys, exchanges the code and checks the token's
signature, issuer, audience, nonce and expiry itself."""
from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import urlencode

import pytest
from flask import Flask, abort, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select
from werkzeug.serving import make_server

from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog
from tests.conftest import make_app
from tests.e2e.conftest import screenshot
from tests.web.test_citizen_view import citizen_case

pytestmark = pytest.mark.slow  # a real browser against two live servers

CLIENT_ID, CLIENT_SECRET = "ips-coord-test", secrets.token_urlsafe(16)
PHONE = {"width": 390, "height": 844}


def oidc_provider(base_holder: dict) -> Flask:
    """A minimal OpenID Connect provider: the code flow, client_secret_basic, RS256 id_tokens."""
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})
    codes: dict[str, dict] = {}
    prov = Flask("test_oidc_provider")

    @prov.get("/.well-known/openid-configuration")
    def discovery():
        base = base_holder["url"]
        return {"issuer": base, "authorization_endpoint": f"{base}/authorize", "token_endpoint": f"{base}/token",
                "jwks_uri": f"{base}/jwks", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "scopes_supported": ["openid", "email"]}

    @prov.get("/jwks")
    def jwks():
        return {"keys": [key.as_dict(private=False)]}

    @prov.route("/authorize", methods=["GET", "POST"])
    def authorize():
        args = request.values
        if args.get("client_id") != CLIENT_ID or args.get("response_type") != "code" \
                or "openid" not in args.get("scope", "").split():
            abort(400)
        if request.method == "GET":  # the broker's own page, where the citizen would use MitID
            hidden = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in args.items())
            return (f'<!doctype html><html lang="da"><title>Test-MitID</title><form method="post">{hidden}'
                    '<label>E-mail hos MitID <input name="who" type="email"></label>'
                    '<button type="submit">Godkend</button></form></html>')
        code = secrets.token_urlsafe(16)
        codes[code] = {"nonce": args.get("nonce"), "email": request.form["who"],
                       "redirect_uri": args["redirect_uri"]}
        return redirect(args["redirect_uri"] + "?" + urlencode({"code": code, "state": args.get("state", "")}))

    @prov.post("/token")
    def token():
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (CLIENT_ID, CLIENT_SECRET):
            return {"error": "invalid_client"}, 401
        grant = codes.pop(request.form.get("code", ""), None)  # a code works once
        if grant is None or request.form.get("redirect_uri") != grant["redirect_uri"]:
            return {"error": "invalid_grant"}, 400
        now = int(time.time())
        claims = {"iss": base_holder["url"], "aud": CLIENT_ID, "sub": "mitid-" + secrets.token_hex(8),
                  "iat": now, "exp": now + 300, "nonce": grant["nonce"], "email": grant["email"]}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key-1"}, claims, key)
        return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                "id_token": id_token}

    return prov


def serve(wsgi_app) -> tuple[str, object, threading.Thread]:
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}", server, thread


@pytest.fixture
def oidc_site(app, db):
    """The provider on loopback, and the app configured for it (the same database as `app`)."""
    holder: dict = {}
    provider_url, provider, provider_thread = serve(oidc_provider(holder))
    holder["url"] = provider_url
    site = make_app(app.config["SQLALCHEMY_DATABASE_URI"], CITIZEN_AUTH="oidc", OIDC_CLIENT_ID=CLIENT_ID,
                    OIDC_CLIENT_SECRET=CLIENT_SECRET,
                    OIDC_METADATA_URL=f"{provider_url}/.well-known/openid-configuration")
    site_url, server, thread = serve(site)
    yield site_url
    for srv, th in ((server, thread), (provider, provider_thread)):
        srv.shutdown()
        th.join(10)


def test_a_citizen_signs_in_through_the_oidc_broker(browser, oidc_site, world):
    case = citizen_case(world, first="Mira", email_addr="mira@borger.example", consents=False)
    ctx = browser.new_context(viewport=PHONE, locale="da-DK")
    page = ctx.new_page()
    page.goto(f"{oidc_site}/citizen/login")
    assert page.locator("input[type=email]").count() == 0  # no e-mail code form: the broker replaces it
    page.get_by_role("link", name="Log ind med MitID").click()
    page.wait_for_url("**/authorize?**")  # at the provider, with client_id, state and nonce
    page.get_by_label("E-mail hos MitID").fill("mira@borger.example")
    page.get_by_role("button", name="Godkend").click()
    page.wait_for_url(f"{oidc_site}/citizen/cases/{case.id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Hej Mira"
    screenshot(page, "citizen-phone-oidc-signed-in")
    _db.session.expire_all()
    assert _db.session.scalar(select(AccessLog.target).where(AccessLog.citizen_id == case.citizen_id,
                                                             AccessLog.part == "sign_in")) == "oidc"

    # Someone the broker knows but who has no IPS course here is not signed in.
    stranger = browser.new_context(viewport=PHONE, locale="da-DK").new_page()
    stranger.goto(f"{oidc_site}/citizen/login/oidc")
    stranger.get_by_label("E-mail hos MitID").fill("ukendt@borger.example")
    stranger.get_by_role("button", name="Godkend").click()
    stranger.wait_for_url(f"{oidc_site}/citizen/login")
    assert "Vi kunne ikke finde dit IPS-forløb" in stranger.content()
    assert stranger.goto(f"{oidc_site}/citizen/cases/{case.id}").url.endswith("/citizen/login")

    # A callback that did not come from the broker (no state of ours) is a failed sign-in, not a 500.
    forged = browser.new_context(viewport=PHONE, locale="da-DK").new_page()
    response = forged.goto(f"{oidc_site}/citizen/login/oidc/callback?code=x&state=y")
    assert response.status == 200 and forged.url.endswith("/citizen/login")
    ctx.close()

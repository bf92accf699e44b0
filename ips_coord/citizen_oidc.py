"""The pluggable national sign-in for citizens: an OpenID Connect broker (MitID in production).

With CITIZEN_AUTH=oidc the app registers one authlib client, `citizen_idp`, from the OIDC_*
settings; the citizen pages then send the citizen to the broker and match the returned claim
(OIDC_EMAIL_CLAIM) to the e-mail address on record. With the default, CITIZEN_AUTH=email_code,
nothing is registered and the embedded one-time code by e-mail is used.
"""
from __future__ import annotations

from typing import Any

from flask import Flask

from config import validate_citizen_auth

from .workflows.plan import SignInMethod

CLIENT_NAME = "citizen_idp"


def init_citizen_auth(app: Flask) -> None:
    validate_citizen_auth(app.config)  # a ConfigError stops start-up with one line naming the setting
    if app.config.get("CITIZEN_AUTH", SignInMethod.EMAIL_CODE) != SignInMethod.OIDC:
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register(
        CLIENT_NAME,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_METADATA_URL"],
        client_kwargs={"scope": app.config.get("OIDC_SCOPE") or "openid email"},
    )
    app.extensions["citizen_oauth"] = oauth


def oidc_client(app: Flask) -> Any:
    """The registered client, or None when citizens sign in by e-mail code."""
    oauth = app.extensions.get("citizen_oauth")
    return oauth.create_client(CLIENT_NAME) if oauth is not None else None

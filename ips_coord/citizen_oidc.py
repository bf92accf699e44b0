"""The pluggable national sign-in for citizens: an OpenID Connect broker (MitID in production).

With CITIZEN_AUTH=oidc the app registers one authlib client, `citizen_idp`, from the OIDC_*
settings, and signs a citizen in by the standard: the authorization code flow with PKCE (S256),
`state` and `nonce` (authlib checks both, and the id_token's signature, issuer, audience and
expiry); the claims are read from the id_token AND the UserInfo endpoint (a conforming provider
puts most of them only in the latter). The citizen is selected by the verified CPR claim
(OIDC_CPR_CLAIM; brokers name it differently) or by the broker's subject once a verified CPR
sign-in has linked it, never by an e-mail address. With the default, CITIZEN_AUTH=email_code,
nothing is registered and the embedded one-time code by e-mail is used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask import Flask

from config import validate_citizen_auth

from . import cpr as cpr_rules
from .workflows.plan import SignInMethod

CLIENT_NAME = "citizen_idp"


class Refusal(StrEnum):
    """Why a broker's answer signs no one in (each has its own plain message for the citizen)."""

    FAILED = "failed"  # no valid answer: wrong or replayed state, a refused code, a bad token
    NO_CPR = "no_cpr"  # the broker sent no CPR number (and the subject is linked to no one)
    UNVERIFIED = "unverified"  # the broker says the number is not verified
    INVALID_CPR = "invalid_cpr"  # not a CPR number by the CPR Office's rules
    NO_CASE = "no_case"  # a real person, but no IPS course here


@dataclass(frozen=True)
class Identity:
    subject: str
    cpr: str | None  # ten digits, only when verified


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
        # authlib adds a fresh code_verifier (S256) and nonce to every redirect and checks them.
        client_kwargs={"scope": app.config.get("OIDC_SCOPE") or "openid", "code_challenge_method": "S256"},
    )
    app.extensions["citizen_oauth"] = oauth


def oidc_client(app: Flask) -> Any:
    """The registered client, or None when citizens sign in by e-mail code."""
    oauth = app.extensions.get("citizen_oauth")
    return oauth.create_client(CLIENT_NAME) if oauth is not None else None


def _true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def identity_from(
    id_claims: Mapping[str, Any], userinfo: Mapping[str, Any], config: Mapping[str, Any]
) -> Identity | Refusal:
    """The subject and the verified CPR number from the id_token's claims and the UserInfo
    answer. The UserInfo `sub` must be the id_token's (OpenID Connect Core 5.3.2); a CPR number
    that the two disagree on, that the broker marks unverified, or that breaks the CPR Office's
    rules selects no one. An e-mail claim, verified or not, is never read."""
    subject = id_claims.get("sub")
    if not isinstance(subject, str) or not subject or userinfo.get("sub") != subject:
        return Refusal.FAILED
    name, verified_name = config["OIDC_CPR_CLAIM"], config.get("OIDC_CPR_VERIFIED_CLAIM")
    values = {str(c[name]) for c in (id_claims, userinfo) if c.get(name) not in (None, "")}
    if len(values) > 1:
        return Refusal.FAILED
    if verified_name:
        flags = [c[verified_name] for c in (id_claims, userinfo) if verified_name in c]
        if any(not _true(f) for f in flags):
            return Refusal.UNVERIFIED
        if values and not flags and config.get("OIDC_CPR_VERIFIED_REQUIRED"):
            return Refusal.UNVERIFIED
    if not values:
        return Identity(subject, None)
    try:
        number = cpr_rules.parse(values.pop())
    except cpr_rules.InvalidCpr:
        return Refusal.INVALID_CPR
    return Identity(subject, number.digits)

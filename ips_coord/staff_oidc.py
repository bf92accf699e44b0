"""Staff sign-in through the municipality's or region's OpenID Connect provider (Entra ID,
KOMBIT's context handler or similar), by configuration.

With STAFF_OIDC_METADATA_URL set the app registers one authlib client, `staff_idp` (authorization
code flow with PKCE S256, state and nonce; claims from the id_token and the UserInfo endpoint).
A staff member is matched by the provider's stable subject (`sub`, linked to the account by the
admin: `flask user create --oidc-subject`), never by e-mail; the role and organisation come
from the group claim (STAFF_OIDC_GROUPS_CLAIM) through one table, STAFF_OIDC_GROUPS (docs/
operations.md). An unknown subject or a user without a mapped group is refused. With
LOCAL_PASSWORDS=false the password form is gone and only this sign-in remains.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from config import ConfigError

from .workflows.phases import Role

CLIENT_NAME = "staff_idp"


@dataclass(frozen=True)
class GroupRule:
    group: str
    role: Role
    organisation: str | None  # an organisation's name; None for roles without one (admin, DPO)


def group_table(raw: object) -> list[GroupRule]:
    """STAFF_OIDC_GROUPS: a JSON list of {"group", "role", "organisation"} (or the list itself);
    the first rule whose group the user is in decides."""
    rows = json.loads(raw) if isinstance(raw, str) else (raw or [])
    if not isinstance(rows, list):
        raise ConfigError("STAFF_OIDC_GROUPS must be a JSON list of {group, role, organisation}")
    rules = []
    for row in rows:
        if (
            not isinstance(row, Mapping)
            or not isinstance(row.get("group"), str)
            or row.get("role") not in {r.value for r in Role}
        ):
            raise ConfigError(f"STAFF_OIDC_GROUPS: each rule needs a group and a role, got {row!r}")
        organisation = row.get("organisation")
        rules.append(GroupRule(row["group"], Role(row["role"]), str(organisation) if organisation else None))
    return rules


def init_staff_auth(app: Flask) -> None:
    if not app.config.get("STAFF_OIDC_METADATA_URL"):
        if not app.config.get("LOCAL_PASSWORDS", True):
            raise ConfigError("LOCAL_PASSWORDS=false needs STAFF_OIDC_METADATA_URL (no one could sign in)")
        return
    for key in ("STAFF_OIDC_CLIENT_ID", "STAFF_OIDC_CLIENT_SECRET"):
        if not app.config.get(key):
            raise ConfigError(f"{key} must be set when STAFF_OIDC_METADATA_URL is")
    app.extensions["staff_oidc_groups"] = group_table(app.config.get("STAFF_OIDC_GROUPS"))
    from authlib.integrations.flask_client import OAuth

    # One OAuth registry per app (authlib keeps it in app.extensions): the citizens' broker, if any, too.
    oauth = app.extensions.get("citizen_oauth") or OAuth(app)
    oauth.register(
        CLIENT_NAME,
        client_id=app.config["STAFF_OIDC_CLIENT_ID"],
        client_secret=app.config["STAFF_OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["STAFF_OIDC_METADATA_URL"],
        client_kwargs={"scope": app.config.get("STAFF_OIDC_SCOPE") or "openid", "code_challenge_method": "S256"},
    )
    app.extensions["staff_oauth"] = oauth


def staff_client(app: Flask) -> Any:
    oauth = app.extensions.get("staff_oauth")
    return oauth.create_client(CLIENT_NAME) if oauth is not None else None


def subject_and_groups(
    id_claims: Mapping[str, Any], userinfo: Mapping[str, Any], claim: str
) -> tuple[str, list[str]] | None:
    """The stable subject and the groups, or None if the answer is not about one person."""
    subject = id_claims.get("sub")
    if not isinstance(subject, str) or not subject or userinfo.get("sub") != subject:
        return None
    groups: list[str] = []
    for source in (id_claims, userinfo):
        value = source.get(claim)
        values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        groups += [g for g in values if isinstance(g, str) and g not in groups]
    return subject, groups


def rule_for(groups: list[str], rules: list[GroupRule]) -> GroupRule | None:
    return next((r for r in rules if r.group in groups), None)

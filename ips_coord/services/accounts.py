"""Staff accounts: organisations, users, login failures, browser sessions and API tokens.

Each function is one unit of work. The Flask side (the cookie, Flask-Login, the settings)
stays in `ips_coord.auth` and the views; these only write the rows.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import or_, select, update
from werkzeug.security import generate_password_hash

from ..clock import utcnow
from ..extensions import db
from ..models import ApiToken, Organisation, User, UserSession
from .errors import N_, NotFound, ServiceError
from .unit_of_work import unit_of_work

TOKEN_PREFIX = "ipc_"  # noqa: S105 - the visible start of every token, not a secret


def password_hash_method() -> str:
    """werkzeug's method for new password hashes: PASSWORD_HASH_METHOD (the testing config lowers
    scrypt's cost; a stored hash names its own method, so checking follows it)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=password_hash_method())


def create_organisation(name: str, kind: str, municipality: str | None = None) -> Organisation:
    name = (name or "").strip()
    if not name:
        raise ServiceError(N_("The name must not be empty."), "name")
    if db.session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise ServiceError(N_("An organisation named %(name)r already exists."), "name", name=name)
    with unit_of_work():
        row = Organisation(name=name, kind=kind, municipality=municipality)
        db.session.add(row)
    return row


def create_user(
    email: str,
    *,
    name: str,
    role: str,
    password_hash: str,
    organisation_id: int | None = None,
    locale: str = "da",
    created_at: datetime | None = None,
) -> User:
    email = (email or "").strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ServiceError(N_("A user with e-mail %(email)s already exists."), "email", email=email)
    with unit_of_work():
        row = User(
            email=email,
            name=name,
            role=role,
            organisation_id=organisation_id,
            locale=locale,
            password_hash=password_hash,
            created_at=created_at or utcnow(),
        )
        db.session.add(row)
    return row


def set_phone(user: User, phone: str | None) -> None:
    """The work phone other parties see in the emails about the user's cases."""
    with unit_of_work():
        user.phone = (phone or "").strip() or None


def set_locale(user: User, locale: str) -> None:
    """The user's language, remembered for e-mails and the next login."""
    with unit_of_work():
        user.locale = locale


# --- Login failures ----------------------------------------------------------------------------
# --- Browser sessions --------------------------------------------------------------------------
def start_session(user: User) -> str:
    """Record a new browser session; returns its id (for the signed cookie)."""
    sid = secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.add(UserSession(id=sid, user_id=user.id, created_at=utcnow()))
    return sid


def end_session(sid: str) -> None:
    with unit_of_work():
        db.session.execute(
            update(UserSession).where(UserSession.id == sid, UserSession.ended_at.is_(None)).values(ended_at=utcnow())
        )


def end_all_sessions(user: User) -> None:
    """Log out everywhere: a new session generation (older cookies stop working) and every
    open session ended, in one transaction."""
    with unit_of_work():
        user.session_generation += 1
        db.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


# --- API tokens --------------------------------------------------------------------------------
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str, *, days: int) -> tuple[str, ApiToken]:
    """A personal API token; the plain token is returned once and never stored. It expires
    after `days` (a lost token does not work for ever)."""
    now = utcnow()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        row = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=token_hash(token),
            prefix=token[:12],
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        db.session.add(row)
    return token, row


def revoke_token(user: User, token_id: int) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(N_("No such token."), "token_id")
    if row.revoked_at is None:
        with unit_of_work():
            row.revoked_at = utcnow()
    return row


def record_token_use(token_id: int, now: datetime, stale: datetime) -> None:
    """Mark the token used now, unless that was already written after `stale` (at most one
    write per interval, whichever request gets there first)."""
    with unit_of_work():
        db.session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < stale))
            .values(last_used_at=now)
        )


__all__ = [
    "TOKEN_PREFIX",
    "create_organisation",
    "create_token",
    "create_user",
    "end_all_sessions",
    "end_session",
    "record_token_use",
    "revoke_token",
    "set_locale",
    "start_session",
    "token_hash",
]


def staff_for_subject(subject: str, role: str, organisation: str | None) -> User | None:
    """The active user the identity provider's subject is linked to, with the role and
    organisation the provider's groups map to (updated here when they changed there); None for
    an unknown subject or an organisation that does not exist."""
    from ..models import Organisation

    user = db.session.scalar(select(User).where(User.oidc_subject == subject, User.active.is_(True)))
    if user is None:
        return None
    org_id = None
    if organisation is not None:
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == organisation))
        if org_id is None:
            return None
    if (user.role, user.organisation_id) != (role, org_id):
        with unit_of_work():
            user.role, user.organisation_id = role, org_id  # type: ignore[assignment]
    return user


def link_subject(user: User, subject: str | None) -> None:
    """Link (or unlink) the user to the identity provider's stable subject."""
    with unit_of_work():
        user.oidc_subject = subject or None

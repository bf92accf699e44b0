"""Staff passwords: changing one's own, and a forgotten password by e-mail link.

The link is signed (itsdangerous, its own salt), expires after RESET_MINUTES and works once: the
database keeps the SHA-256 of its random secret and marks it used. It is e-mailed through the
outbox (a due row written in the same transaction, sealed until the worker sends it). A new
password ends every session of the account, on every device (as "log out everywhere" does).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from werkzeug.security import check_password_hash

from ..clock import utcnow
from ..extensions import db
from ..models import PasswordReset, User, UserSession
from ..validation import MIN_PASSWORD
from ..workflows.phases import NotificationKind
from .accounts import hash_password
from .errors import N_, ServiceError
from .secret_mail import queue_secret_mail
from .unit_of_work import unit_of_work

RESET_MINUTES = 60
RESET_SALT = "password-reset"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_new_password(password: str, field: str = "new_password") -> None:
    """The shared password rule (ips_coord.validation), as a translatable service error."""
    if len(password or "") < MIN_PASSWORD:
        raise ServiceError(N_("The password must have at least %(n)s characters."), field, n=MIN_PASSWORD)
    if password.lower() == password or password.upper() == password or not any(c.isdigit() for c in password):
        raise ServiceError(N_("The password must mix upper and lower case letters and contain a digit."), field)


def _set_password(user: User, password: str) -> None:
    """Inside a unit of work: the new hash, and every session of the account ended."""
    user.password_hash = hash_password(password)
    user.session_generation += 1
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: the current password first. Every session ends (the caller signs
    the user in again on this device)."""
    if not check_password_hash(user.password_hash, current or ""):
        raise ServiceError(N_("The current password is wrong."), "current_password")
    check_new_password(new)
    if check_password_hash(user.password_hash, new):
        raise ServiceError(N_("Choose a password different from the current one."), "new_password")
    with unit_of_work():
        _set_password(user, new)


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=RESET_SALT)


def request_reset(email: str, secret_key: str, link: Callable[[str], str]) -> bool:
    """A reset link for the active user with this address, e-mailed through the outbox (earlier
    links stop working); False for an unknown or inactive address, and the caller answers the
    same either way. `link` makes the URL from the token; the token is returned to no one."""
    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not user.active:
        return False
    queue_reset(user, secret_key, link)
    return True


def queue_reset(user: User, secret_key: str, link: Callable[[str], str]) -> None:
    """Write the reset row and its e-mail (also how a new account gets its first password)."""
    now = utcnow()
    secret = secrets.token_urlsafe(24)
    with unit_of_work():
        db.session.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
        row = PasswordReset(
            user_id=user.id,
            secret_hash=_hash(secret),
            expires_at=now + timedelta(minutes=RESET_MINUTES),
            created_at=now,
        )
        db.session.add(row)
        db.session.flush()
        token = _serializer(secret_key).dumps({"i": row.id, "s": secret})
        queue_secret_mail(
            NotificationKind.PASSWORD_RESET,
            link(token),
            now=now,
            expires_at=row.expires_at,
            locale=user.locale or "da",
            recipient_id=user.id,
        )


def _valid_reset(token: str, secret_key: str) -> PasswordReset | None:
    try:
        data = _serializer(secret_key).loads(token or "", max_age=RESET_MINUTES * 60)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("s"), str):
        return None
    row = db.session.scalar(select(PasswordReset).where(PasswordReset.id == data["i"]).with_for_update())
    if (
        row is None
        or row.used_at is not None
        or row.expires_at <= utcnow()
        or not hmac.compare_digest(row.secret_hash, _hash(data["s"]))
    ):
        return None
    return row


def reset_is_valid(token: str, secret_key: str) -> bool:
    """Whether the link still works (the page says so before the user types a password)."""
    ok = _valid_reset(token, secret_key) is not None
    db.session.rollback()  # release the row lock taken to read it
    return ok


def reset_password(token: str, secret_key: str, new: str) -> User:
    """Use the link: the new password, the link used up, every session of the account ended."""
    check_new_password(new)
    with unit_of_work():
        row = _valid_reset(token, secret_key)
        if row is None:
            raise ServiceError(N_("The link has expired or has been used. Ask for a new one."), "token")
        user = db.session.get_one(User, row.user_id)
        if not user.active:
            raise ServiceError(N_("The link has expired or has been used. Ask for a new one."), "token")
        row.used_at = utcnow()
        _set_password(user, new)
    return user


__all__ = [
    "RESET_MINUTES",
    "change_password",
    "check_new_password",
    "queue_reset",
    "request_reset",
    "reset_is_valid",
    "reset_password",
]

"""The personal calendar feed's secret address: made, replaced (the old address stops working)
and revoked by its user. Only the SHA-256 of the key is stored; the address is shown once."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, select, update

from ..clock import utcnow
from ..extensions import db
from ..models import CalendarFeed, User
from .unit_of_work import unit_of_work

KEY_PREFIX = "cal_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.get(CalendarFeed, user.id)


def new_key(user: User) -> str:
    """A new secret address for the user's feed, replacing any earlier one; returned once."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
        db.session.add(CalendarFeed(user_id=user.id, key_hash=_hash(key), created_at=utcnow()))
    return key


def revoke(user: User) -> bool:
    with unit_of_work():
        gone = db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    return bool(getattr(gone, "rowcount", 0))


def user_for_key(key: str) -> User | None:
    """The active user whose feed this key opens (the use is recorded), or None."""
    if not (key or "").startswith(KEY_PREFIX):
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.key_hash == _hash(key)))
    user = db.session.get(User, feed.user_id) if feed is not None else None
    if feed is None or user is None or not user.active:
        return None
    with unit_of_work():
        db.session.execute(update(CalendarFeed).where(CalendarFeed.user_id == user.id).values(last_used_at=utcnow()))
    return user


__all__ = ["KEY_PREFIX", "feed_of", "new_key", "revoke", "user_for_key"]

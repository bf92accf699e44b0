"""Account secrets beside the user: forgotten-password links and the personal calendar feed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime


class PasswordReset(Model):
    """A forgotten-password link: signed, expiring, single use. Only the SHA-256 of its secret is
    stored; the link itself waits sealed in the outbox until it is sent."""

    __tablename__ = "password_reset"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CalendarFeed(Model):
    """A user's secret calendar-feed address. The URL carries a random key whose SHA-256 is stored
    here; regenerating replaces it (the old URL stops working), revoking deletes the row."""

    __tablename__ = "calendar_feed"
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginThrottle(Model):
    """Failed sign-ins (or codes asked for) under one key: the SHA-256 of what was counted, for
    example the e-mail address typed and the client's address. Keyed by what was typed, never by
    an account, so an address on record and an unknown one are counted, and answered, alike."""

    __tablename__ = "login_throttle"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    wait_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

"""Idempotency keys of API POSTs: a retried request gets the first answer, not a second row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime


class IdempotencyKey(Model):
    """One Idempotency-Key per caller (a token, or a user's session): claimed when the request
    starts, completed with the response it got; a replay returns that response until it expires."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("owner", "key", name="uq_idempotency_key_owner_key"),
        Index("ix_idempotency_key_expires_at", "expires_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # "token:<hash prefix>" for a Bearer token, "user:<id>" for a browser session.
    owner: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    # sha256 of the request body: the same key with another body is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    # JSON object of the headers replayed with the body (Location, ETag, Case-Version).
    response_headers: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

"""System integrations: the change feed's append-only log, webhook endpoints and their deliveries.

The change log's `id` is the feed's cursor. It is not an autoincrement: the services' session
hook (services/changes.py) takes the next positions from `change_counter` just before the
commit, so positions are handed out in commit order and a reader that has seen position N has
seen everything at or below N, even with writers committing in parallel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.phases import ChangeAction, ChangeKind, WebhookStatus
from .org import ApiToken, Organisation
from .types import Code, UTCDateTime


class ChangeCounter(Model):
    """One row: the last position handed out. Its row lock orders the writers' commits."""

    __tablename__ = "change_counter"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(BigInteger, default=0)


class ChangeLog(Model):
    """Something changed on a case: which kind of record, which row, created or updated.
    References only, never the content (the feed reads the content through the access policy)."""

    __tablename__ = "change_log"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column()  # no foreign key: see services/changes.py
    kind: Mapped[ChangeKind] = mapped_column(Code(ChangeKind, 32))
    entity_id: Mapped[int] = mapped_column()
    action: Mapped[ChangeAction] = mapped_column(Code(ChangeAction, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_change_log_case_id", "case_id", "id"),)


class WebhookEndpoint(Model):
    """An organisation's HTTPS endpoint for the change kinds it wants. What is delivered is what
    its service token may see; `cursor` is the last change position fanned out to it."""

    __tablename__ = "webhook_endpoint"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id"))
    url: Mapped[str] = mapped_column(String(500))
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The HMAC key: the receiver needs the same bytes, so it is stored as given (shown once).
    secret: Mapped[str] = mapped_column(String(80))
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    token: Mapped[ApiToken] = relationship()


class WebhookDelivery(Model):
    """Outbox row of one change for one endpoint (the delivery log). `id` is the delivery id the
    receiver sees (webhook-id); a resend keeps it, so the receiver can drop a copy."""

    __tablename__ = "webhook_delivery"
    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"))
    change_id: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"))
    kind: Mapped[ChangeKind] = mapped_column(Code(ChangeKind, 32))
    # References only (case id and number, kind, cursor): never health data.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[WebhookStatus] = mapped_column(Code(WebhookStatus, 16), default=WebhookStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The first attempt whose answer came too late ("maybe delivered"): one more after a pause.
    maybe_delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    endpoint: Mapped[WebhookEndpoint] = relationship()

    __table_args__ = (
        UniqueConstraint("endpoint_id", "change_id", name="uq_webhook_delivery_endpoint_change"),
        Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),
    )

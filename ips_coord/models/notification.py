from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, Text, and_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.phases import NotificationKind, NotificationStatus
from .types import Code, UTCDateTime

if TYPE_CHECKING:
    from .case import IpsCase


class Notification(Model):
    """Outbox row: written in the same transaction as the change it announces.

    Delivery is at-least-once: `sent` only after the mail server's 250, and any resend
    carries the same Message-ID (derived from the unique `idempotency_key`), so the recipient's
    mail system can drop the copy.
    """

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    # A staff user, or (recipient_id NULL) a bare address: the citizen's sign-in code and invitation.
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    to_address: Mapped[str | None] = mapped_column(String(254))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ips_case.id"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(Code(NotificationKind, 40))
    status: Mapped[NotificationStatus] = mapped_column(Code(NotificationStatus, 16), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The current claim's owner: a claim is a lease, and every write under it checks this.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The first attempt whose answer came too late ("maybe delivered"): one more after a pause.
    maybe_delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    requires_ack: Mapped[bool] = mapped_column(default=False)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Non-sensitive template parameters only (references, dates, kinds) - never health data. The
    # secret kinds (SECRET_NOTIFICATION_KINDS) add "sealed": the code or link, Fernet-encrypted
    # with a key derived from SECRET_KEY, removed when the row is sent or fails.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Declared so the unit of work writes the case row (the version check) first.
    case: Mapped[IpsCase | None] = relationship()

    __table_args__ = (
        Index("ix_notification_status_next", "status", "next_attempt_at"),
        Index("ix_notification_recipient_status", "recipient_id", "status"),
        # Awaiting acknowledgement: a handful of rows among millions, counted on every overview.
        Index(
            "ix_notification_unacknowledged",
            "case_id",
            postgresql_where=text("requires_ack AND acknowledged_at IS NULL"),
            sqlite_where=text("requires_ack AND acknowledged_at IS NULL"),
        ),
        # Possible duplicate referrals: a few rows among millions, listed on the coordinator's overview.
        Index(
            "ix_notification_possible_duplicate",
            "recipient_id",
            "created_at",
            postgresql_where=text("kind = 'possible_duplicate'"),
            sqlite_where=text("kind = 'possible_duplicate'"),
        ),
        # Not sent for lack of consent: a few rows, counted on every coordinator's overview.
        Index(
            "ix_notification_withheld",
            "case_id",
            postgresql_where=text("status = 'withheld'"),
            sqlite_where=text("status = 'withheld'"),
        ),
    )

    @classmethod
    def awaiting_ack(cls) -> ColumnElement[bool]:
        """Asks for an acknowledgement that has not come. Reminders are left out: they point at
        the original, which is the one to acknowledge. The first two terms are the condition of
        the partial index ix_notification_unacknowledged (migration 0003), so PostgreSQL uses it."""
        return and_(cls.requires_ack, cls.acknowledged_at.is_(None), cls.kind != NotificationKind.ACK_REMINDER)

    @classmethod
    def unacknowledged(cls) -> ColumnElement[bool]:
        """Sent and still awaiting its acknowledgement (the overviews' "unacknowledged")."""
        return and_(cls.awaiting_ack(), cls.status == NotificationStatus.SENT)

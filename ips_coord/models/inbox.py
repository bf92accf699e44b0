from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..workflows.phases import InboxKind
from .types import Code, UTCDateTime


class InboxItem(Model):
    """One item of a staff user's in-app inbox: something on one of their cases they should know.

    Written by the services in the same transaction as the change it tells of. `data` holds
    non-sensitive words only (a reference, a colleague's name, a follow-up kind, a generic
    item's text), never health data, notes or benefit facts: the case page shows those."""

    __tablename__ = "inbox_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ips_case.id"), index=True)
    kind: Mapped[InboxKind] = mapped_column(Code(InboxKind, 32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        # The inbox page (newest first) and the menu's unread count, per user.
        Index("ix_inbox_item_user_created", "user_id", "created_at"),
        Index("ix_inbox_item_user_read", "user_id", "read_at"),
    )

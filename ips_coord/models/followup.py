from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.phases import FollowUpKind, FollowUpStatus
from .types import Code, UTCDateTime

if TYPE_CHECKING:
    from .case import IpsCase


class FollowUp(Model):
    """Due work. Created by workflow rules, completed by the matching activity."""

    __tablename__ = "follow_up"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"))
    kind: Mapped[FollowUpKind] = mapped_column(Code(FollowUpKind, 40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    status: Mapped[FollowUpStatus] = mapped_column(Code(FollowUpStatus, 16), default=FollowUpStatus.OPEN)
    # Sweep bookkeeping: when the reminder / escalation for this row was turned into notifications.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Declared so the unit of work writes the case row (the version check) first.
    case: Mapped[IpsCase] = relationship()

    __table_args__ = (
        Index("ix_follow_up_status_due", "status", "due_at"),
        Index("ix_follow_up_status_remind", "status", "remind_at"),
        Index("ix_follow_up_assignee_status_due", "assignee_id", "status", "due_at"),
        Index("ix_follow_up_case_status", "case_id", "status"),
        # One kind of follow-up over a team's cases (the outcomes and fidelity figures).
        Index("ix_follow_up_case_kind", "case_id", "kind"),
        # Open escalations: a few among a million rows, counted on every overview.
        Index(
            "ix_follow_up_open_escalated",
            "case_id",
            postgresql_where=text("status = 'open' AND escalated_at IS NOT NULL"),
            sqlite_where=text("status = 'open' AND escalated_at IS NOT NULL"),
        ),
    )

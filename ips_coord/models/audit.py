from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..workflows.phases import AccessAction
from .types import Code, UTCDateTime


class AccessLog(Model):
    """Append-only record of every read and write of a case (who, which part, when, request),
    and of every refused attempt (action "refused": the route, the id tried and the status)."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ips_case.id"))
    action: Mapped[AccessAction] = mapped_column(Code(AccessAction, 8))
    part: Mapped[str] = mapped_column(String(40))
    view: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(64))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What a refused request named (e.g. "case 12", "citizen 7"): the id may not exist.
    target: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[int | None] = mapped_column(Integer)  # the HTTP status of a refusal
    reason: Mapped[str | None] = mapped_column(String(500))  # stated for a full export
    # The citizen, when the citizen did it in their own view (then user_id is empty).
    # No foreign key: the log outlives a merged or anonymised citizen record.
    citizen_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_access_log_case_created", "case_id", "created_at"),
        Index(
            "ix_access_log_refused",
            "created_at",
            postgresql_where=text("action = 'refused'"),
            sqlite_where=text("action = 'refused'"),
        ),
    )


class HistoryOverride(Model):
    """Holds a row only inside a retention transaction: the append-only triggers of case_event
    and access_log let that transaction anonymise or drop history, and nobody else (the row is
    never committed, so no other transaction ever sees it)."""

    __tablename__ = "history_override"
    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(40))

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class AccessLog(db.Model):
    """Append-only record of every read and write of a case (who, which part, when, request)."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ips_case.id"))
    action: Mapped[str] = mapped_column(String(8))  # read / write
    part: Mapped[str] = mapped_column(String(40))
    view: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(64))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_access_log_case_created", "case_id", "created_at"),)

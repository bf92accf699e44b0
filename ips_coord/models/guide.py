"""Conversation guides: short advice for the consultant's hard conversations (questions to ask,
what to avoid), kept by each IPS team as data it edits, and counted where a contact used one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime


class ConversationGuide(Model):
    __tablename__ = "conversation_guide"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(200))
    situation: Mapped[str] = mapped_column(Text)  # when the guide helps
    questions: Mapped[str] = mapped_column(Text)  # one a line
    avoid: Mapped[str] = mapped_column(Text, default="")  # one a line
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_conversation_guide_team", "team_id", "position"),)

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in (text or "").splitlines() if line.strip()]

"""Fidelity reviews of an IPS team on the IPS-25 scale: the reviewers' score and evidence per
item beside the data's own figure, and the action plan that follows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.fidelity_scale import ActionStatus, FidelityLevel, ReviewStatus
from .types import Code, UTCDateTime


class FidelityReview(Model):
    __tablename__ = "fidelity_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    reviewed_on: Mapped[date] = mapped_column(Date)
    reviewers: Mapped[str] = mapped_column(Text)  # one name a line: external reviewers need no account
    status: Mapped[ReviewStatus] = mapped_column(Code(ReviewStatus, 16), default=ReviewStatus.DRAFT)
    total: Mapped[int | None]
    level: Mapped[FidelityLevel | None] = mapped_column(Code(FidelityLevel, 16))
    next_due_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    items: Mapped[list[FidelityReviewItem]] = relationship(order_by="FidelityReviewItem.item", back_populates="review")
    actions: Mapped[list[FidelityAction]] = relationship(order_by="FidelityAction.due_on", back_populates="review")

    __table_args__ = (Index("ix_fidelity_review_team_date", "team_id", "reviewed_on"),)

    @property
    def reviewer_names(self) -> list[str]:
        return [n for n in (line.strip() for line in self.reviewers.splitlines()) if n]


class FidelityReviewItem(Model):
    __tablename__ = "fidelity_review_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("fidelity_review.id"))
    item: Mapped[int]
    score: Mapped[int | None]  # the reviewers' agreed score, 1-5
    evidence: Mapped[str | None] = mapped_column(Text)
    data_score: Mapped[int | None]  # what the case data scores, where it can
    data_figure: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the figure as a message (text.text_to_json)

    review: Mapped[FidelityReview] = relationship(back_populates="items")

    __table_args__ = (UniqueConstraint("review_id", "item"),)


class FidelityAction(Model):
    """One line of a review's action plan: it reaches its owner's inbox with its due date."""

    __tablename__ = "fidelity_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("fidelity_review.id"), index=True)
    item: Mapped[int]
    action: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(Code(ActionStatus, 16), default=ActionStatus.OPEN)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the owner told it is due

    review: Mapped[FidelityReview] = relationship(back_populates="actions")

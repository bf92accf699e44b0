"""The shared plan (fælles plan), the citizen's own words and progress measures.

One plan per case, seen by each party under the access policy: goals in the citizen's own
words (versioned, each version marked as written by the citizen or by staff on their behalf),
actions with an owner and a due date (which becomes the owner's follow-up), the history of the
current job's supports, the citizen's notes to the consultant and the progress ratings.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.plan import LoginSecret, PlanOwner, SignInMethod, WrittenBy
from .org import User
from .types import Code, UTCDateTime


class PlanGoal(Model):
    """The citizen's goals, in their own words. Each save is a new version; the newest is current."""

    __tablename__ = "plan_goal"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"))
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    written_by: Mapped[WrittenBy] = mapped_column(Code(WrittenBy, 16))  # the citizen, or staff on their behalf
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))  # the staff member, if staff
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    author: Mapped[User | None] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_plan_goal_case_version"),)


class PlanAction(Model):
    """One action of the plan: what, who owns it, by when. Its due date is the owner's follow-up."""

    __tablename__ = "plan_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[PlanOwner] = mapped_column(Code(PlanOwner, 32))
    # The network person who owns the action (owner "network"), under the citizen's consent.
    network_person_id: Mapped[int | None] = mapped_column(ForeignKey("network_person.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    written_by: Mapped[WrittenBy] = mapped_column(Code(WrittenBy, 16))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupportChange(Model):
    """History of a placement's supports (mentor and hours, personal assistance, aids, flexjob terms):
    the placement row holds the current set, each change is kept here."""

    __tablename__ = "support_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"))
    supports: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CitizenNote(Model):
    """ "What I want to talk about next time": the citizen's words to their consultant."""

    __tablename__ = "citizen_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProgressRating(Model):
    """One rating under a named, versioned instrument, by the citizen or by the consultant."""

    __tablename__ = "progress_rating"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"))
    instrument: Mapped[str] = mapped_column(String(40))  # e.g. "ips-progress-v1"
    rater: Mapped[WrittenBy] = mapped_column(Code(WrittenBy, 16))  # the citizen, or staff (the consultant)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    scores: Mapped[dict[str, int]] = mapped_column(JSON)  # dimension -> 1..10
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_progress_rating_case_rated", "case_id", "rated_at"),)


class CitizenLoginCode(Model):
    """A one-time sign-in secret for a citizen: an e-mailed code or an invitation link.
    Only its SHA-256 is stored; it expires, and it works once."""

    __tablename__ = "citizen_login_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id"), index=True)
    kind: Mapped[LoginSecret] = mapped_column(Code(LoginSecret, 16))
    secret_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))  # the consultant who invited
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CitizenSession(Model):
    """A citizen's signed-in browser session: a kind of its own, never a staff session."""

    __tablename__ = "citizen_session"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id"), index=True)
    method: Mapped[SignInMethod] = mapped_column(Code(SignInMethod, 16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

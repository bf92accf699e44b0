"""Systematic job development: the team's employer register, contact persons, openings learned
from employers, suggestions of an opening to a citizen, and the history of moved follow-ups."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.phases import OpeningStatus, SuggestionOutcome
from .types import Code, UTCDateTime


class Employer(Model):
    """An employer the IPS team works with. `name_key` is the normalised name: "FØTEX  NORDBY"
    and "Føtex Nordby" are one employer, and the register refuses a second one."""

    __tablename__ = "employer"
    id: Mapped[int] = mapped_column(primary_key=True)
    ips_team_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    cvr: Mapped[str | None] = mapped_column(String(8))  # 8 digits, modulus-11 checked
    address: Mapped[str | None] = mapped_column(String(300))
    municipality: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    persons: Mapped[list[EmployerPerson]] = relationship(order_by="EmployerPerson.name", back_populates="employer")

    __table_args__ = (
        UniqueConstraint("ips_team_id", "name_key", name="uq_employer_team_name_key"),
        UniqueConstraint("ips_team_id", "cvr", name="uq_employer_team_cvr"),
    )


class EmployerPerson(Model):
    """A contact person at an employer."""

    __tablename__ = "employer_person"
    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    employer: Mapped[Employer] = relationship(back_populates="persons")


class Opening(Model):
    """A job opening learned from an employer. `keywords` holds the normalised word stems of the
    title and what the employer asks for (also as rows in opening_keyword, for the index)."""

    __tablename__ = "opening"
    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    ips_team_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(200))
    hours_per_week: Mapped[float | None]
    place: Mapped[str | None] = mapped_column(String(200))
    municipality_key: Mapped[str | None] = mapped_column(String(100))
    requirements: Mapped[str | None] = mapped_column(Text)
    status: Mapped[OpeningStatus] = mapped_column(Code(OpeningStatus, 16), default=OpeningStatus.OPEN)
    keywords: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    employer: Mapped[Employer] = relationship(lazy="joined")

    __table_args__ = (
        Index("ix_opening_team_status", "ips_team_id", "status"),
        Index("ix_opening_team_municipality", "ips_team_id", "municipality_key", "status"),
    )


class OpeningKeyword(Model):
    """One word stem of an open opening: the matching looks a profile's stems up here."""

    __tablename__ = "opening_keyword"
    keyword: Mapped[str] = mapped_column(String(40), primary_key=True)
    ips_team_id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id"), primary_key=True, index=True)


class Suggestion(Model):
    """The consultant suggested an opening to a citizen, and what came of it. Never decided for anyone."""

    __tablename__ = "suggestion"
    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("opening.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    suggested_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    explanation: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[SuggestionOutcome] = mapped_column(Code(SuggestionOutcome, 32), default=SuggestionOutcome.SUGGESTED)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    opening: Mapped[Opening] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("opening_id", "case_id", name="uq_suggestion_opening_case"),)


class FollowUpChange(Model):
    """A follow-up moved to a new date or handed to a colleague, with the reason: never silently dropped."""

    __tablename__ = "follow_up_change"
    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_up.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    from_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    to_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    from_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    to_assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def employer_key(name: str | None) -> str:
    """One employer however it was typed: "FØTEX  Nordby" and "Føtex Nordby" are the same."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())

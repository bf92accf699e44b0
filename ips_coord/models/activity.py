from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..workflows.phases import ContactKind, ContactPurpose, EndReason, Location, PlacementType
from .types import Code, UTCDateTime


class Placement(Model):
    """A job, education or step (internship, wage subsidy...). Only ordinary jobs,
    flexjobs and education can be the goal; the rest are recorded as steps."""

    __tablename__ = "placement"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"))
    type: Mapped[PlacementType] = mapped_column(Code(PlacementType, 32))
    employer_name: Mapped[str] = mapped_column(String(200))
    # The employer in the team's register (linked by normalised name when the job starts).
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    job_title: Mapped[str | None] = mapped_column(String(200))
    hours_per_week: Mapped[float | None]
    hourly_pay: Mapped[float | None]  # kroner an hour; a change is its own step (benefits counselling)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[EndReason | None] = mapped_column(Code(EndReason, 32))
    benefits_counselling_offered: Mapped[bool] = mapped_column(default=False)
    # mentor, personal assistance, aids, flexjob terms, adjustments: what a review adjusts
    supports: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_placement_case_start", "case_id", "start_date"),)


class Contact(Model):
    """A contact or meeting with the citizen (or about them, for treatment-team meetings)."""

    __tablename__ = "contact"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    kind: Mapped[ContactKind] = mapped_column(Code(ContactKind, 32))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[Location] = mapped_column(Code(Location, 16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The team's conversation guide the consultant used, if any (counted for the coordinator).
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("conversation_guide.id"))

    __table_args__ = (Index("ix_contact_case_occurred", "case_id", "occurred_at"),)


class EmployerContact(Model):
    """Job development: a consultant's contact with an employer (target 6 face-to-face a week)."""

    __tablename__ = "employer_contact"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("ips_case.id"), index=True)
    employer_name: Mapped[str] = mapped_column(String(200))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    face_to_face: Mapped[bool] = mapped_column(default=True)
    location: Mapped[Location] = mapped_column(Code(Location, 16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The register: which employer, who was met, why, what came of it and what happens next.
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("employer_person.id"))
    purpose: Mapped[ContactPurpose | None] = mapped_column(Code(ContactPurpose, 32))
    outcome: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(String(500))
    next_step_due: Mapped[date | None] = mapped_column(Date)
    next_step_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_employer_contact_consultant_occurred", "consultant_id", "occurred_at"),)


class JobEndingReview(Model):
    """The joint review after a job or education ends: adjust, never abandon."""

    __tablename__ = "job_ending_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id"))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())
    what_worked: Mapped[str | None] = mapped_column(Text)
    what_did_not: Mapped[str | None] = mapped_column(Text)
    adjustments: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # hours, tasks, mentor, aids, disclosure
    clinician_present: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ParallelIntervention(Model):
    """Interventions alongside IPS (CTI, ACT, IBBIS, peer support...), not IPS phases."""

    __tablename__ = "parallel_intervention"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

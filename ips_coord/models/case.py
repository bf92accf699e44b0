from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..workflows.phases import BenefitKind, CloseReason, ConsentCategory, DecisionOutcome, Party, Phase, ReferralReason
from .org import Organisation, User
from .types import Code, UTCDateTime


class Citizen(Model):
    """The person in IPS. The CPR number is stored sealed (`cpr_encrypted`, never readable from a
    dump) with a keyed hash beside it (`cpr_hmac`) for exact look-up; see ips_coord/sealed.py."""

    __tablename__ = "citizen"
    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_year: Mapped[int | None]
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    municipality: Mapped[str | None] = mapped_column(String(100))
    cpr_encrypted: Mapped[str | None] = mapped_column(Text)
    cpr_hmac: Mapped[str | None] = mapped_column(String(64), index=True)
    # The identity broker's subject, linked at the first sign-in that carried a verified CPR number.
    oidc_sub: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The citizen's own goal, in their own words.
    own_goal: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set by the retention run: names, contact details and free text are gone, figures kept.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def cpr(self) -> str | None:
        """The CPR number masked (DDMMYY-****), as staff and the API see it unless they ask."""
        from ..cpr import mask
        from ..sealed import open_cpr

        digits = open_cpr(self.cpr_encrypted)
        return mask(digits) if digits else None

    @property
    def full_name(self) -> str:
        # An anonymised citizen has no name left; a dash keeps lists readable.
        return f"{self.first_name} {self.last_name}" if self.anonymised_at is None else "–"


# What the search compares (access/search.py), written with literal constants (not bound
# parameters) so PostgreSQL matches them to the citizen's two search indexes: trigram (pg_trgm)
# GIN indexes on PostgreSQL, plain expression indexes on SQLite. Migration 0017_find creates them;
# Alembic cannot compare such expressions with the models, so they are named here and left out
# of the comparison (`include_object`).
PHONE_PUNCTUATION = (" ", "-", "+", "(", ")", ".")
MIGRATION_ONLY_INDEXES = frozenset({"ix_citizen_name_search", "ix_citizen_phone_search"})


def citizen_name_key() -> ColumnElement[str]:
    return func.lower(Citizen.first_name + literal_column("' '") + Citizen.last_name)


def citizen_phone_key() -> ColumnElement[str]:
    expr: ColumnElement[Any] = Citizen.__table__.c.phone
    for char in PHONE_PUNCTUATION:
        expr = func.replace(expr, literal_column(f"'{char}'"), literal_column("''"))
    return expr


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """For Alembic's comparison of models and database: skip the migration-only indexes."""
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def case_reference(case_id: int) -> str:
    return f"IPS-{case_id:06d}"


class IpsCase(Model):
    """An IPS case (forløb). `version` gives optimistic locking: a stale write fails."""

    __tablename__ = "ips_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id"), index=True)
    phase: Mapped[Phase] = mapped_column(Code(Phase, 32))
    paused_from: Mapped[Phase | None] = mapped_column(Code(Phase, 32))
    resume_date: Mapped[date | None] = mapped_column(Date)
    ips_team_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    consultant_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    psychiatry_contact_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    jobcenter_caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    # The coordinating professional across the sectors (tovholder): one of the three above.
    coordinating_professional_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_employer_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[CloseReason | None] = mapped_column(Code(CloseReason, 32))
    out_of_work_at_enrolment: Mapped[bool] = mapped_column(default=True)
    # Why the citizen was referred (no health information: every reader of the phase sees it).
    referral_reason: Mapped[ReferralReason | None] = mapped_column(Code(ReferralReason, 32))
    # Number of case events so far; the next event's seq. Bumped with the case row, so the
    # version check serialises writers of the history.
    event_count: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    citizen: Mapped[Citizen] = relationship(lazy="joined")
    consultant: Mapped[User | None] = relationship(foreign_keys=[consultant_id])
    psychiatry_contact: Mapped[User | None] = relationship(foreign_keys=[psychiatry_contact_id])
    jobcenter_caseworker: Mapped[User | None] = relationship(foreign_keys=[jobcenter_caseworker_id])
    coordinating_professional: Mapped[User | None] = relationship(foreign_keys=[coordinating_professional_id])
    ips_team: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's base declares it; read once at mapping

    @property
    def reference(self) -> str:
        """Names the case without naming the person (used in emails and logs)."""
        return case_reference(self.id)

    @property
    def possible_duplicate(self) -> bool:
        """Set by the referral service on a case it just made when the citizen may already be
        known (not stored: the coordinator's notification is the lasting record)."""
        return bool(self.__dict__.get("_possible_duplicate", False))

    @possible_duplicate.setter
    def possible_duplicate(self, value: bool) -> None:
        self.__dict__["_possible_duplicate"] = value

    def days_since_contact(self, now: datetime) -> int:
        """Whole days since the last contact (or, before any, since enrolment or referral)."""
        last = self.last_contact_at or self.enrolled_at or self.referred_at
        return (now - last) // timedelta(days=1)

    __table_args__ = (
        Index("ix_ips_case_consultant_phase", "consultant_id", "phase"),
        Index("ix_ips_case_team_phase", "ips_team_id", "phase"),
    )


class CaseEvent(Model):
    """Append-only history of a case: every transition and escalation step."""

    __tablename__ = "case_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"))
    # Position in the case's history; unique so concurrent writers cannot leave a gap or a duplicate.
    seq: Mapped[int]
    event: Mapped[str] = mapped_column(String(40))
    from_phase: Mapped[Phase | None] = mapped_column(Code(Phase, 32))
    to_phase: Mapped[Phase | None] = mapped_column(Code(Phase, 32))
    reason: Mapped[str | None] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    request_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    actor: Mapped[User | None] = relationship()
    # Declared so the unit of work writes the case row (the version check) before its events.
    case: Mapped[IpsCase] = relationship()

    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_event_case_seq"),)


class Consent(Model):
    """A specific consent (Sundhedsloven § 43, Retssikkerhedsloven § 11a). Never deleted."""

    __tablename__ = "consent"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    from_party: Mapped[Party] = mapped_column(Code(Party, 32))
    to_party: Mapped[Party] = mapped_column(Code(Party, 32))
    categories: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(500))
    given_at: Mapped[date] = mapped_column(Date)
    expires_at: Mapped[date | None] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def is_live(self, today: date) -> bool:
        return in_force(self.given_at, self.expires_at, self.withdrawn_at, today)


def in_force(given_at: date, expires_at: date | None, withdrawn_at: datetime | None, today: date) -> bool:
    """Whether a consent given then, to expire then and perhaps withdrawn, holds today."""
    return withdrawn_at is None and given_at <= today and (expires_at is None or today < expires_at)


class CareerProfile(Model):
    """Career profile, versioned: each save is a new row, the newest is current."""

    __tablename__ = "career_profile"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"))
    version: Mapped[int]
    wishes_and_dreams: Mapped[str | None] = mapped_column(Text)
    job_preferences: Mapped[str | None] = mapped_column(Text)
    work_history: Mapped[str | None] = mapped_column(Text)
    education: Mapped[str | None] = mapped_column(Text)
    strengths: Mapped[str | None] = mapped_column(Text)
    support_needs: Mapped[str | None] = mapped_column(Text)
    disclosure: Mapped[str | None] = mapped_column(String(32))  # full / partial / none / undecided
    relatives_involved: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("case_id", "version", name="uq_career_profile_case_version"),)


class SharedHealthInfo(Model):
    """What psychiatry shares with the IPS team, by category, under consent."""

    __tablename__ = "shared_health_info"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    category: Mapped[ConsentCategory] = mapped_column(Code(ConsentCategory, 40))  # the psychiatry ones
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BenefitFact(Model):
    """Benefit-relevant facts held by the jobcenter (never shown to psychiatry)."""

    __tablename__ = "benefit_fact"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    benefit: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # What kind of fact or decision (None on rows from before the kinds: a benefit), its hours
    # (mentor hours a week) and its date (a decision, a ressourceforløb start, a team meeting).
    kind: Mapped[BenefitKind | None] = mapped_column(Code(BenefitKind, 32))
    hours: Mapped[float | None]
    on_date: Mapped[date | None] = mapped_column(Date)
    # A decision's outcome (granted, refused, pending) and its next date (a reassessment, the
    # next meeting); a decision is corrected in place, with who changed it last and when.
    outcome: Mapped[DecisionOutcome | None] = mapped_column(Code(DecisionOutcome, 16))
    next_date: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class Admission(Model):
    """A psychiatric admission recorded by psychiatry: it pauses the case. Its reason is health
    information (shown under the psychiatry -> IPS consent only); the discharge makes the
    consultant's 3-day contact due."""

    __tablename__ = "admission"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ips_case.id"), index=True)
    admitted_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    # The admission paused the case (it was active): the discharge resumes it. A case the citizen
    # had already paused stays paused.
    paused_case: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    discharged_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TreatmentTeamMeeting(Model):
    """A consultant's weekly meeting with the mental-health (treatment) team and who came
    (IPS-25 integration items 2 and 3)."""

    __tablename__ = "treatment_team_meeting"
    id: Mapped[int] = mapped_column(primary_key=True)
    consultant_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    held_on: Mapped[date] = mapped_column(Date)
    consultant_attended: Mapped[bool] = mapped_column(default=True)
    clinicians_present: Mapped[int] = mapped_column(default=0)
    cases_discussed: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_treatment_team_meeting_consultant_held", "consultant_id", "held_on"),)

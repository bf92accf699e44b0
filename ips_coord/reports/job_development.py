"""Job development per quarter: employers engaged, contacts by purpose, openings learned and
filled, suggestions and what came of them. Reads only; plain rows of one team."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, case, cast, extract, func, or_, select, text

from ..extensions import db
from ..models import EmployerContact, User
from ..models.employer import Opening, Suggestion, employer_key
from ..workflows.constants import JOB_DEVELOPMENT_QUALITY_WINDOW
from ..workflows.phases import ContactPurpose, OpeningStatus, Role, SuggestionOutcome
from .outcomes import last_quarters, quarter_bounds, quarter_of

# Purposes that go beyond a first meeting: learning needs, presenting a candidate, follow-along.
DEVELOPING = frozenset({ContactPurpose.LEARN_NEEDS, ContactPurpose.PRESENT_CANDIDATE, ContactPurpose.FOLLOW_ALONG})


def _employer(employer_id: int | None, name: str | None) -> str:
    return f"id:{employer_id}" if employer_id is not None else f"name:{employer_key(name)}"


@dataclass(frozen=True)
class ContactFigures:
    """A team's face-to-face employer contacts, counted in one statement for the whole report
    page: per quarter and employer (the job-development table) and over the fidelity items'
    windows (items 17 and 18)."""

    per_quarter: dict[tuple[int, int], dict[str, Any]]  # employers (keys), contacts, developing
    recent: int  # in the last JOB_DEVELOPMENT_QUALITY_WINDOW (item 18)
    recent_developing: int
    last_4_weeks: int  # by the team's consultants (item 17)


def contact_figures(team_id: int, since: datetime, now: datetime) -> ContactFigures:
    """The team's face-to-face employer contacts since `since` (and over the fidelity windows,
    which may reach further back), grouped in SQL by quarter and employer: a few hundred small
    rows instead of every contact."""
    recent_since, weeks_since = now - JOB_DEVELOPMENT_QUALITY_WINDOW, now - FOUR_WEEKS
    developing = EmployerContact.purpose.in_([str(p) for p in DEVELOPING])
    month = cast(extract("month", EmployerContact.occurred_at), Integer)
    name = case((EmployerContact.employer_id.is_(None), EmployerContact.employer_name))  # the name counts only unlinked
    rows = db.session.execute(
        select(
            cast(extract("year", EmployerContact.occurred_at), Integer).label("c_year"),
            ((month + 2) // 3).label("c_quarter"),
            EmployerContact.employer_id.label("c_employer"),
            name.label("c_name"),
            func.count(),
            func.count().filter(developing),
            func.count().filter(EmployerContact.occurred_at >= recent_since),
            func.count().filter(developing, EmployerContact.occurred_at >= recent_since),
            func.count().filter(EmployerContact.occurred_at >= weeks_since, User.role == Role.IPS_CONSULTANT),
        )
        .join(User, User.id == EmployerContact.consultant_id)
        .where(
            User.organisation_id == team_id,
            EmployerContact.face_to_face.is_(True),
            EmployerContact.occurred_at >= min(since, recent_since, weeks_since),
        )
        .group_by(text("c_year, c_quarter, c_employer, c_name"))
    ).all()
    employer = functools.lru_cache(maxsize=None)(_employer)  # each employer's key made once
    per_quarter: dict[tuple[int, int], dict[str, Any]] = {}
    recent = recent_developing = last_4_weeks = 0
    for year, quarter, employer_id, employer_name, n, n_developing, n_recent, n_recent_developing, n_weeks in rows:
        row = per_quarter.setdefault((year, quarter), {"employers": set(), "contacts": 0, "developing": 0})
        row["employers"].add(employer(employer_id, employer_name))
        row["contacts"] += n
        row["developing"] += n_developing
        recent += n_recent
        recent_developing += n_recent_developing
        last_4_weeks += n_weeks
    return ContactFigures(per_quarter, recent, recent_developing, last_4_weeks)


FOUR_WEEKS = timedelta(weeks=4)


def job_development(
    team_id: int, today: date, n: int = 8, contacts: ContactFigures | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """One row per quarter, oldest first: employers engaged (a face-to-face contact in the quarter),
    face-to-face contacts, contacts beyond a first meeting, openings learned, openings filled,
    suggestions made and suggestions that led to a job. `contacts`: read already (the report page)."""
    quarters = last_quarters(today, n)
    wanted = set(quarters)
    # Only the quarters shown: older rows would be read and converted just to be skipped.
    since = datetime.combine(quarter_bounds(*quarters[0])[0], time.min, tzinfo=UTC)
    if contacts is None:
        contacts = contact_figures(team_id, since, now or datetime.combine(today, time.min, tzinfo=UTC))
    rows: dict[tuple[int, int], dict[str, Any]] = {}
    for q in quarters:
        counted = contacts.per_quarter.get(q, {})
        rows[q] = {
            "quarter": f"{q[0]}-Q{q[1]}",
            "employers_engaged": len(counted.get("employers", ())),
            "contacts": counted.get("contacts", 0),
            "developing_contacts": counted.get("developing", 0),
            "openings_learned": 0,
            "openings_filled": 0,
            "suggestions": 0,
            "hired": 0,
        }
    for o in db.session.execute(
        select(Opening.created_at, Opening.updated_at, Opening.status).where(
            Opening.ips_team_id == team_id, or_(Opening.created_at >= since, Opening.updated_at >= since)
        )
    ):
        q = quarter_of(o.created_at.date())
        if q in wanted:
            rows[q]["openings_learned"] += 1
        q = quarter_of(o.updated_at.date())
        if o.status == OpeningStatus.FILLED and q in wanted:
            rows[q]["openings_filled"] += 1
    for s in db.session.execute(
        select(Suggestion.created_at, Suggestion.outcome)
        .join(Opening, Opening.id == Suggestion.opening_id)
        .where(Opening.ips_team_id == team_id, Suggestion.created_at >= since)
    ):
        q = quarter_of(s.created_at.date())
        if q in wanted:
            rows[q]["suggestions"] += 1
            rows[q]["hired"] += s.outcome == SuggestionOutcome.HIRED
    return [rows[q] for q in quarters]


def report_since(today: date, n: int = 8) -> datetime:
    """The start of the report's oldest quarter (the job-development table's reach)."""
    return datetime.combine(quarter_bounds(*last_quarters(today, n)[0])[0], time.min, tzinfo=UTC)

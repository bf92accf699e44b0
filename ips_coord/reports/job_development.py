"""Job development per quarter: employers engaged, contacts by purpose, openings learned and
filled, suggestions and what came of them. Reads only; plain rows of one team."""
from __future__ import annotations

import functools
from collections import Counter
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import or_, select

from ..extensions import db
from ..models import EmployerContact, User
from ..models.employer import Opening, Suggestion, employer_key
from ..workflows.phases import ContactPurpose, OpeningStatus, SuggestionOutcome
from .outcomes import last_quarters, quarter_bounds, quarter_of

# Purposes that go beyond a first meeting: learning needs, presenting a candidate, follow-along.
DEVELOPING = frozenset({ContactPurpose.LEARN_NEEDS, ContactPurpose.PRESENT_CANDIDATE, ContactPurpose.FOLLOW_ALONG})


def _employer(employer_id: int | None, name: str | None) -> str:
    return f"id:{employer_id}" if employer_id is not None else f"name:{employer_key(name)}"


def job_development(team_id: int, today: date, n: int = 8) -> list[dict[str, Any]]:
    """One row per quarter, oldest first: employers engaged (a face-to-face contact in the quarter),
    face-to-face contacts, contacts beyond a first meeting, openings learned, openings filled,
    suggestions made and suggestions that led to a job."""
    quarters = last_quarters(today, n)
    wanted = set(quarters)
    rows: dict[tuple[int, int], dict[str, Any]] = {
        q: {"quarter": f"{q[0]}-Q{q[1]}", "employers_engaged": set(), "contacts": 0, "developing_contacts": 0,
            "openings_learned": 0, "openings_filled": 0, "suggestions": 0, "hired": 0} for q in quarters}
    # Only the quarters shown: older rows would be read and converted just to be skipped.
    since = datetime.combine(quarter_bounds(*quarters[0])[0], time.min, tzinfo=UTC)
    contacts = db.session.execute(
        select(EmployerContact.employer_id, EmployerContact.employer_name, EmployerContact.occurred_at,
               EmployerContact.purpose)
        .join(User, User.id == EmployerContact.consultant_id)
        .where(User.organisation_id == team_id, EmployerContact.face_to_face.is_(True),
               EmployerContact.occurred_at >= since)).all()
    employer = functools.lru_cache(maxsize=None)(_employer)  # each employer's key made once
    for c in contacts:
        q = quarter_of(c.occurred_at.date())
        if q in wanted:
            rows[q]["employers_engaged"].add(employer(c.employer_id, c.employer_name))
            rows[q]["contacts"] += 1
            rows[q]["developing_contacts"] += c.purpose in DEVELOPING
    for o in db.session.execute(select(Opening.created_at, Opening.updated_at, Opening.status)
                                .where(Opening.ips_team_id == team_id,
                                       or_(Opening.created_at >= since, Opening.updated_at >= since))):
        q = quarter_of(o.created_at.date())
        if q in wanted:
            rows[q]["openings_learned"] += 1
        q = quarter_of(o.updated_at.date())
        if o.status == OpeningStatus.FILLED and q in wanted:
            rows[q]["openings_filled"] += 1
    for s in db.session.execute(select(Suggestion.created_at, Suggestion.outcome)
                                .join(Opening, Opening.id == Suggestion.opening_id)
                                .where(Opening.ips_team_id == team_id, Suggestion.created_at >= since)):
        q = quarter_of(s.created_at.date())
        if q in wanted:
            rows[q]["suggestions"] += 1
            rows[q]["hired"] += s.outcome == SuggestionOutcome.HIRED
    out = []
    for q in quarters:
        row = rows[q]
        row["employers_engaged"] = len(row["employers_engaged"])
        out.append(row)
    return out


def purpose_counts(team_id: int, since: datetime) -> Counter[str | None]:
    """Face-to-face employer contacts of the team since `since`, by purpose (None: not given)."""
    return Counter(p for (p,) in db.session.execute(
        select(EmployerContact.purpose).join(User, User.id == EmployerContact.consultant_id)
        .where(User.organisation_id == team_id, EmployerContact.face_to_face.is_(True),
               EmployerContact.occurred_at >= since)))

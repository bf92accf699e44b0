"""The report page's figures, computed in one pass over the team's rows (outcomes, the job-or-
education rate) and from grouped counts (job development, fidelity items 17 and 18), equal the
straightforward computation they replaced: each quarter tested against every row, every employer
contact read. Both run on the demo's data plus contacts of every purpose, shape and age."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from ips_coord.clock import utcnow
from ips_coord.models import EmployerContact, IpsCase, Organisation, Placement, User
from ips_coord.models.employer import Opening, Suggestion, employer_key
from ips_coord.reports.fidelity import fidelity
from ips_coord.reports.job_development import DEVELOPING, job_development
from ips_coord.reports.outcomes import METRICS, last_quarters, outcomes, quarter_bounds, quarter_of, team_rows
from ips_coord.reports.progress import JOB_OR_EDUCATION, job_or_education
from ips_coord.workflows.constants import is_early_ending
from ips_coord.workflows.phases import (
    COMPETITIVE_TYPES,
    ContactPurpose,
    Location,
    OpeningStatus,
    OrgKind,
    PlacementType,
    Role,
    SuggestionOutcome,
)

pytestmark = pytest.mark.slow  # seeds a small demo


def _at(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


def reference_quarter(cases, placements, year: int, q: int, metric) -> dict:
    """One quarter, every row tested against it (the computation before the one pass)."""
    start, end = quarter_bounds(year, q)
    start_at, end_at = _at(start), _at(end)
    served = [
        c
        for c in cases
        if c.enrolled_at < end_at
        and (c.closed_at is None or c.closed_at >= start_at)
        and (c.out_of_work_at_enrolment or not metric.out_of_work_only)
    ]
    served_ids = {c.id for c in served}
    in_quarter = [p for p in placements if p.start_date < end and (p.end_date is None or p.end_date >= start)]
    employed = {p.case_id for p in in_quarter if p.type == PlacementType.ORDINARY_JOB and p.case_id in served_ids}
    first_start: dict[int, date] = {}
    for p in placements:
        if p.type == PlacementType.ORDINARY_JOB:
            first_start.setdefault(p.case_id, p.start_date)
    starts = [p for p in placements if start <= p.start_date < end]
    endings = [
        p for p in placements if p.end_date is not None and start <= p.end_date < end and p.type in COMPETITIVE_TYPES
    ]
    by_reason: dict[str, int] = {}
    for p in endings:
        by_reason[p.end_reason or "other"] = by_reason.get(p.end_reason or "other", 0) + 1
    days = [
        (c.first_employer_contact_at - c.enrolled_at).days
        for c in served
        if start <= c.enrolled_at.date() < end and c.first_employer_contact_at
    ]
    return {
        "quarter": f"{year}-Q{q}",
        "metric": metric.key,
        "served": len(served),
        "employed": len(employed),
        "employment_rate": round(100 * len(employed) / len(served), 1) if served else None,
        "first_job_starts": sum(1 for d in first_start.values() if start <= d < end),
        "job_starts": sum(1 for p in starts if p.type == PlacementType.ORDINARY_JOB),
        "flexjob_starts": sum(1 for p in starts if p.type == PlacementType.FLEXJOB),
        "education_starts": sum(1 for p in starts if p.type == PlacementType.EDUCATION),
        "job_endings": len(endings),
        "endings_by_reason": by_reason,
        "early_endings": sum(1 for p in endings if is_early_ending(p.start_date, p.end_date, p.end_reason)),
        "median_days_to_first_employer_contact": statistics.median(days) if days else None,
    }


def reference_job_or_education(cases, placements, year: int, q: int) -> dict:
    start, end = quarter_bounds(year, q)
    served = {c.id for c in cases if c.enrolled_at < _at(end) and (c.closed_at is None or c.closed_at >= _at(start))}
    held = {
        p.case_id
        for p in placements
        if p.type in JOB_OR_EDUCATION.types
        and p.case_id in served
        and p.start_date < end
        and (p.end_date is None or p.end_date >= start)
    }
    return {
        "quarter": f"{year}-Q{q}",
        "metric": JOB_OR_EDUCATION.key,
        "served": len(served),
        "in_job_or_education": len(held),
        "rate": round(100 * len(held) / len(served), 1) if served else None,
        "target": JOB_OR_EDUCATION.target,
    }


def reference_job_development(db, team_id: int, today: date) -> list[dict]:
    """Every face-to-face contact of the team's users read and placed in its quarter."""
    quarters = last_quarters(today)
    rows = {
        q: {
            "quarter": f"{q[0]}-Q{q[1]}",
            "employers_engaged": set(),
            "contacts": 0,
            "developing_contacts": 0,
            "openings_learned": 0,
            "openings_filled": 0,
            "suggestions": 0,
            "hired": 0,
        }
        for q in quarters
    }
    for c in db.session.scalars(
        select(EmployerContact)
        .join(User, User.id == EmployerContact.consultant_id)
        .where(User.organisation_id == team_id, EmployerContact.face_to_face.is_(True))
    ):
        q = quarter_of(c.occurred_at.date())
        if q in rows:
            rows[q]["employers_engaged"].add(
                f"id:{c.employer_id}" if c.employer_id is not None else f"name:{employer_key(c.employer_name)}"
            )
            rows[q]["contacts"] += 1
            rows[q]["developing_contacts"] += c.purpose in DEVELOPING
    for o in db.session.scalars(select(Opening).where(Opening.ips_team_id == team_id)):
        if quarter_of(o.created_at.date()) in rows:
            rows[quarter_of(o.created_at.date())]["openings_learned"] += 1
        if o.status == OpeningStatus.FILLED and quarter_of(o.updated_at.date()) in rows:
            rows[quarter_of(o.updated_at.date())]["openings_filled"] += 1
    for s in db.session.scalars(
        select(Suggestion).join(Opening, Opening.id == Suggestion.opening_id).where(Opening.ips_team_id == team_id)
    ):
        if quarter_of(s.created_at.date()) in rows:
            rows[quarter_of(s.created_at.date())]["suggestions"] += 1
            rows[quarter_of(s.created_at.date())]["hired"] += s.outcome == SuggestionOutcome.HIRED
    return [{**rows[q], "employers_engaged": len(rows[q]["employers_engaged"])} for q in quarters]


def _contacts_of_every_kind(db, team_id: int, now: datetime) -> None:
    """Employer contacts over three years: every purpose (and none), linked to the register or
    typed ("FØTEX  Nordby" and "føtex nordby" are one employer), by consultants and by the
    coordinator, some not face to face, some at a quarter's first instant."""
    rng = random.Random(7)
    staff = db.session.scalars(select(User).where(User.organisation_id == team_id)).all()
    assert {u.role for u in staff} >= {Role.IPS_CONSULTANT, Role.COORDINATOR}
    names = ["FØTEX  Nordby", "føtex nordby", "Bageriet", "Netto Syd", "Kommunen"]
    purposes = [None, *ContactPurpose]
    employer_ids = [
        None,
        *db.session.scalars(
            select(EmployerContact.employer_id).where(EmployerContact.employer_id.is_not(None)).limit(3)
        ),
    ]
    for i in range(400):
        occurred = now - timedelta(days=rng.randint(0, 1100), minutes=rng.randint(0, 1440))
        if i % 50 == 0:  # the first instant of a quarter
            start, _end = quarter_bounds(*quarter_of(occurred.date()))
            occurred = _at(start)
        db.session.add(
            EmployerContact(
                consultant_id=rng.choice(staff).id,
                employer_name=rng.choice(names),
                occurred_at=occurred,
                face_to_face=rng.random() < 0.8,
                location=Location.COMMUNITY,
                created_at=occurred,
                employer_id=rng.choice(employer_ids),
                purpose=rng.choice(purposes),
            )
        )
    db.session.commit()


def test_report_figures_equal_the_quarter_by_quarter_computation(app, db):
    from ips_coord.demo import seed_demo

    seed_demo(citizens=30)
    now = utcnow()
    team_id = db.session.scalar(select(Organisation.id).where(Organisation.kind == OrgKind.IPS_TEAM))
    _contacts_of_every_kind(db, team_id, now)
    rows = team_rows(team_id)
    cases = db.session.scalars(
        select(IpsCase).where(IpsCase.ips_team_id == team_id, IpsCase.enrolled_at.is_not(None))
    ).all()
    placements = db.session.scalars(
        select(Placement)
        .join(IpsCase, IpsCase.id == Placement.case_id)
        .where(IpsCase.ips_team_id == team_id)
        .order_by(Placement.start_date)
    ).all()
    consultants = sorted({c.consultant_id for c in cases if c.consultant_id is not None})
    shown: Counter[str] = Counter()
    # Today, and days that put the team's data at other places in the 8 quarters (a quarter's first day).
    for today in (now.date(), now.date() - timedelta(days=200), date(now.year, 1, 1), now.date() + timedelta(days=90)):
        for key, metric in METRICS.items():
            for consultant in (None, *consultants[:2]):
                mine = [c for c in cases if consultant is None or c.consultant_id == consultant]
                ids = {c.id for c in mine}
                expected = [
                    reference_quarter(mine, [p for p in placements if p.case_id in ids], y, q, metric)
                    for y, q in last_quarters(today)
                ]
                got = outcomes(team_id, today, key, consultant_id=consultant, rows=rows)
                assert [{k: v for k, v in r.items() if k != "partial"} for r in got] == expected
                shown.update(
                    {
                        k: 1
                        for r in expected
                        for k in ("employed", "job_endings", "early_endings", "first_job_starts", "flexjob_starts")
                        if r[k]
                    }
                )
        assert job_or_education(team_id, today, rows=rows) == [
            reference_job_or_education(cases, placements, y, q) for y, q in last_quarters(today)
        ]
        development = reference_job_development(db, team_id, today)
        assert job_development(team_id, today) == development
        shown.update({k: 1 for r in development for k in ("developing_contacts", "employers_engaged") if r[k]})
    # The data gave each figure something to count.
    assert set(shown) == {
        "employed",
        "job_endings",
        "early_endings",
        "first_job_starts",
        "flexjob_starts",
        "developing_contacts",
        "employers_engaged",
    }, shown

    # Fidelity items 17 and 18 from the grouped counts, against every contact read.
    items = {i["item"]: i for i in fidelity(team_id, now)["items"]}
    contacts = db.session.scalars(
        select(EmployerContact)
        .join(User, User.id == EmployerContact.consultant_id)
        .where(User.organisation_id == team_id, EmployerContact.face_to_face.is_(True))
    ).all()
    team_consultants = db.session.scalars(
        select(User).where(User.organisation_id == team_id, User.role == Role.IPS_CONSULTANT)
    ).all()
    weeks = [
        c
        for c in contacts
        if c.occurred_at >= now - timedelta(weeks=4) and c.consultant_id in {u.id for u in team_consultants}
    ]
    recent = [c for c in contacts if c.occurred_at >= now - timedelta(days=90)]
    developing = [c for c in recent if c.purpose in DEVELOPING]
    assert items[17]["figure"].params["n"].value == round(len(weeks) / 4 / len(team_consultants), 1)
    assert (items[18]["figure"].params["a"], items[18]["figure"].params["b"]) == (len(developing), len(recent))
    assert developing and len(weeks) < len([c for c in contacts if c.occurred_at >= now - timedelta(weeks=4)])

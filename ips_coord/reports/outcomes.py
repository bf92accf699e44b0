"""Quarterly outcomes under named, versioned metric definitions."""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Row, select

from ..extensions import db
from ..models import IpsCase, Placement
from ..workflows.constants import is_early_ending
from ..workflows.phases import COMPETITIVE_TYPES, PlacementType


@dataclass(frozen=True)
class Metric:
    key: str
    name: str
    version: str
    out_of_work_only: bool  # IPS Grow counts only citizens out of work at enrolment


METRICS = {
    "ipsec-v1": Metric("ipsec-v1", "IPS Employment Center employment rate", "1", False),
    "grow-2024": Metric("grow-2024", "IPS Grow employment rate (from April 2024)", "2024", True),
}


def quarter_of(d: date) -> tuple[int, int]:
    return d.year, (d.month - 1) // 3 + 1


def quarter_bounds(year: int, q: int) -> tuple[date, date]:
    start = date(year, 3 * (q - 1) + 1, 1)
    end = date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return start, end  # [start, end)


def last_quarters(today: date, n: int = 8) -> list[tuple[int, int]]:
    year, q = quarter_of(today)
    out = []
    for _ in range(n):
        out.append((year, q))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return list(reversed(out))


def _dt(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class TeamRows:
    """A team's cases and placements as plain rows, read once for the whole report page:
    outcomes, the job-or-education rate and the fidelity items all count from them, so each
    table is read once however many figures the page shows. Placements are by start date."""

    cases: Sequence[Row[Any]]
    placements: Sequence[Row[Any]]

    def of_consultant(self, consultant_id: int | None) -> TeamRows:
        if consultant_id is None:
            return self
        cases = [c for c in self.cases if c.consultant_id == consultant_id]
        ids = {c.id for c in cases}
        return TeamRows(cases, [p for p in self.placements if p.case_id in ids])

    @property
    def enrolled(self) -> list[Row[Any]]:
        return [c for c in self.cases if c.enrolled_at is not None]


def team_rows(team_id: int) -> TeamRows:
    in_team = IpsCase.ips_team_id == team_id
    cases = db.session.execute(select(
        IpsCase.id, IpsCase.consultant_id, IpsCase.phase, IpsCase.close_reason, IpsCase.enrolled_at,
        IpsCase.closed_at, IpsCase.out_of_work_at_enrolment, IpsCase.first_employer_contact_at,
        IpsCase.last_contact_at).where(in_team)).all()
    placements = db.session.execute(
        select(Placement.case_id, Placement.type, Placement.start_date, Placement.end_date, Placement.end_reason,
               Placement.benefits_counselling_offered, Placement.employer_name, Placement.employer_id,
               Placement.job_title)
        .join(IpsCase, IpsCase.id == Placement.case_id).where(in_team)
        .order_by(Placement.start_date)).all()
    return TeamRows(cases, placements)


def _team_rows(team_id: int, consultant_id: int | None = None, rows: TeamRows | None = None):
    """The team's (or one consultant's) enrolled cases and placements, read once for all
    quarters: the report's cost follows the team's size, not 8 times over."""
    scoped = (rows or team_rows(team_id)).of_consultant(consultant_id)
    return scoped.enrolled, scoped.placements


def quarter_outcomes(cases, placements, year: int, q: int, metric: Metric) -> dict:
    start, end = quarter_bounds(year, q)
    start_at, end_at = _dt(start), _dt(end)
    served = [c for c in cases if c.enrolled_at < end_at and (c.closed_at is None or c.closed_at >= start_at)
              and (c.out_of_work_at_enrolment or not metric.out_of_work_only)]
    served_ids = {c.id for c in served}
    in_quarter = [p for p in placements if p.start_date < end and (p.end_date is None or p.end_date >= start)]
    employed = {p.case_id for p in in_quarter if p.type == PlacementType.ORDINARY_JOB and p.case_id in served_ids}
    first_start: dict[int, date] = {}
    for p in placements:  # ordered by start date
        if p.type == PlacementType.ORDINARY_JOB:
            first_start.setdefault(p.case_id, p.start_date)
    starts = [p for p in placements if start <= p.start_date < end]
    endings = [p for p in placements if p.end_date is not None and start <= p.end_date < end
               and p.type in COMPETITIVE_TYPES]
    by_reason: dict[str, int] = {}
    for p in endings:
        by_reason[p.end_reason or "other"] = by_reason.get(p.end_reason or "other", 0) + 1
    enrolled_here = [c for c in served if start <= c.enrolled_at.date() < end and c.first_employer_contact_at]
    days = [(c.first_employer_contact_at - c.enrolled_at).days for c in enrolled_here]
    return {
        "quarter": f"{year}-Q{q}", "metric": metric.key, "served": len(served), "employed": len(employed),
        "employment_rate": round(100 * len(employed) / len(served), 1) if served else None,
        "first_job_starts": sum(1 for cid, d in first_start.items() if start <= d < end),
        "job_starts": sum(1 for p in starts if p.type == PlacementType.ORDINARY_JOB),
        "flexjob_starts": sum(1 for p in starts if p.type == PlacementType.FLEXJOB),
        "education_starts": sum(1 for p in starts if p.type == PlacementType.EDUCATION),
        "job_endings": len(endings), "endings_by_reason": by_reason,
        "early_endings": sum(1 for p in endings if is_early_ending(p.start_date, p.end_date, p.end_reason)),
        "median_days_to_first_employer_contact": statistics.median(days) if days else None,
    }


def outcomes(team_id: int, today: date, metric_key: str = "ipsec-v1", n: int = 8,
             consultant_id: int | None = None, rows: TeamRows | None = None) -> list[dict]:
    """The last n quarters, the running one last (marked `partial`: its figures are so far).
    `rows`: the team's rows when the caller has read them already (the report page)."""
    metric = METRICS.get(metric_key, METRICS["ipsec-v1"])
    cases, placements = _team_rows(team_id, consultant_id, rows)
    out = [quarter_outcomes(cases, placements, y, q, metric) for y, q in last_quarters(today, n)]
    for row in out:
        row["partial"] = row["quarter"] == "{}-Q{}".format(*quarter_of(today))
    return out


__all__ = ["METRICS", "TeamRows", "outcomes", "team_rows"]

"""Quarterly outcomes under named, versioned metric definitions."""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from itertools import accumulate
from typing import Any, NamedTuple

from sqlalchemy import select

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


class CaseRow(NamedTuple):
    """What the report page reads of a case. A plain tuple: the page reads these attributes a
    few thousand times, and a SQLAlchemy Row's attribute lookup costs ~25 times a tuple's."""

    id: int
    consultant_id: int | None
    phase: str
    close_reason: str | None
    enrolled_at: datetime | None
    closed_at: datetime | None
    out_of_work_at_enrolment: bool | None
    first_employer_contact_at: datetime | None
    last_contact_at: datetime | None


class PlacementRow(NamedTuple):
    case_id: int
    type: str
    start_date: date
    end_date: date | None
    end_reason: str | None
    benefits_counselling_offered: bool | None
    employer_name: str | None
    employer_id: int | None
    job_title: str | None


@dataclass(frozen=True)
class TeamRows:
    """A team's cases and placements as plain rows, read once for the whole report page:
    outcomes, the job-or-education rate and the fidelity items all count from them, so each
    table is read once however many figures the page shows. Placements are by start date."""

    cases: Sequence[CaseRow]
    placements: Sequence[PlacementRow]

    def of_consultant(self, consultant_id: int | None) -> TeamRows:
        if consultant_id is None:
            return self
        cases = [c for c in self.cases if c.consultant_id == consultant_id]
        ids = {c.id for c in cases}
        return TeamRows(cases, [p for p in self.placements if p.case_id in ids])

    @property
    def enrolled(self) -> list[CaseRow]:
        return [c for c in self.cases if c.enrolled_at is not None]


def team_rows(team_id: int) -> TeamRows:
    in_team = IpsCase.ips_team_id == team_id
    cases = db.session.execute(select(*(getattr(IpsCase, name) for name in CaseRow._fields)).where(in_team))
    placements = db.session.execute(
        select(*(getattr(Placement, name) for name in PlacementRow._fields))
        .join(IpsCase, IpsCase.id == Placement.case_id)
        .where(in_team)
        .order_by(Placement.start_date)
    )
    return TeamRows([CaseRow._make(r) for r in cases], [PlacementRow._make(r) for r in placements])


def _team_rows(team_id: int, consultant_id: int | None = None, rows: TeamRows | None = None):
    """The team's (or one consultant's) enrolled cases and placements, read once for all
    quarters: the report's cost follows the team's size, not 8 times over."""
    scoped = (rows or team_rows(team_id)).of_consultant(consultant_id)
    return scoped.enrolled, scoped.placements


class QuarterSpans:
    """The quarters of a report, oldest first, and which of them a date or a stretch of time
    falls in: each row is placed once (a binary search) instead of being tested once per quarter."""

    def __init__(self, quarters: Sequence[tuple[int, int]]):
        self.quarters = list(quarters)
        bounds = [quarter_bounds(y, q) for y, q in self.quarters]
        self.starts = [s for s, _e in bounds]
        self.ends = [e for _s, e in bounds]
        self.start_ats = [_dt(s) for s in self.starts]
        self.end_ats = [_dt(e) for e in self.ends]

    def overlapping(self, first: Any, last: Any | None, at: bool = False) -> range:
        """The quarters that a stretch from `first` to `last` (inclusive; None: still running)
        touches: those starting at or before `last` and ending after `first`. `at`: datetimes."""
        starts, ends = (self.start_ats, self.end_ats) if at else (self.starts, self.ends)
        return range(bisect_right(ends, first), len(starts) if last is None else bisect_right(starts, last))

    def of(self, d: date) -> int | None:
        """The quarter a date falls in, or None."""
        i = bisect_right(self.starts, d) - 1
        return i if i >= 0 and d < self.ends[i] else None

    def served(self, cases: Sequence[CaseRow]) -> tuple[list[int], dict[int, range]]:
        """How many enrolled cases each quarter served (enrolled before its end, not closed before
        its start), and the quarters each case was served in (by case id). Counted by where each
        case's span begins and ends, so the cost follows the cases, not cases times quarters."""
        change = [0] * (len(self.quarters) + 1)
        spans: dict[int, range] = {}
        for c in cases:
            span = spans[c.id] = self.overlapping(c.enrolled_at, c.closed_at, at=True)
            if span:
                change[span.start] += 1
                change[span.stop] -= 1
        return list(accumulate(change[:-1])), spans


def _placements_per_quarter(placements, spans: QuarterSpans, served_in: dict[int, range]):
    """Per quarter: the served cases in an ordinary job, first ordinary job starts, starts by
    type, competitive placements ended (in the placements' order)."""
    n = len(spans.quarters)
    employed: list[set[int]] = [set() for _q in range(n)]
    first_job: list[int] = [0] * n
    starts: list[Counter[str]] = [Counter() for _q in range(n)]
    endings: list[list[PlacementRow]] = [[] for _q in range(n)]
    first_start: set[int] = set()
    for p in placements:  # ordered by start date
        started = spans.of(p.start_date)
        if p.type == PlacementType.ORDINARY_JOB:
            served = served_in.get(p.case_id, range(0))
            for i in spans.overlapping(p.start_date, p.end_date):
                if i in served:
                    employed[i].add(p.case_id)
            if p.case_id not in first_start:
                first_start.add(p.case_id)
                if started is not None:
                    first_job[started] += 1
        if started is not None:
            starts[started][p.type] += 1
        if p.end_date is not None and p.type in COMPETITIVE_TYPES and (ended := spans.of(p.end_date)) is not None:
            endings[ended].append(p)
    return employed, first_job, starts, endings


def _outcomes(cases, placements, spans: QuarterSpans, metric: Metric) -> list[dict]:
    n = len(spans.quarters)
    counted = [c for c in cases if c.out_of_work_at_enrolment or not metric.out_of_work_only]
    served, served_in = spans.served(counted)
    employed, first_job, starts, endings = _placements_per_quarter(placements, spans, served_in)
    days: list[list[int]] = [[] for _q in range(n)]
    for c in counted:
        if c.first_employer_contact_at and (i := spans.of(c.enrolled_at.date())) is not None and i in served_in[c.id]:
            days[i].append((c.first_employer_contact_at - c.enrolled_at).days)
    out = []
    for i, (year, q) in enumerate(spans.quarters):
        by_reason: dict[str, int] = {}
        for p in endings[i]:
            by_reason[p.end_reason or "other"] = by_reason.get(p.end_reason or "other", 0) + 1
        out.append(
            {
                "quarter": f"{year}-Q{q}",
                "metric": metric.key,
                "served": served[i],
                "employed": len(employed[i]),
                "employment_rate": round(100 * len(employed[i]) / served[i], 1) if served[i] else None,
                "first_job_starts": first_job[i],
                "job_starts": starts[i][PlacementType.ORDINARY_JOB],
                "flexjob_starts": starts[i][PlacementType.FLEXJOB],
                "education_starts": starts[i][PlacementType.EDUCATION],
                "job_endings": len(endings[i]),
                "endings_by_reason": by_reason,
                "early_endings": sum(1 for p in endings[i] if is_early_ending(p.start_date, p.end_date, p.end_reason)),
                "median_days_to_first_employer_contact": statistics.median(days[i]) if days[i] else None,
            }
        )
    return out


def outcomes(
    team_id: int,
    today: date,
    metric_key: str = "ipsec-v1",
    n: int = 8,
    consultant_id: int | None = None,
    rows: TeamRows | None = None,
) -> list[dict]:
    """The last n quarters, the running one last (marked `partial`: its figures are so far).
    `rows`: the team's rows when the caller has read them already (the report page)."""
    metric = METRICS.get(metric_key, METRICS["ipsec-v1"])
    cases, placements = _team_rows(team_id, consultant_id, rows)
    out = _outcomes(cases, placements, QuarterSpans(last_quarters(today, n)), metric)
    for row in out:
        row["partial"] = row["quarter"] == "{}-Q{}".format(*quarter_of(today))
    return out


__all__ = ["METRICS", "QuarterSpans", "TeamRows", "outcomes", "team_rows"]

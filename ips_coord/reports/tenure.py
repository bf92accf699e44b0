"""Time to the first job and how long jobs last: the figures IPS programmes report beside the
employment rate (time from enrolment to the first job or education start, job tenure, job starts
per person, hours per week in work), under named, versioned definitions.

Durations are counted with the Kaplan-Meier estimator, so a citizen still waiting for a first
start, or a job still running today, is counted for as long as it has been observed (censored)
rather than dropped or counted as finished: an average of finished jobs alone would make short
jobs look typical. Reads only; plain rows of one team (or one consultant).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from ..clock import to_local
from ..extensions import db
from ..models import IpsCase, Placement
from ..text import Text as _  # msgids: the page translates them (ips_coord/text.py)
from ..workflows.phases import COMPETITIVE_JOB_TYPES, COMPETITIVE_TYPES


@dataclass(frozen=True)
class Definition:
    key: str
    version: str
    name: str  # msgid
    text: str  # msgid: the definition in words, shown beside the figure


TIME_TO_START = Definition(
    "time-to-first-start",
    "1",
    _("Time to the first job or education"),
    _(
        "Days from enrolment to the first start of an ordinary job, a flexjob or an ordinary education on or "
        "after the enrolment date. Citizens without a start are counted until their case closed or until today "
        "(Kaplan-Meier), so the shares are of everyone enrolled, not only of those who started."
    ),
)
TENURE = Definition(
    "job-tenure",
    "1",
    _("How long jobs last"),
    _(
        "Days from the start of an ordinary job or a flexjob to its end. A job still running today is counted "
        "as running for the days so far (Kaplan-Meier survival), never as ended."
    ),
)
STARTS_PER_PERSON = Definition(
    "job-starts-per-person",
    "1",
    _("Job starts per person"),
    _(
        "Starts of ordinary jobs and flexjobs in the last 12 months, divided by the number of citizens who "
        "started at least one of them in that period."
    ),
)
HOURS = Definition(
    "hours-in-work",
    "1",
    _("Hours per week in work"),
    _("The weekly hours of the ordinary jobs and flexjobs running today, where the hours are recorded."),
)
DEFINITIONS = (TIME_TO_START, TENURE, STARTS_PER_PERSON, HOURS)

MILESTONES = (30, 90, 180)  # days: shares started within, or jobs still held at
CURVE_DAYS = tuple(range(0, 361, 60))  # the curve's points: seven, so their labels fit a phone


@dataclass(frozen=True)
class Spell:
    """A duration observed for `days`; `ended` is False when it is still running (censored)."""

    days: int
    ended: bool


def kaplan_meier(spells: Iterable[Spell]) -> list[tuple[int, float]]:
    """The survival function as steps (day, share still running after that day), starting at (0, 1.0).
    At a day with both endings and censored spells, the endings count first (the usual convention)."""
    spells = sorted(spells, key=lambda s: (s.days, not s.ended))
    at_risk, survival, steps, i = len(spells), 1.0, [(0, 1.0)], 0
    while i < len(spells):
        day, ended = spells[i].days, 0
        same_day = 0
        while i < len(spells) and spells[i].days == day:
            ended += spells[i].ended
            same_day += 1
            i += 1
        if ended and at_risk:
            survival *= 1 - ended / at_risk
            steps.append((day, survival))
        at_risk -= same_day
    return steps


def survival_at(steps: Sequence[tuple[int, float]], day: int) -> float:
    value = 1.0
    for step_day, share in steps:
        if step_day > day:
            break
        value = share
    return value


def median_days(steps: Sequence[tuple[int, float]]) -> int | None:
    """The first day on which half or more have ended; None while fewer than half have."""
    return next((day for day, share in steps if share <= 0.5), None)


def _pct(share: float) -> float:
    return round(100 * share, 1)


def time_to_first_start(cases: Sequence, placements: Sequence, today: date) -> dict:
    enrolled_on = {c.id: to_local(c.enrolled_at).date() for c in cases}
    first: dict[int, date] = {}
    for p in placements:  # ordered by start date
        enrolled = enrolled_on.get(p.case_id)
        if p.type in COMPETITIVE_TYPES and enrolled is not None and enrolled <= p.start_date <= today:
            first.setdefault(p.case_id, p.start_date)
    spells = []
    for c in cases:
        enrolled = enrolled_on[c.id]
        if enrolled > today:
            continue
        if c.id in first:
            spells.append(Spell((first[c.id] - enrolled).days, True))
        else:
            until = min(today, to_local(c.closed_at).date()) if c.closed_at else today
            spells.append(Spell(max(0, (until - enrolled).days), False))
    steps = kaplan_meier(spells)
    return {
        "definition": TIME_TO_START,
        "citizens": len(spells),
        "started": len(first),
        "median_days": median_days(steps),
        "share_within": {d: _pct(1 - survival_at(steps, d)) for d in MILESTONES} if spells else {},
        "curve": [_pct(1 - survival_at(steps, d)) for d in CURVE_DAYS] if spells else [],
    }


def job_tenure(placements: Sequence, today: date) -> dict:
    spells = [
        Spell(
            ((p.end_date if p.end_date and p.end_date <= today else today) - p.start_date).days,
            bool(p.end_date and p.end_date <= today),
        )
        for p in placements
        if p.type in COMPETITIVE_JOB_TYPES and p.start_date <= today
    ]
    steps = kaplan_meier(spells)
    return {
        "definition": TENURE,
        "jobs": len(spells),
        "ended": sum(s.ended for s in spells),
        "running": sum(not s.ended for s in spells),
        "median_days": median_days(steps),
        "still_in_job": {d: _pct(survival_at(steps, d)) for d in MILESTONES[1:]} if spells else {},
        "curve": [_pct(survival_at(steps, d)) for d in CURVE_DAYS] if spells else [],
    }


def starts_per_person(placements: Sequence, today: date) -> dict:
    since = today - timedelta(days=365)
    starts = [p for p in placements if p.type in COMPETITIVE_JOB_TYPES and since < p.start_date <= today]
    people = {p.case_id for p in starts}
    return {
        "definition": STARTS_PER_PERSON,
        "starts": len(starts),
        "people": len(people),
        "per_person": round(len(starts) / len(people), 2) if people else None,
    }


def hours_in_work(placements: Sequence, today: date) -> dict:
    running = [
        p
        for p in placements
        if p.type in COMPETITIVE_JOB_TYPES and p.start_date <= today and (p.end_date is None or p.end_date > today)
    ]
    hours = [p.hours_per_week for p in running if p.hours_per_week is not None]
    return {
        "definition": HOURS,
        "jobs": len(running),
        "with_hours": len(hours),
        "median": statistics.median(hours) if hours else None,
        "mean": round(statistics.fmean(hours), 1) if hours else None,
    }


def team_rows(team_id: int, consultant_id: int | None = None):
    """The team's (or one consultant's) enrolled cases and their placements, read once."""
    scope = [IpsCase.ips_team_id == team_id] + ([IpsCase.consultant_id == consultant_id] if consultant_id else [])
    cases = db.session.execute(
        select(IpsCase.id, IpsCase.enrolled_at, IpsCase.closed_at).where(*scope, IpsCase.enrolled_at.is_not(None))
    ).all()
    placements = db.session.execute(
        select(Placement.case_id, Placement.type, Placement.start_date, Placement.end_date, Placement.hours_per_week)
        .join(IpsCase, IpsCase.id == Placement.case_id)
        .where(*scope, IpsCase.enrolled_at.is_not(None))
        .order_by(Placement.start_date, Placement.id)
    ).all()
    return cases, placements


def time_and_tenure(team_id: int, today: date, consultant_id: int | None = None) -> dict:
    cases, placements = team_rows(team_id, consultant_id)
    return {
        "first_start": time_to_first_start(cases, placements, today),
        "tenure": job_tenure(placements, today),
        "starts": starts_per_person(placements, today),
        "hours": hours_in_work(placements, today),
        "curve_days": CURVE_DAYS,
        "milestones": MILESTONES,
    }


__all__ = ["DEFINITIONS", "Spell", "kaplan_meier", "median_days", "survival_at", "time_and_tenure"]

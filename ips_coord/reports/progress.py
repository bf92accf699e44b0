"""Progress over time (progressionsmålinger) and the "job or education" rate.

Read-only figures. The progress instrument is named and versioned (workflows/plan.py); the
rate is a versioned metric beside the employment rates, with the 60 % target of the Danish IPS
proposal.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from sqlalchemy import select

from ..extensions import db
from ..models import FollowUp, IpsCase, ProgressRating
from ..workflows.phases import COMPETITIVE_TYPES, FollowUpKind, FollowUpStatus
from ..workflows.plan import CURRENT_INSTRUMENT, WrittenBy, mean_score
from .outcomes import _dt, _team_rows, last_quarters, quarter_bounds


@dataclass(frozen=True)
class RatingRound:
    """The progress rating that is due now: when, and who has rated since the round opened."""

    due_at: datetime
    opened_at: datetime
    citizen_rated: bool

    def citizen_should_rate(self, now: datetime) -> bool:
        """The citizen is asked from the reminder on (or at once, for the first one)."""
        return not self.citizen_rated and now >= self.due_at - RATING_ASKED_BEFORE


# The citizen is asked to rate from this long before the due date.
RATING_ASKED_BEFORE = timedelta(days=14)


def rating_round(case_id: int, ratings: list[ProgressRating]) -> RatingRound | None:
    """The open progress-rating follow-up of the case (made at enrolment, then every 90 days: the
    consultant's rating closes it and opens the next) and whether the citizen has rated since it
    opened; None if none is open."""
    fu = db.session.scalar(select(FollowUp).where(
        FollowUp.case_id == case_id, FollowUp.kind == FollowUpKind.PROGRESS_RATING,
        FollowUp.status == FollowUpStatus.OPEN).order_by(FollowUp.due_at).limit(1))
    if fu is None:
        return None
    after = (fu.data or {}).get("after_rating")  # the consultant's rating that opened this round, if one did

    def in_round(r: ProgressRating) -> bool:
        return r.id > after if isinstance(after, int) else r.rated_at >= fu.created_at

    return RatingRound(fu.due_at, fu.created_at, any(r.rater == WrittenBy.CITIZEN and in_round(r) for r in ratings))


@dataclass(frozen=True)
class RateMetric:
    key: str
    name: str
    version: str
    types: frozenset[str]
    target: float


JOB_OR_EDUCATION = RateMetric(
    "job-or-education-v1", "Job or education (Danish IPS proposal)", "1",
    frozenset(COMPETITIVE_TYPES), 60.0)


def job_or_education(team_id: int, today, n: int = 8, metric: RateMetric = JOB_OR_EDUCATION) -> list[dict]:
    """Per quarter: the share of citizens served who held an ordinary job, a flexjob or an
    ordinary education at some time in the quarter."""
    cases, placements = _team_rows(team_id)
    out = []
    for year, q in last_quarters(today, n):
        start, end = quarter_bounds(year, q)
        served = {c.id for c in cases
                  if c.enrolled_at < _dt(end) and (c.closed_at is None or c.closed_at >= _dt(start))}
        held = {p.case_id for p in placements if p.type in metric.types and p.case_id in served
                and p.start_date < end and (p.end_date is None or p.end_date >= start)}
        out.append({"quarter": f"{year}-Q{q}", "metric": metric.key, "served": len(served),
                    "in_job_or_education": len(held),
                    "rate": round(100 * len(held) / len(served), 1) if served else None, "target": metric.target})
    return out


def team_progress(team_id: int, today, n: int = 8, instrument=CURRENT_INSTRUMENT) -> list[dict]:
    """Per quarter: the mean change of the citizens' and the consultants' ratings (latest rating by
    the quarter's end minus each case's first rating by the same rater), and the mean gap between
    the citizen's and the consultant's latest ratings (citizen minus consultant) on cases with both."""
    rows = db.session.execute(
        select(ProgressRating.case_id, ProgressRating.rater, ProgressRating.scores, ProgressRating.rated_at)
        .join(IpsCase, IpsCase.id == ProgressRating.case_id)
        .where(IpsCase.ips_team_id == team_id, ProgressRating.instrument == instrument.key)
        .order_by(ProgressRating.rated_at, ProgressRating.id)).all()
    out = []
    for year, q in last_quarters(today, n):
        _start, end = quarter_bounds(year, q)
        first: dict[tuple[int, str], float] = {}
        latest: dict[tuple[int, str], float] = {}
        for r in rows:
            if r.rated_at >= _dt(end):
                break
            key = (r.case_id, r.rater)
            first.setdefault(key, mean_score(r.scores))
            latest[key] = mean_score(r.scores)
        change = {rater: [latest[k] - first[k] for k in latest if k[1] == rater] for rater in WrittenBy}
        by_citizen, by_staff = change[WrittenBy.CITIZEN], change[WrittenBy.STAFF]
        cases_both = ({k[0] for k in latest if k[1] == WrittenBy.CITIZEN}
                      & {k[0] for k in latest if k[1] == WrittenBy.STAFF})
        gaps = [latest[(c, WrittenBy.CITIZEN)] - latest[(c, WrittenBy.STAFF)] for c in cases_both]
        out.append({
            "quarter": f"{year}-Q{q}", "instrument": instrument.key,
            "rated_cases": len({k[0] for k in latest}),
            "citizen_change": round(sum(by_citizen) / len(by_citizen), 2) if by_citizen else None,
            "consultant_change": round(sum(by_staff) / len(by_staff), 2) if by_staff else None,
            "gap": round(sum(gaps) / len(gaps), 2) if gaps else None,
        })
    return out


def svg_lines(series: list[tuple[str, str, list[float | None]]], labels: list[str], title: str, *,
              low: float = 0.0, high: float | None = None, target: float | None = None, target_label: str = "",
              width: int = 560, height: int = 200) -> str:
    """Several lines (name, colour, values) on one inline SVG, with an optional dashed target line."""
    pad_l, pad_b, pad_t = 36, 40, 16
    known = [v for _n, _c, vs in series for v in vs if v is not None] + ([target] if target is not None else [])
    top = high if high is not None else max(known + [1.0])
    step = (width - pad_l - 10) / max(len(labels) - 1, 1)

    def y(v):
        return pad_t + (height - pad_t - pad_b) * (1 - (v - low) / ((top - low) or 1))

    parts = [f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width - 5}" y2="{height - pad_b}" stroke="#8a96a3"/>',
             f'<text x="4" y="{pad_t + 4}" font-size="10">{top:g}</text>'
             f'<text x="4" y="{height - pad_b}" font-size="10">{low:g}</text>']
    if target is not None:
        parts.append(f'<line x1="{pad_l}" y1="{y(target):.1f}" x2="{width - 5}" y2="{y(target):.1f}" stroke="#b26b00" '
                     f'stroke-dasharray="6 4"/><text x="{width - 8}" y="{y(target) - 4:.1f}" font-size="10" '
                     f'text-anchor="end" fill="#b26b00">{escape(target_label)}</text>')
    for i, (name, colour, values) in enumerate(series):
        points = [(pad_l + j * step, y(v)) for j, v in enumerate(values) if v is not None]
        path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3" fill="{colour}"/>' for x, yy in points)
        parts.append(f'<rect x="{pad_l + i * 150}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{pad_l + i * 150 + 14}" y="{height - 5}" font-size="11">{escape(name)}</text>')
    parts.extend(f'<text x="{pad_l + j * step:.1f}" y="{height - 22}" font-size="10" text-anchor="middle">'
                 f'{escape(lab)}</text>' for j, lab in enumerate(labels))
    parts.append("</svg>")
    return "".join(parts)


def case_trend(ratings, citizen_name: str, consultant_name: str, title: str) -> str:
    """One case's ratings over time: the citizen's and the consultant's means on the 1-10 scale."""
    dates = sorted({r.rated_at.date() for r in ratings})
    labels = [d.strftime("%d/%m-%y") for d in dates]
    series = []
    for rater, name, colour in ((WrittenBy.CITIZEN, citizen_name, "#0b5cad"),
                                (WrittenBy.STAFF, consultant_name, "#2e7d32")):
        by_date = {r.rated_at.date(): round(mean_score(r.scores), 1) for r in ratings if r.rater == rater}
        series.append((name, colour, [by_date.get(d) for d in dates]))
    return svg_lines(series, labels, title, low=1, high=10)


__all__ = ["JOB_OR_EDUCATION", "case_trend", "job_or_education", "svg_lines", "team_progress"]

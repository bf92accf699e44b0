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
from .outcomes import QuarterSpans, TeamRows, _dt, _team_rows, last_quarters, quarter_bounds


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


def rating_round(
    case_id: int, ratings: list[ProgressRating], open_follow_ups: list[FollowUp] | None = None
) -> RatingRound | None:
    """The open progress-rating follow-up of the case (made at enrolment, then every 90 days: the
    consultant's rating closes it and opens the next) and whether the citizen has rated since it
    opened; None if none is open. `open_follow_ups`: the case's open follow-ups by due date, when
    the caller has read them already."""
    if open_follow_ups is not None:
        fu = next((f for f in open_follow_ups if f.kind == FollowUpKind.PROGRESS_RATING), None)
    else:
        fu = db.session.scalar(
            select(FollowUp)
            .where(
                FollowUp.case_id == case_id,
                FollowUp.kind == FollowUpKind.PROGRESS_RATING,
                FollowUp.status == FollowUpStatus.OPEN,
            )
            .order_by(FollowUp.due_at)
            .limit(1)
        )
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
    "job-or-education-v1", "Job or education (Danish IPS proposal)", "1", frozenset(COMPETITIVE_TYPES), 60.0
)


def job_or_education(
    team_id: int, today, n: int = 8, metric: RateMetric = JOB_OR_EDUCATION, rows: TeamRows | None = None
) -> list[dict]:
    """Per quarter: the share of citizens served who held an ordinary job, a flexjob or an
    ordinary education at some time in the quarter. `rows`: the team's, when read already."""
    cases, placements = _team_rows(team_id, rows=rows)
    spans = QuarterSpans(last_quarters(today, n))
    served, served_in = spans.served(cases)
    held: list[set[int]] = [set() for _q in spans.quarters]
    for p in placements:
        if p.type in metric.types:
            span = served_in.get(p.case_id, range(0))
            for i in spans.overlapping(p.start_date, p.end_date):
                if i in span:
                    held[i].add(p.case_id)
    return [
        {
            "quarter": f"{year}-Q{q}",
            "metric": metric.key,
            "served": served[i],
            "in_job_or_education": len(held[i]),
            "rate": round(100 * len(held[i]) / served[i], 1) if served[i] else None,
            "target": metric.target,
        }
        for i, (year, q) in enumerate(spans.quarters)
    ]


def team_progress(team_id: int, today, n: int = 8, instrument=CURRENT_INSTRUMENT) -> list[dict]:
    """Per quarter: the mean change of the citizens' and the consultants' ratings (latest rating by
    the quarter's end minus each case's first rating by the same rater), and the mean gap between
    the citizen's and the consultant's latest ratings (citizen minus consultant) on cases with both."""
    rows = db.session.execute(
        select(ProgressRating.case_id, ProgressRating.rater, ProgressRating.scores, ProgressRating.rated_at)
        .join(IpsCase, IpsCase.id == ProgressRating.case_id)
        .where(IpsCase.ips_team_id == team_id, ProgressRating.instrument == instrument.key)
        .order_by(ProgressRating.rated_at, ProgressRating.id)
    ).all()
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
        cases_both = {k[0] for k in latest if k[1] == WrittenBy.CITIZEN} & {
            k[0] for k in latest if k[1] == WrittenBy.STAFF
        }
        gaps = [latest[(c, WrittenBy.CITIZEN)] - latest[(c, WrittenBy.STAFF)] for c in cases_both]
        out.append(
            {
                "quarter": f"{year}-Q{q}",
                "instrument": instrument.key,
                "rated_cases": len({k[0] for k in latest}),
                "citizen_change": round(sum(by_citizen) / len(by_citizen), 2) if by_citizen else None,
                "consultant_change": round(sum(by_staff) / len(by_staff), 2) if by_staff else None,
                "gap": round(sum(gaps) / len(gaps), 2) if gaps else None,
            }
        )
    return out


FONT = 16  # user units; a chart is 317-520 px wide (app.css), so its text is 12.7-21 px on the screen
CHART_WIDTH = 400  # the viewBox: a phone shows it at ~330 px (text ~12.4 px), a desktop at most 1.5 times


def _nice_step(span: float) -> float:
    for step in (0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if span / step <= 5:
            return step
    return span / 5


def svg_lines(
    series: list[tuple[str, str, list[float | None]]],
    labels: list[str],
    title: str,
    *,
    low: float = 0.0,
    high: float | None = None,
    target: float | None = None,
    target_label: str = "",
    guides: tuple[tuple[float, str], ...] = (),
    partial_last: bool = False,
    partial_label: str = "",
    width: int = CHART_WIDTH,
    height: int = 260,
    percent_axis: bool = False,
) -> str:
    """Lines (name, colour, values) on one inline SVG: gridlines with their values, dashed guide
    lines (a target, benchmarks), x labels of one or two lines ("Q1\n2026"), and the last point
    drawn hollow on a dashed segment when its period is still running (`partial_last`). Axis values
    in the page's language (a decimal comma in Danish; "60 %" with `percent_axis`); x labels thinned
    to every k-th (the last always kept) so that no two overlap."""
    from ..i18n import decimal, percent

    guides = tuple(guides) + (((target, target_label),) if target is not None else ())
    n_lines = max((lab.count("\n") + 1 for lab in labels), default=1) + (1 if partial_last else 0)
    legend = FONT + 10 if len(series) > 1 else 0
    pad_l, pad_r, pad_t = (62 if percent_axis else 44), 12, 12
    pad_b = 10 + n_lines * (FONT + 2) + legend
    known = [v for _n, _c, vs in series for v in vs if v is not None] + [g for g, _l in guides]
    top = high if high is not None else max([*known, low + 1.0])
    step_y = _nice_step(top - low)
    if high is None:
        top = low + step_y * -(-(top - low) // step_y)
    step = (width - pad_l - pad_r) / max(len(labels) - 1, 1)
    bottom = height - pad_b

    def y(v):
        return pad_t + (bottom - pad_t) * (1 - (v - low) / ((top - low) or 1))

    parts = [
        f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%" '
        f'class="chart" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    tick = low
    while tick <= top + 1e-9:  # gridlines with their values
        parts.append(
            f'<line x1="{pad_l}" y1="{y(tick):.1f}" x2="{width - pad_r}" y2="{y(tick):.1f}" '
            f'stroke="{"#8a96a3" if tick == low else "#dde2e7"}"/>'
            f'<text x="{pad_l - 6}" y="{y(tick) + FONT / 3:.1f}" font-size="{FONT}" text-anchor="end" '
            f'fill="#1b1f24">{percent(tick, 0) if percent_axis else decimal(tick)}</text>'
        )
        tick += step_y
    for value, label in guides:
        parts.append(
            f'<line x1="{pad_l}" y1="{y(value):.1f}" x2="{width - pad_r}" y2="{y(value):.1f}" '
            f'stroke="#b26b00" stroke-dasharray="6 4"/><text x="{width - pad_r - 2}" y="{y(value) - 3:.1f}" '
            f'font-size="{FONT}" text-anchor="end" fill="#7a4a00">{escape(label)}</text>'
        )
    for i, (name, colour, values) in enumerate(series):
        points = [(pad_l + j * step, y(v), j) for j, v in enumerate(values) if v is not None]
        last = len(values) - 1
        solid = [(x, yy) for x, yy, j in points if not (partial_last and j == last)]
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
            f'points="{" ".join(f"{x:.1f},{yy:.1f}" for x, yy in solid)}"/>'
        )
        parts.extend(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="3.5" fill="{colour}"/>' for x, yy in solid)
        if partial_last and points and points[-1][2] == last:
            x, yy, _j = points[-1]
            if solid:
                parts.append(
                    f'<line x1="{solid[-1][0]:.1f}" y1="{solid[-1][1]:.1f}" x2="{x:.1f}" y2="{yy:.1f}" '
                    f'stroke="{colour}" stroke-width="2" stroke-dasharray="4 4"/>'
                )
            parts.append(f'<circle cx="{x:.1f}" cy="{yy:.1f}" r="4" fill="#fff" stroke="{colour}" stroke-width="2"/>')
        if legend:
            parts.append(
                f'<rect x="{pad_l + i * 170}" y="{height - FONT - 2}" width="12" height="12" fill="{colour}"/>'
                f'<text x="{pad_l + i * 170 + 16}" y="{height - 4}" font-size="{FONT}">{escape(name)}</text>'
            )
    # A label is about 0.6 em a character wide: show every k-th so neighbours keep a gap.
    widest = max(
        (len(t) for lab in labels for t in lab.split("\n") + ([partial_label] if partial_last else [])), default=1
    )
    every = max(1, -(-int(widest * FONT * 0.6 + 8) // max(int(step), 1)))
    last_j = len(labels) - 1
    shown = {j for j in range(len(labels)) if (last_j - j) % every == 0}
    for j, lab in enumerate(labels):
        if j not in shown:
            continue
        lines = lab.split("\n") + ([partial_label] if partial_last and j == len(labels) - 1 else [])
        x = pad_l + j * step
        anchor = (
            "end" if j == len(labels) - 1 and len(labels) > 1 else ("start" if j == 0 and len(labels) > 1 else "middle")
        )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + FONT + 4}" font-size="{FONT}" text-anchor="{anchor}">'
            + "".join(
                f'<tspan x="{x:.1f}" dy="{0 if k == 0 else FONT + 2}">{escape(t)}</tspan>' for k, t in enumerate(lines)
            )
            + "</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def case_trend(ratings, citizen_name: str, consultant_name: str, title: str) -> str:
    """One case's ratings over time: the citizen's and the consultant's means on the 1-10 scale."""
    dates = sorted({r.rated_at.date() for r in ratings})
    labels = [d.strftime("%d/%m-%y") for d in dates]
    series = []
    for rater, name, colour in (
        (WrittenBy.CITIZEN, citizen_name, "#0b5cad"),
        (WrittenBy.STAFF, consultant_name, "#2e7d32"),
    ):
        by_date = {r.rated_at.date(): round(mean_score(r.scores), 1) for r in ratings if r.rater == rater}
        series.append((name, colour, [by_date.get(d) for d in dates]))
    return svg_lines(series, labels, title, low=1, high=10)


__all__ = ["JOB_OR_EDUCATION", "case_trend", "job_or_education", "svg_lines", "team_progress"]

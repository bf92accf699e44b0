"""What IPS saves a municipality: benefit months ended by job and education starts, valued at a
rate per benefit kind, against the programme's staff cost. Every assumption is a parameter the
municipality sets on the page; the defaults are rounded 2025 levels (docs/domain.md names them).

The model is deliberately narrow: it counts only the benefit a citizen no longer receives while
in a job or an education. Published Danish estimates of what IPS saves (up to 72,000 kr per
person against usual services) also count fewer jobcenter measures, fewer social measures and
less use of psychiatry, which the case record does not hold; the page says so beside the figure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from ..clock import local_midnight
from ..extensions import db
from ..models import BenefitFact, IpsCase, Placement, User
from ..text import Text as _  # msgids: the page translates them (ips_coord/text.py)
from ..workflows.phases import BenefitKind, PlacementType, Role

DAYS_PER_MONTH = 365.25 / 12
FULL_TIME_HOURS = 37.0

# (key, msgid, words that name it in the jobcenter's free-text benefit, default kroner a month)
BENEFIT_RATES: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("kontanthjaelp", _("Kontanthjælp"), ("kontanthjælp",), 13_000),
    ("uddannelseshjaelp", _("Uddannelseshjælp"), ("uddannelseshjælp",), 7_500),
    ("ressourceforloeb", _("Ressourceforløbsydelse"), ("ressourceforløb",), 13_000),
    ("jobafklaring", _("Jobafklaringsforløb"), ("jobafklaring",), 13_000),
    ("sygedagpenge", _("Sygedagpenge"), ("sygedagpenge",), 21_000),
    ("ledighedsydelse", _("Ledighedsydelse"), ("ledighedsydelse",), 19_500),
    ("dagpenge", _("Unemployment benefit (a-kasse)"), ("dagpenge",), 20_000),
    ("other", _("Other or not recorded"), (), 0),
)
RATE_KEYS = tuple(key for key, _n, _w, _r in BENEFIT_RATES)


@dataclass(frozen=True)
class Assumptions:
    """What the municipality sets. Kroner a month per benefit kind; a consultant's yearly cost
    (salary, pension, overhead); the student grant that replaces a benefit in education; the share
    of a benefit a flexjob ends."""

    rates: Mapping[str, int] = field(default_factory=lambda: {k: r for k, _n, _w, r in BENEFIT_RATES})
    consultant_cost_per_year: int = 550_000
    education_grant_per_month: int = 7_000
    flexjob_share: float = 0.5
    months: int = 12

    def rate(self, key: str) -> int:
        return int(self.rates.get(key, 0))


DEFAULTS = Assumptions()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def benefit_key(benefit: str | None) -> str:
    """The rate that a free-text benefit ("Kontanthjælp", "sygedagpenge fra 1. maj") falls under."""
    folded = _fold(benefit or "")
    # Longest words first: "uddannelseshjælp" is not "kontanthjælp", "sygedagpenge" is not "dagpenge".
    for key, _name, words, _rate in sorted(BENEFIT_RATES, key=lambda r: -max((len(w) for w in r[2]), default=0)):
        if any(w in folded for w in words):
            return key
    return "other"


def _placements(team_id: int, since: date, until: date):
    return db.session.execute(
        select(Placement.case_id, Placement.type, Placement.start_date, Placement.end_date, Placement.hours_per_week)
        .join(IpsCase, IpsCase.id == Placement.case_id)
        .where(
            IpsCase.ips_team_id == team_id,
            Placement.start_date <= until,
            (Placement.end_date.is_(None)) | (Placement.end_date >= since),
            Placement.type.in_([PlacementType.ORDINARY_JOB, PlacementType.FLEXJOB, PlacementType.EDUCATION]),
        )
        .order_by(Placement.start_date)
    ).all()


def _benefits(case_ids: set[int]) -> dict[int, list[tuple[date, str]]]:
    """Each case's recorded benefits (the jobcenter's benefit facts, not its decisions), oldest first."""
    if not case_ids:
        return {}
    rows = db.session.execute(
        select(BenefitFact.case_id, BenefitFact.created_at, BenefitFact.on_date, BenefitFact.benefit)
        .where(
            BenefitFact.case_id.in_(case_ids), (BenefitFact.kind.is_(None)) | (BenefitFact.kind == BenefitKind.BENEFIT)
        )
        .order_by(BenefitFact.created_at)
    ).all()
    out: dict[int, list[tuple[date, str]]] = {}
    for r in rows:
        out.setdefault(r.case_id, []).append((r.on_date or r.created_at.date(), r.benefit))
    return out


def benefit_before(facts: Sequence[tuple[date, str]], start: date) -> str | None:
    """The benefit recorded last on or before a start (else the first one recorded)."""
    before = [b for d, b in facts if d <= start]
    return before[-1] if before else (facts[0][1] if facts else None)


def monthly_saving(kind: PlacementType, rate: int, hours: float | None, a: Assumptions) -> float:
    """What one month of this placement saves: the benefit, scaled by the hours a week (a part-time
    job keeps a supplement; unknown hours count as full time), less the student grant in
    education, and the flexjob share for a flexjob."""
    if kind == PlacementType.EDUCATION:
        return max(0.0, rate - a.education_grant_per_month)
    scale = min(1.0, (hours if hours is not None else FULL_TIME_HOURS) / FULL_TIME_HOURS)
    return rate * scale * (a.flexjob_share if kind == PlacementType.FLEXJOB else 1.0)


def economics(team_id: int, today: date, a: Assumptions = DEFAULTS) -> dict:
    until = today
    since = today - timedelta(days=round(a.months * DAYS_PER_MONTH)) + timedelta(days=1)
    placements = _placements(team_id, since, until)
    facts = _benefits({p.case_id for p in placements})
    by_kind: dict[str, dict[str, float]] = {k: {"months": 0.0, "saving": 0.0} for k in RATE_KEYS}
    for p in placements:
        first, last = max(p.start_date, since), min(p.end_date or until, until)
        months = max(0, (last - first).days + 1) / DAYS_PER_MONTH
        key = benefit_key(benefit_before(facts.get(p.case_id, []), p.start_date))
        by_kind[key]["months"] += months
        by_kind[key]["saving"] += months * monthly_saving(p.type, a.rate(key), p.hours_per_week, a)
    served = db.session.scalar(
        select(func.count(IpsCase.id)).where(
            IpsCase.ips_team_id == team_id,
            IpsCase.enrolled_at.is_not(None),
            IpsCase.enrolled_at < _end_of(until),
            (IpsCase.closed_at.is_(None)) | (IpsCase.closed_at >= _start_of(since)),
        )
    )
    consultants = (
        db.session.scalar(
            select(func.count(User.id)).where(
                User.organisation_id == team_id, User.role == Role.IPS_CONSULTANT, User.active.is_(True)
            )
        )
        or 0
    )
    saving = sum(v["saving"] for v in by_kind.values())
    cost = consultants * a.consultant_cost_per_year * a.months / 12
    return {
        "since": since,
        "until": until,
        "assumptions": a,
        "served": served or 0,
        "consultants": consultants,
        "people_in_work": len({p.case_id for p in placements}),
        "by_kind": {k: {"months": round(v["months"], 1), "saving": round(v["saving"])} for k, v in by_kind.items()},
        "benefit_months": round(sum(v["months"] for v in by_kind.values()), 1),
        "saving": round(saving),
        "cost": round(cost),
        "net": round(saving - cost),
        "saving_per_person": round(saving / served) if served else None,
        "net_per_person": round((saving - cost) / served) if served else None,
        "seed_estimate_per_person": 72_000,
    }


def _start_of(d: date):
    return local_midnight(d)


def _end_of(d: date):
    return local_midnight(d + timedelta(days=1))


__all__ = ["BENEFIT_RATES", "DEFAULTS", "Assumptions", "benefit_key", "economics", "monthly_saving"]

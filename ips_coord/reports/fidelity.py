"""The IPS-25 fidelity items the case data can score continuously (DESIGN section 6).

Each item gives its 1-5 score, the figure behind it and the anchor used. Anchors for the
share-based items follow the IPS-25 pattern (5 = the principle is met nearly always).
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from ..models import CareerProfile, Contact, EmployerContact, IpsCase, Placement, User
from ..workflows.phases import ENDED, CloseReason, Role

SHARE_ANCHORS = ((0.9, 5), (0.75, 4), (0.5, 3), (0.25, 2))  # share >= threshold -> score; else 1
SHARE_ANCHOR_TEXT = _l("5: 90 or more, 4: 75-89, 3: 50-74, 2: 25-49, 1: under 25 (percent of cases)")


def share_score(share: float | None) -> int | None:
    if share is None:
        return None
    for threshold, score in SHARE_ANCHORS:
        if share >= threshold:
            return score
    return 1


def caseload_score(n: int) -> int:
    return 5 if n <= 20 else 4 if n <= 25 else 3 if n <= 30 else 2 if n <= 40 else 1


def employer_key(name: str | None) -> str:
    """One employer however it was typed: "FØTEX  Nordby" and "Føtex Nordby" are the same."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())


def _num(value: float) -> str:
    """4,5 in Danish (Babel, the page's locale)."""
    from ..web.formatting import decimal

    return decimal(value)


def _pct(share: float) -> str:
    """0.42 as 42 % in Danish (Babel, the page's locale)."""
    from ..web.formatting import percent

    return percent(100 * share, digits=0)


def _item(number, name, score, figure, anchor):
    return {"item": number, "name": name, "score": score, "figure": figure, "anchor": anchor}


def fidelity(team_id: int, now: datetime) -> dict:
    # Plain rows joined to the team (no ORM objects, no long IN lists): the cost follows the team's size.
    in_team = IpsCase.ips_team_id == team_id
    cases = db.session.execute(select(
        IpsCase.id, IpsCase.consultant_id, IpsCase.phase, IpsCase.close_reason, IpsCase.enrolled_at,
        IpsCase.first_employer_contact_at, IpsCase.last_contact_at).where(in_team)).all()
    consultants = db.session.scalars(select(User).where(User.role == Role.IPS_CONSULTANT,
                                                        User.organisation_id == team_id)).all()
    active = Counter(c.consultant_id for c in cases if c.phase not in ENDED)
    loads = [active.get(u.id, 0) for u in consultants] or [0]
    items = [_item(1, _("Caseload size"), min(caseload_score(n) for n in loads), _("max %(n)s per consultant", n=max(loads)),
                   _("5: 20 or fewer, 4: 21-25, 3: 26-30, 2: 31-40, 1: 41+"))]
    closed = [c for c in cases if c.phase == "closed"]
    allowed = {r.value for r in CloseReason}
    ok = sum(1 for c in closed if c.close_reason in allowed)
    zero = ok / len(closed) if closed else 1.0
    items.append(_item(9, _("Zero exclusion"), share_score(zero), _("%(a)s of %(b)s closings for allowed reasons", a=ok, b=len(closed)),
                       SHARE_ANCHOR_TEXT))
    placements = db.session.execute(select(
        Placement.case_id, Placement.type, Placement.benefits_counselling_offered, Placement.end_date,
        Placement.employer_name).join(IpsCase, IpsCase.id == Placement.case_id).where(in_team)).all()
    jobs = [p for p in placements if p.type in ("ordinary_job", "flexjob")]
    counselled = sum(1 for p in jobs if p.benefits_counselling_offered)
    items.append(_item(12, _("Benefits counselling"), share_score(counselled / len(jobs) if jobs else None),
                       _("%(a)s of %(b)s job starts with counselling offered", a=counselled, b=len(jobs)), SHARE_ANCHOR_TEXT))
    latest = {}
    profiles_by_case: dict[int, list] = {}
    for prof in db.session.execute(select(CareerProfile.case_id, CareerProfile.disclosure, CareerProfile.created_at)
                                   .join(IpsCase, IpsCase.id == CareerProfile.case_id).where(in_team)
                                   .order_by(CareerProfile.version)):
        latest[prof.case_id] = prof
        profiles_by_case.setdefault(prof.case_id, []).append(prof.created_at.date())
    decided = sum(1 for p in latest.values() if p.disclosure in ("full", "partial", "none"))
    items.append(_item(13, _("Disclosure discussed"), share_score(decided / len(latest) if latest else None),
                       _("%(a)s of %(b)s profiles with a disclosure choice", a=decided, b=len(latest)), SHARE_ANCHOR_TEXT))
    ended = [p for p in jobs if p.end_date is not None]
    updated = sum(1 for p in ended if any(p.end_date <= d <= p.end_date + timedelta(days=30)
                                          for d in profiles_by_case.get(p.case_id, [])))
    items.append(_item(14, _("Career profile updated after each job"), share_score(updated / len(ended) if ended else None),
                       _("%(a)s of %(b)s job endings followed by a profile update within 30 days", a=updated, b=len(ended)),
                       SHARE_ANCHOR_TEXT))
    enrolled = [c for c in cases if c.enrolled_at is not None and (c.first_employer_contact_at or
                                                                  now - c.enrolled_at > timedelta(days=30))]
    rapid = sum(1 for c in enrolled if c.first_employer_contact_at
                and c.first_employer_contact_at - c.enrolled_at <= timedelta(days=30))
    items.append(_item(15, _("Rapid job search"), share_score(rapid / len(enrolled) if enrolled else None),
                       _("%(a)s of %(b)s first employer contacts within 30 days", a=rapid, b=len(enrolled)), SHARE_ANCHOR_TEXT))
    since = now - timedelta(weeks=4)
    contacts = db.session.scalar(select(func.count(EmployerContact.id)).where(
        EmployerContact.consultant_id.in_([u.id for u in consultants]), EmployerContact.face_to_face.is_(True),
        EmployerContact.occurred_at >= since)) if consultants else 0
    per_week = contacts / 4 / max(len(consultants), 1)
    items.append(_item(17, _("Job development frequency"),
                       5 if per_week >= 6 else 4 if per_week >= 4 else 3 if per_week >= 2 else 2 if per_week >= 1 else 1,
                       _("%(n)s face-to-face employer contacts per consultant per week (last 4 weeks)", n=_num(per_week)),
                       _("5: 6+, 4: 4-5, 3: 2-3, 2: 1, 1: under 1")))
    employers = Counter(employer_key(p.employer_name) for p in jobs)
    top = max(employers.values()) / len(jobs) if jobs else None
    items.append(_item(20, _("Employer diversity"), None if top is None else 5 if top <= 0.15 else 4 if top <= 0.3
                       else 3 if top <= 0.45 else 2 if top <= 0.6 else 1,
                       _("%(p)s of jobs with the most used employer", p=_pct(top) if top is not None else "–"),
                       _("5: %(a)s or less, 4: 16-30, 3: 31-45, 2: 46-60, 1: over 60 (percent)", a=15)))
    competitive = sum(1 for p in placements if p.type in ("ordinary_job", "flexjob", "education"))
    items.append(_item(21, _("Competitive jobs"), share_score(competitive / len(placements) if placements else None),
                       _("%(a)s of %(b)s placements competitive", a=competitive, b=len(placements)), SHARE_ANCHOR_TEXT))
    working = [c for c in cases if c.phase in ("employed", "in_education")]
    followed = sum(1 for c in working if c.last_contact_at and now - c.last_contact_at <= timedelta(days=31))
    items.append(_item(23, _("Time-unlimited follow-along"), share_score(followed / len(working) if working else None),
                       _("%(a)s of %(b)s working citizens in contact within a month", a=followed, b=len(working)), SHARE_ANCHOR_TEXT))
    all_contacts = db.session.execute(select(Contact.location, func.count()).join(IpsCase, IpsCase.id == Contact.case_id)
                                      .where(in_team).group_by(Contact.location)).all()
    total = sum(n for _l, n in all_contacts)
    community = sum(n for loc, n in all_contacts if loc == "community")
    share = community / total if total else None
    items.append(_item(24, _("Community-based services"), None if share is None else 5 if share >= 0.65 else 4
                       if share >= 0.5 else 3 if share >= 0.35 else 2 if share >= 0.2 else 1,
                       _("%(p)s of contacts in the community", p=_pct(share) if share is not None else "–"),
                       _("5: 65 or more, 4: 50-64, 3: 35-49, 2: 20-34, 1: under 20 (percent)")))
    items.append(_item(25, _("No discharge for missed appointments"), share_score(zero),
                       _("%(n)s closings for a forbidden reason", n=len(closed) - ok), SHARE_ANCHOR_TEXT))
    scored = [i["score"] for i in items if i["score"] is not None]
    return {"items": items, "subtotal": sum(scored), "max": 5 * len(scored)}

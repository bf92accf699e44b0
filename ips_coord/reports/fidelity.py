"""The IPS-25 fidelity items the case data can score continuously.

Each item gives its 1-5 score, the figure behind it and the anchor used. Anchors for the
share-based items follow the IPS-25 pattern (5 = the principle is met nearly always).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Date, String, func, select, type_coerce

from ..extensions import db
from ..models import CareerProfile, Contact, FollowUp, IpsCase, TreatmentTeamMeeting, User
from ..models.employer import employer_key
from ..text import Figure
from ..text import Text as _  # msgids with their figures: the page translates them (ips_coord/text.py)
from ..workflows.constants import (
    CASELOAD_LIMIT,
    FIRST_EMPLOYER_CONTACT_DEADLINE,
    JOB_DEVELOPMENT_QUALITY_WINDOW,
    WEEKLY_EMPLOYER_CONTACT_TARGET,
)
from ..workflows.phases import (
    ACTIVE,
    COMPETITIVE_JOB_TYPES,
    COMPETITIVE_TYPES,
    ENDED,
    CloseReason,
    Disclosure,
    FollowUpKind,
    FollowUpStatus,
    Location,
    Phase,
    Role,
)
from .job_development import ContactFigures, contact_figures
from .outcomes import CaseRow, PlacementRow, TeamRows, team_rows

SHARE_ANCHORS = ((0.9, 5), (0.75, 4), (0.5, 3), (0.25, 2))  # share >= threshold -> score; else 1
SHARE_ANCHOR_TEXT = _("5: 90 or more, 4: 75-89, 3: 50-74, 2: 25-49, 1: under 25 (percent of cases)")


def share_score(share: float | None) -> int | None:
    if share is None:
        return None
    for threshold, score in SHARE_ANCHORS:
        if share >= threshold:
            return score
    return 1


def caseload_score(n: int) -> int:
    return _banded(n, (CASELOAD_LIMIT, 25, 30, 40), higher_is_better=False) or 1


def _item(number: int, name: str, score: int | None, figure: str, anchor: str) -> dict[str, Any]:
    return {"item": number, "name": name, "score": score, "figure": figure, "anchor": anchor}


def _share(part: int, whole: int) -> int | None:
    return share_score(part / whole if whole else None)


def _banded(value: float | None, bands: tuple[float, ...], higher_is_better: bool = True) -> int | None:
    """5 for the first band met, 4 for the next, ...; 1 below (or above) them all."""
    if value is None:
        return None
    for score, limit in zip((5, 4, 3, 2), bands, strict=False):
        if (value >= limit) if higher_is_better else (value <= limit):
            return score
    return 1


def _percent(share: float | None) -> Figure | str:
    """A share as a percent figure; the page shows it the reader's way (42 % in Danish)."""
    return Figure(100 * share, digits=0, percent=True) if share is not None else "–"


WORKING = (Phase.EMPLOYED, Phase.IN_EDUCATION)
DISCLOSURE_CHOSEN = frozenset(Disclosure) - {Disclosure.UNDECIDED}  # undecided is not a choice yet


@dataclass
class TeamData:
    """Plain rows joined to the team (no ORM objects, no long IN lists): the cost follows the team's size."""

    cases: Sequence[CaseRow]
    consultants: Sequence[User]
    placements: Sequence[PlacementRow]
    contacts: ContactFigures

    @property
    def jobs(self) -> list[PlacementRow]:
        return [p for p in self.placements if p.type in COMPETITIVE_JOB_TYPES]

    @property
    def closed(self) -> list[CaseRow]:
        return [c for c in self.cases if c.phase == Phase.CLOSED]

    @property
    def closed_for_allowed_reason(self) -> int:
        allowed = set(CloseReason)
        return sum(1 for c in self.closed if c.close_reason in allowed)


def _load(
    team_id: int,
    now: datetime,
    rows: TeamRows | None = None,
    consultants: Sequence[User] | None = None,
    contacts: ContactFigures | None = None,
) -> TeamData:
    rows = rows or team_rows(team_id)
    if consultants is None:
        consultants = team_consultants(team_id)
    if contacts is None:
        contacts = contact_figures(team_id, now - JOB_DEVELOPMENT_QUALITY_WINDOW, now)
    return TeamData(rows.cases, consultants, rows.placements, contacts)


def team_consultants(team_id: int) -> Sequence[User]:
    """The team's consultants by name (the report page lists them too)."""
    return db.session.scalars(
        select(User).where(User.role == Role.IPS_CONSULTANT, User.organisation_id == team_id).order_by(User.name)
    ).all()


def _caseload(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    active = Counter(c.consultant_id for c in data.cases if c.phase not in ENDED)
    loads = [active.get(u.id, 0) for u in data.consultants] or [0]
    return [
        _item(
            1,
            _("Caseload size"),
            min(caseload_score(n) for n in loads),
            _("max %(n)s per consultant", n=max(loads)),
            _("5: 20 or fewer, 4: 21-25, 3: 26-30, 2: 31-40, 1: 41+"),
        )
    ]


def _zero_exclusion(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    ok, closed = data.closed_for_allowed_reason, len(data.closed)
    return [
        _item(
            9,
            _("Zero exclusion"),
            _share(ok, closed) if closed else share_score(1.0),
            _("%(a)s of %(b)s closings for allowed reasons", a=ok, b=closed),
            SHARE_ANCHOR_TEXT,
        )
    ]


def _benefits_counselling(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    """Offered before every job start and again when a running job's hours or pay change: a
    change counts as offered when its benefits-counselling follow-up was done."""
    jobs = data.jobs
    counselled = sum(1 for p in jobs if p.benefits_counselling_offered)
    changes = db.session.execute(
        select(FollowUp.status, func.count())
        .join(IpsCase, IpsCase.id == FollowUp.case_id)
        .where(IpsCase.ips_team_id == team_id, FollowUp.kind == FollowUpKind.BENEFITS_COUNSELLING)
        .group_by(FollowUp.status)
    ).all()
    changed = sum(n for _status, n in changes)
    offered = sum(n for status, n in changes if status == FollowUpStatus.DONE)
    return [
        _item(
            12,
            _("Benefits counselling"),
            _share(counselled + offered, len(jobs) + changed),
            _(
                "%(a)s of %(b)s job starts with counselling offered; %(c)s of %(d)s changes of hours or pay",
                a=counselled,
                b=len(jobs),
                c=offered,
                d=changed,
            ),
            SHARE_ANCHOR_TEXT,
        )
    ]


# The weeks of treatment-team meetings the integration items look back over.
TEAM_MEETING_WEEKS = 8


def _integration(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    """IPS-25 integration with the mental-health treatment team, from the recorded weekly
    meetings: through team assignment (each consultant's cases are discussed with a treatment
    team: the share of active cases whose consultant met it in the last 4 weeks) and through
    frequent team contact (meetings attended a week, against one a week, with clinicians present)."""
    today = now.date()
    since = today - timedelta(weeks=TEAM_MEETING_WEEKS)
    ids = [u.id for u in data.consultants]
    rows = (
        db.session.execute(
            select(TreatmentTeamMeeting.consultant_id, TreatmentTeamMeeting.held_on).where(
                TreatmentTeamMeeting.consultant_id.in_(ids),
                TreatmentTeamMeeting.held_on > since,
                TreatmentTeamMeeting.consultant_attended,
                TreatmentTeamMeeting.clinicians_present > 0,
            )
        ).all()
        if ids
        else []
    )
    recent = {cid for cid, held in rows if held > today - timedelta(weeks=4)}
    active = [c for c in data.cases if c.phase in ACTIVE]  # the overview's "active cases" too
    assigned = sum(1 for c in active if c.consultant_id in recent)
    per_week = len(rows) / (len(ids) * TEAM_MEETING_WEEKS) if ids else None
    return [
        _item(
            4,
            _("Integration with treatment through team assignment"),
            _share(assigned, len(active)) if active else None,
            _(
                "%(a)s of %(b)s active cases (enrolled, not ended) with a consultant who met the treatment "
                "team in the last 4 weeks",
                a=assigned,
                b=len(active),
            ),
            SHARE_ANCHOR_TEXT,
        ),
        _item(
            5,
            _("Integration with treatment through frequent team contact"),
            _banded(per_week, (0.9, 0.75, 0.5, 0.25)),
            _(
                "%(n)s treatment-team meetings a week per consultant (last %(w)s weeks)",
                n=Figure(per_week or 0, digits=2),
                w=TEAM_MEETING_WEEKS,
            ),
            _("5: weekly (90 percent of weeks or more), 4: 75-89, 3: 50-74, 2: 25-49, 1: under 25"),
        ),
    ]


def _career_profile(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    latest: dict[int, str | None] = {}  # each case's latest disclosure
    profiles_by_case: dict[int, list[date]] = {}
    # The disclosure as its plain code and the day (UTC, as stored) made in SQL: no conversion per row.
    for case_id, disclosure, made_on in db.session.execute(
        select(
            CareerProfile.case_id,
            type_coerce(CareerProfile.disclosure, String),
            func.date(CareerProfile.created_at, type_=Date),
        )
        .join(IpsCase, IpsCase.id == CareerProfile.case_id)
        .where(IpsCase.ips_team_id == team_id)
        .order_by(CareerProfile.version)
    ):
        latest[case_id] = disclosure
        profiles_by_case.setdefault(case_id, []).append(made_on)
    decided = sum(1 for d in latest.values() if d in DISCLOSURE_CHOSEN)
    ended = [(p.case_id, p.end_date) for p in data.jobs if p.end_date is not None]
    updated = sum(
        1
        for case_id, end in ended
        if any(end <= d <= end + timedelta(days=30) for d in profiles_by_case.get(case_id, []))
    )
    return [
        _item(
            13,
            _("Disclosure discussed"),
            _share(decided, len(latest)),
            _("%(a)s of %(b)s profiles with a disclosure choice", a=decided, b=len(latest)),
            SHARE_ANCHOR_TEXT,
        ),
        _item(
            14,
            _("Career profile updated after each job"),
            _share(updated, len(ended)),
            _("%(a)s of %(b)s job endings followed by a profile update within 30 days", a=updated, b=len(ended)),
            SHARE_ANCHOR_TEXT,
        ),
    ]


def _rapid_job_search(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    deadline = FIRST_EMPLOYER_CONTACT_DEADLINE
    enrolled = [
        (c.enrolled_at, c.first_employer_contact_at)
        for c in data.cases
        if c.enrolled_at is not None and (c.first_employer_contact_at or now - c.enrolled_at > deadline)
    ]
    rapid = sum(1 for enrolled_at, first in enrolled if first and first - enrolled_at <= deadline)
    return [
        _item(
            15,
            _("Rapid job search"),
            _share(rapid, len(enrolled)),
            _("%(a)s of %(b)s first employer contacts within 30 days", a=rapid, b=len(enrolled)),
            SHARE_ANCHOR_TEXT,
        )
    ]


def _job_development(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    consultants = data.consultants
    contacts = data.contacts.last_4_weeks  # by the team's consultants
    # Scored on the figure as shown (one decimal), so the two always agree: 1.96 shows as 2.0 and
    # scores 3, as 2.0 does. The bands are continuous: 3.5 a week scores 3 (at least 2, under 4).
    per_week = round((contacts or 0) / 4 / max(len(consultants), 1), 1)
    return [
        _item(
            17,
            _("Job development frequency"),
            _banded(per_week, (WEEKLY_EMPLOYER_CONTACT_TARGET, 4, 2, 1)),
            _("%(n)s face-to-face employer contacts per consultant per week (last 4 weeks)", n=Figure(per_week)),
            _("5: 6 or more, 4: 4 to 5.9, 3: 2 to 3.9, 2: 1 to 1.9, 1: under 1 (per consultant per week)"),
        )
    ]


def _job_development_quality(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    """Item 18, which the contact purposes make scorable: contacts that go beyond a first meeting."""
    total, developing = data.contacts.recent, data.contacts.recent_developing
    return [
        _item(
            18,
            _("Job development: quality of employer contact"),
            _share(developing, total),
            _(
                "%(a)s of %(b)s face-to-face employer contacts (last 90 days) learned the employer's needs, "
                "presented a candidate or followed along",
                a=developing,
                b=total,
            ),
            SHARE_ANCHOR_TEXT,
        )
    ]


def _job_types(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    """Item 19: different job titles among the team's jobs (one title however it was typed)."""
    titles = [employer_key(p.job_title) for p in data.jobs if p.job_title]
    distinct = len(set(titles)) / len(titles) if titles else None
    return [
        _item(
            19,
            _("Diversity of job types"),
            _banded(distinct, (0.85, 0.7, 0.55, 0.4)),
            _("%(a)s different job titles among %(b)s jobs", a=len(set(titles)), b=len(titles)),
            _("5: 85 or more, 4: 70-84, 3: 55-69, 2: 40-54, 1: under 40 (percent different)"),
        )
    ]


def _employers_and_jobs(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    jobs, placements = data.jobs, data.placements
    # One employer however it was typed, and the register's record where the job is linked to it.
    employers = Counter(
        f"id:{p.employer_id}" if p.employer_id is not None else employer_key(p.employer_name) for p in jobs
    )
    top = max(employers.values()) / len(jobs) if jobs else None
    competitive = sum(1 for p in placements if p.type in COMPETITIVE_TYPES)
    return [
        _item(
            20,
            _("Employer diversity"),
            _banded(top, (0.15, 0.3, 0.45, 0.6), higher_is_better=False),
            _("%(p)s of jobs with the most used employer", p=_percent(top)),
            _("5: %(a)s or less, 4: 16-30, 3: 31-45, 2: 46-60, 1: over 60 (percent)", a=15),
        ),
        _item(
            21,
            _("Competitive jobs"),
            _share(competitive, len(placements)),
            _("%(a)s of %(b)s placements competitive", a=competitive, b=len(placements)),
            SHARE_ANCHOR_TEXT,
        ),
    ]


def _follow_along(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    working = [c for c in data.cases if c.phase in WORKING]
    followed = sum(1 for c in working if c.last_contact_at and now - c.last_contact_at <= timedelta(days=31))
    return [
        _item(
            23,
            _("Time-unlimited follow-along"),
            _share(followed, len(working)),
            _("%(a)s of %(b)s working citizens in contact within a month", a=followed, b=len(working)),
            SHARE_ANCHOR_TEXT,
        )
    ]


def _community(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    by_location = db.session.execute(
        select(Contact.location, func.count())
        .join(IpsCase, IpsCase.id == Contact.case_id)
        .where(IpsCase.ips_team_id == team_id)
        .group_by(Contact.location)
    ).all()
    total = sum(n for _location, n in by_location)
    community = sum(n for location, n in by_location if location == Location.COMMUNITY)
    share = community / total if total else None
    return [
        _item(
            24,
            _("Community-based services"),
            _banded(share, (0.65, 0.5, 0.35, 0.2)),
            _("%(p)s of contacts in the community", p=_percent(share)),
            _("5: 65 or more, 4: 50-64, 3: 35-49, 2: 20-34, 1: under 20 (percent)"),
        )
    ]


def _no_discharge(team_id: int, data: TeamData, now: datetime) -> list[dict[str, Any]]:
    ok, closed = data.closed_for_allowed_reason, len(data.closed)
    return [
        _item(
            25,
            _("No discharge for missed appointments"),
            _share(ok, closed) if closed else share_score(1.0),
            _("%(n)s closings for a forbidden reason", n=closed - ok),
            SHARE_ANCHOR_TEXT,
        )
    ]


ITEMS = (
    _caseload,
    _integration,
    _zero_exclusion,
    _benefits_counselling,
    _career_profile,
    _rapid_job_search,
    _job_development,
    _job_development_quality,
    _job_types,
    _employers_and_jobs,
    _follow_along,
    _community,
    _no_discharge,
)


def fidelity(
    team_id: int,
    now: datetime,
    rows: TeamRows | None = None,
    consultants: Sequence[User] | None = None,
    contacts: ContactFigures | None = None,
) -> dict[str, Any]:
    """`rows`, `consultants`, `contacts`: the team's, when the caller has read them already (the report page)."""
    data = _load(team_id, now, rows, consultants, contacts)
    items = [item for score in ITEMS for item in score(team_id, data, now)]
    scored = [i["score"] for i in items if i["score"] is not None]
    return {"items": items, "subtotal": sum(scored), "max": 5 * len(scored)}

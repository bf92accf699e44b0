"""The country-wide overview: every IPS team's caseload and follow-up figures, aggregates only.

A national coordinator sees counts per team, never a case: no names, no references, nothing
to audit. Each figure is one grouped query over the whole country, so the page costs the
same few queries whether there are 10 teams or 1,000; at 1,000,000 cases they still take
seconds, so the worker computes them every ROLLUP_MINUTES (services/rollups.py) and the page
shows that snapshot with its age (country_figures).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select

from ..extensions import db
from ..models import FollowUp, IpsCase, Notification, Organisation, ReportSnapshot, User
from ..workflows.constants import CASELOAD_LIMIT
from ..workflows.phases import ON_CASELOAD, FollowUpStatus, NotificationStatus, OrgKind, Role
from .referrals import unassigned_per_team


def _per_team(stmt: Select[Any]) -> dict[int, int]:
    return {team: n for team, n in db.session.execute(stmt)}


def _notifications_per_team(*where: ColumnElement[bool]) -> Counter[int]:
    """A notification belongs to its case's team, or else to its recipient's (as on the team page)."""
    team = func.coalesce(IpsCase.ips_team_id, User.organisation_id)
    rows = db.session.execute(
        select(team, func.count())
        .select_from(Notification)
        .outerjoin(IpsCase, IpsCase.id == Notification.case_id)
        .join(User, User.id == Notification.recipient_id)
        .where(*where)
        .group_by(team)
    ).all()
    return Counter({team: n for team, n in rows})


COUNTRY = "country"  # the snapshot's name
CLOCK_SKEW = timedelta(minutes=1)


def country_figures(now: datetime, max_age: timedelta) -> tuple[dict[str, Any], datetime | None]:
    """The overview and when it was computed: the worker's snapshot if it is at most max_age
    old, else computed now (None: the figures are live)."""
    snapshot = db.session.get(ReportSnapshot, COUNTRY)
    # A worker's clock a little ahead of this one's is fine; far ahead, the age means nothing.
    if snapshot is not None and -CLOCK_SKEW <= now - snapshot.computed_at <= max_age:
        return snapshot.data, snapshot.computed_at
    return country_overview(now), None


def country_overview(now: datetime) -> dict[str, Any]:
    """Plain values only (the snapshot keeps them as JSON)."""
    teams = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind == OrgKind.IPS_TEAM)
        .order_by(Organisation.municipality, Organisation.name)
    ).all()
    consultants = _per_team(
        select(User.organisation_id, func.count())
        .where(User.role == Role.IPS_CONSULTANT, User.active)
        .group_by(User.organisation_id)
    )
    phases: dict[int, Counter] = defaultdict(Counter)
    for team_id, phase, n in db.session.execute(
        select(IpsCase.ips_team_id, IpsCase.phase, func.count()).group_by(IpsCase.ips_team_id, IpsCase.phase)
    ):
        phases[team_id][phase] = n
    per_consultant = (
        select(IpsCase.ips_team_id.label("team"), func.count().label("n"))
        .where(IpsCase.phase.in_(ON_CASELOAD), IpsCase.consultant_id.is_not(None))
        .group_by(IpsCase.ips_team_id, IpsCase.consultant_id)
        .subquery()
    )
    over_limit = _per_team(
        select(per_consultant.c.team, func.count())
        .where(per_consultant.c.n > CASELOAD_LIMIT)
        .group_by(per_consultant.c.team)
    )
    open_follow_ups = (
        select(IpsCase.ips_team_id, func.count())
        .select_from(FollowUp)
        .join(IpsCase, IpsCase.id == FollowUp.case_id)
        .where(FollowUp.status == FollowUpStatus.OPEN)
        .group_by(IpsCase.ips_team_id)
    )
    overdue = _per_team(open_follow_ups.where(FollowUp.due_at < now))
    escalations = _per_team(open_follow_ups.where(FollowUp.escalated_at.is_not(None)))
    unacknowledged = _notifications_per_team(Notification.unacknowledged())
    failed = _notifications_per_team(Notification.status == NotificationStatus.FAILED)
    unassigned = unassigned_per_team()  # referrals waiting for a consultant
    rows: list[dict[str, Any]] = []
    for team in teams:
        active = sum(n for p, n in phases[team.id].items() if p in ON_CASELOAD)
        staff = consultants.get(team.id, 0)
        rows.append(
            {
                "team": {"id": team.id, "name": team.name, "municipality": team.municipality},
                "consultants": staff,
                "cases": sum(phases[team.id].values()),
                "active": active,
                "per_consultant": round(active / staff, 1) if staff else None,
                "over_limit": over_limit.get(team.id, 0),
                "overdue": overdue.get(team.id, 0),
                "escalations": escalations.get(team.id, 0),
                "unacknowledged": unacknowledged.get(team.id, 0),
                "failed": failed.get(team.id, 0),
                "unassigned": unassigned.get(team.id, 0),
            }
        )
    keys = (
        "consultants",
        "cases",
        "active",
        "over_limit",
        "overdue",
        "escalations",
        "unacknowledged",
        "failed",
        "unassigned",
    )
    totals: dict[str, float | None] = {k: sum(r[k] for r in rows) for k in keys}
    active, staff = sum(r["active"] for r in rows), sum(r["consultants"] for r in rows)
    totals["per_consultant"] = round(active / staff, 1) if staff else None
    country_phases: Counter[str] = Counter()
    for counter in phases.values():
        country_phases.update(counter)
    return {"rows": rows, "totals": totals, "phases": dict(country_phases), "limit": CASELOAD_LIMIT}

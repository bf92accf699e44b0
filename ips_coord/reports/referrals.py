"""Reads for the coordinator's overview and the country overview: the referrals waiting for a
consultant, and the cases where a notification was not sent for lack of consent."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models import CaseEvent, IpsCase, Notification, User
from ..workflows.phases import ENDED, NotificationStatus


def unassigned_cases(team_id: int | None, limit: int = 200) -> list[tuple[IpsCase, User | None]]:
    """The team's cases without a consultant (oldest first), each with who referred it."""
    return [(case, referrer) for case, referrer in db.session.execute(
        select(IpsCase, User).join(CaseEvent, (CaseEvent.case_id == IpsCase.id) & (CaseEvent.seq == 1))
        .outerjoin(User, User.id == CaseEvent.actor_id)
        .where(IpsCase.ips_team_id == team_id, IpsCase.consultant_id.is_(None), IpsCase.phase.not_in(ENDED))
        .order_by(IpsCase.referred_at, IpsCase.id).limit(limit))]


def unassigned_per_team() -> dict[int, int]:
    return {team: n for team, n in db.session.execute(
        select(IpsCase.ips_team_id, func.count()).where(IpsCase.consultant_id.is_(None), IpsCase.phase.not_in(ENDED))
        .group_by(IpsCase.ips_team_id))}


def missing_consent_cases(team_id: int | None) -> int:
    """The team's cases with a notification not sent for lack of consent."""
    return db.session.scalar(
        select(func.count(func.distinct(Notification.case_id))).join(IpsCase, IpsCase.id == Notification.case_id)
        .where(IpsCase.ips_team_id == team_id, Notification.status == NotificationStatus.WITHHELD)) or 0


__all__ = ["missing_consent_cases", "unassigned_cases", "unassigned_per_team"]

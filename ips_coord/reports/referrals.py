"""Reads for the coordinator's overview and the country overview: the referrals waiting for a
consultant, and the cases where a notification was not sent for lack of consent."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import CaseEvent, IpsCase, Notification, User
from ..workflows.phases import ENDED, NotificationStatus


def unassigned_cases(team_id: int | None, limit: int = 200) -> list[tuple[IpsCase, User | None]]:
    """The team's cases without a consultant (oldest first), each with who referred it."""
    return [
        (case, referrer)
        for case, referrer in db.session.execute(
            select(IpsCase, User)
            .join(CaseEvent, (CaseEvent.case_id == IpsCase.id) & (CaseEvent.seq == 1))
            .outerjoin(User, User.id == CaseEvent.actor_id)
            .where(IpsCase.ips_team_id == team_id, IpsCase.consultant_id.is_(None), IpsCase.phase.not_in(ENDED))
            .order_by(IpsCase.referred_at, IpsCase.id)
            .limit(limit)
        )
    ]


def unassigned_per_team() -> dict[int, int]:
    return {
        team: n
        for team, n in db.session.execute(
            select(IpsCase.ips_team_id, func.count())
            .where(IpsCase.consultant_id.is_(None), IpsCase.phase.not_in(ENDED))
            .group_by(IpsCase.ips_team_id)
        )
    }


def team_notification(team_id: int | None):
    """A notification about one of the team's cases or to one of its users."""
    team_cases = select(IpsCase.id).where(IpsCase.ips_team_id == team_id)
    team_users = select(User.id).where(User.organisation_id == team_id)
    return Notification.case_id.in_(team_cases) | Notification.recipient_id.in_(team_users)


def notification_counts(team_id: int | None) -> tuple[int, int, int]:
    """The team's notifications not acknowledged and not delivered, and its cases with a
    notification not sent for lack of consent, in one statement. Each kind is narrowed first by
    its index: the team's condition alone scans every notification."""
    on_team_case = Notification.case_id.in_(select(IpsCase.id).where(IpsCase.ips_team_id == team_id))
    unacknowledged, failed, missing = db.session.execute(
        select(
            func.count().filter(Notification.unacknowledged()),
            func.count().filter(Notification.status == NotificationStatus.FAILED),
            func.count(func.distinct(Notification.case_id)).filter(
                Notification.status == NotificationStatus.WITHHELD, on_team_case
            ),
        ).where(
            or_(
                and_(Notification.requires_ack, Notification.acknowledged_at.is_(None)),
                Notification.status.in_([NotificationStatus.FAILED, NotificationStatus.WITHHELD]),
            ),
            team_notification(team_id),
        )
    ).one()
    return unacknowledged, failed, missing


def missing_consent_cases(team_id: int | None) -> int:
    """The team's cases with a notification not sent for lack of consent."""
    return notification_counts(team_id)[2]


__all__ = [
    "missing_consent_cases",
    "notification_counts",
    "team_notification",
    "unassigned_cases",
    "unassigned_per_team",
]

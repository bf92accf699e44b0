"""What each party sees of a case under the live consents, and which consent is missing for
the rest: the case page shows it to every role that reads the consents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..models import Consent, Notification
from ..workflows.phases import ConsentCategory, NotificationStatus, Party
from .policy import HEALTH_CATEGORIES, consented, live_consents


@dataclass(frozen=True)
class Flow:
    """One way information goes between the parties, and whether a live consent carries it."""

    key: str  # names the sentence the page shows
    from_party: Party
    to_party: Party
    needs: tuple[str, ...]  # the categories a consent would name
    granted: frozenset[str]

    @property
    def live(self) -> bool:
        return bool(self.granted)


FLOWS: tuple[tuple[str, Party, Party, tuple[str, ...]], ...] = (
    ("team_sees_health", Party.PSYCHIATRY, Party.IPS_TEAM, tuple(HEALTH_CATEGORIES)),
    ("team_sees_benefits", Party.JOBCENTER, Party.IPS_TEAM, (ConsentCategory.BENEFIT_FACTS,)),
    ("psychiatry_told", Party.IPS_TEAM, Party.PSYCHIATRY, (ConsentCategory.EMPLOYMENT_PROGRESS,)),
    ("jobcenter_sees", Party.IPS_TEAM, Party.JOBCENTER, (ConsentCategory.EMPLOYMENT_PROGRESS,)),
)


def consent_flows(case_id: int, today: date, consents: list[Consent] | None = None) -> list[Flow]:
    live = live_consents(case_id, today) if consents is None else [c for c in consents if c.is_live(today)]
    return [Flow(key, src, dst, needs, consented(live, src, dst) & set(needs)) for key, src, dst, needs in FLOWS]


def withheld_notifications(case_id: int) -> list[Notification]:
    """Notifications not sent for lack of consent (still waiting for it)."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.case_id == case_id, Notification.status == NotificationStatus.WITHHELD)
            .order_by(Notification.created_at.desc())
        )
    )


__all__ = ["FLOWS", "Flow", "consent_flows", "withheld_notifications"]

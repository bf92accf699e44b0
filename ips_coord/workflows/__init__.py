"""The IPS workflow core: plain Python, no Flask or database import."""

from .calendar import add_working_days
from .machine import (
    ActivityOutcome,
    CaseFacts,
    Decision,
    FollowUpSpec,
    NotificationSpec,
    OpenFollowUp,
    Refusal,
    allowed_events,
    contact_gap,
    decide,
    on_activity,
)
from .phases import Event, Phase

__all__ = [
    "ActivityOutcome",
    "CaseFacts",
    "Decision",
    "Event",
    "FollowUpSpec",
    "NotificationSpec",
    "OpenFollowUp",
    "Phase",
    "Refusal",
    "add_working_days",
    "allowed_events",
    "contact_gap",
    "decide",
    "on_activity",
]

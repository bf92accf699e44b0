"""The shared plan and the progress measure: vocabulary and rules (plain Python, no Flask).

Goals in the citizen's words, actions with an owner and a date that
becomes the owner's follow-up, parallel interventions, the job's supports, and a named,
versioned progress instrument rated at enrolment and every 90 days by citizen and consultant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from .phases import Recipient


class WrittenBy(StrEnum):
    CITIZEN = "citizen"
    STAFF = "staff"  # by staff, on the citizen's behalf


class PlanOwner(StrEnum):
    IPS_TEAM = "ips_team"
    PSYCHIATRY = "psychiatry"
    JOBCENTER = "jobcenter"
    SOCIAL_PSYCHIATRY = "social_psychiatry"
    CITIZEN = "citizen"
    NETWORK = "network"  # a person of the citizen's network (named on the action), under the citizen's consent


class LoginSecret(StrEnum):
    """The one-time secrets a citizen signs in with (stored as SHA-256 only)."""

    CODE = "code"  # six digits by e-mail
    INVITATION = "invitation"  # the consultant's signed link


class SignInMethod(StrEnum):
    """How a citizen session began. EMAIL_CODE and OIDC are also the values of CITIZEN_AUTH."""

    EMAIL_CODE = "email_code"
    INVITATION = "invitation"
    OIDC = "oidc"  # a national identity provider (MitID) through an OpenID Connect broker


# Who gets the follow-up for an action of each owner. Social psychiatry and the citizen have no
# staff account here: the consultant follows up with them.
FOLLOW_UP_ASSIGNEE: dict[PlanOwner, Recipient] = {
    PlanOwner.IPS_TEAM: Recipient.CONSULTANT,
    PlanOwner.PSYCHIATRY: Recipient.PSYCHIATRY_CONTACT,
    PlanOwner.JOBCENTER: Recipient.JOBCENTER_CASEWORKER,
    # Actions no professional on the case owns are followed up by the case's coordinating professional.
    PlanOwner.SOCIAL_PSYCHIATRY: Recipient.COORDINATING_PROFESSIONAL,
    PlanOwner.CITIZEN: Recipient.COORDINATING_PROFESSIONAL,
    PlanOwner.NETWORK: Recipient.COORDINATING_PROFESSIONAL,
}
ACTION_REMINDER = timedelta(days=3)  # before the due date
ACTION_ESCALATION = timedelta(days=7)  # after the due date, to the coordinator

# Interventions that often run alongside IPS (seeds 002 and 004); free text is allowed too.
INTERVENTIONS = (
    "CTI",
    "ACT",
    "IBBIS",
    "Bostøtte",
    "Gældsrådgivning",
    "Peerstøtte",
    "Lær at tackle",
    "Åben og Rolig",
    "Kognitiv terapi",
)


class SupportField(StrEnum):
    """The supports of a running job (what a job-ending review adjusts)."""

    MENTOR = "mentor"
    MENTOR_HOURS = "mentor_hours"  # a number: hours a week
    PERSONAL_ASSISTANCE = "personal_assistance"
    AIDS = "aids"
    FLEXJOB_TERMS = "flexjob_terms"
    ADJUSTMENTS = "adjustments"


SUPPORT_FIELDS = tuple(SupportField)


class Dimension(StrEnum):
    """What the progress instrument asks the citizen and the consultant to rate."""

    WISH_TO_WORK = "wish_to_work"
    HEALTH_AND_WELLBEING = "health_and_wellbeing"
    DAILY_STRUCTURE = "daily_structure"
    SOCIAL_RELATIONS = "social_relations"
    FINANCES_AND_SECURITY = "finances_and_security"
    BELIEF_IN_OWN_ABILITIES = "belief_in_own_abilities"


@dataclass(frozen=True)
class Instrument:
    key: str
    name: str
    version: str
    dimensions: tuple[Dimension, ...]
    low: int = 1
    high: int = 10
    interval_days: int = 90


PROGRESS_V1 = Instrument(
    "ips-progress-v1",
    "IPS progressionsmåling",
    "1",
    tuple(Dimension),
)
INSTRUMENTS = {PROGRESS_V1.key: PROGRESS_V1}
CURRENT_INSTRUMENT = PROGRESS_V1


class InvalidScores(ValueError):
    """A rating the instrument does not take, and the dimension it is about: a score off the scale,
    or (`unknown`) a name that is not one of the instrument's dimensions."""

    def __init__(self, field: str, message: str, *, unknown: bool = False):
        super().__init__(message)
        self.field, self.unknown = field, unknown


def check_scores(instrument: Instrument, scores: dict[str, object]) -> dict[str, int]:
    """Every dimension once, each a whole number on the instrument's scale."""
    out: dict[str, int] = {}
    for dim in instrument.dimensions:
        value = scores.get(dim)
        if isinstance(value, bool) or not isinstance(value, int) or not instrument.low <= value <= instrument.high:
            raise InvalidScores(dim, f"Give a whole number from {instrument.low} to {instrument.high}.")
        out[dim] = value
    unknown = set(scores) - set(instrument.dimensions)
    if unknown:
        raise InvalidScores(sorted(unknown)[0], "Not a dimension of this instrument.", unknown=True)
    return out


def mean_score(scores: dict[str, int]) -> float:
    return sum(scores.values()) / len(scores) if scores else 0.0


@dataclass(frozen=True)
class DueDates:
    due_at: datetime
    remind_at: datetime
    escalate_at: datetime


def action_due(due: date) -> DueDates:
    """An action due on a day is due at 15:00 UTC that day (mid-afternoon in Copenhagen)."""
    at = datetime.combine(due, time(15, 0), tzinfo=UTC)
    return DueDates(at, at - ACTION_REMINDER, at + ACTION_ESCALATION)


def next_rating_due(rated_at: datetime, instrument: Instrument = CURRENT_INSTRUMENT) -> DueDates:
    at = rated_at + timedelta(days=instrument.interval_days)
    return DueDates(at, at - timedelta(days=7), at + timedelta(days=14))

"""The people around the citizen (relatives, friends, a mentor outside the system, a peer
supporter) as part of the plan, under the citizen's own consent per person and category."""

from __future__ import annotations

from enum import StrEnum


class NetworkRelation(StrEnum):
    RELATIVE = "relative"
    FRIEND = "friend"
    MENTOR = "mentor"  # outside the system
    PEER_SUPPORTER = "peer_supporter"
    OTHER = "other"


class NetworkRole(StrEnum):
    """What the person does for the citizen."""

    MEETINGS = "meetings"  # support at meetings
    PRACTICAL = "practical"  # practical help
    BAD_PERIODS = "bad_periods"  # the person to call in a bad period


class NetworkCategory(StrEnum):
    """What a network person may know, each by its own consent of the citizen."""

    MEETINGS = "meetings"  # that a meeting is held, when and where (an invitation)
    PLAN = "plan"  # the shared plan's goals and actions, and owning an action
    JOB = "job"  # where the citizen works or studies and how it goes


# What each use of a network person needs the citizen's consent to.
INVITATION_NEEDS = NetworkCategory.MEETINGS
ACTION_OWNER_NEEDS = NetworkCategory.PLAN

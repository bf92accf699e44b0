"""The IPS-25 fidelity scale as rules: its 25 items, the level a total reaches and when the next
review falls due. Programmes are reviewed by two or more reviewers every 6 to 12 months; a
review scores each item 1 to 5 (25 to 125 in all)."""

from __future__ import annotations

from enum import StrEnum

ITEMS = tuple(range(1, 26))
SCORES = (1, 2, 3, 4, 5)
MIN_REVIEWERS = 2
DISAGREEMENT = 2  # a reviewer's and the data's score this far apart is shown to the coordinator


class FidelityLevel(StrEnum):
    EXEMPLARY = "exemplary"  # 115-125
    GOOD = "good"  # 100-114
    FAIR = "fair"  # 74-99
    NOT_IPS = "not_ips"  # 73 or less


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


def level(total: int) -> FidelityLevel:
    if total >= 115:
        return FidelityLevel.EXEMPLARY
    if total >= 100:
        return FidelityLevel.GOOD
    if total >= 74:
        return FidelityLevel.FAIR
    return FidelityLevel.NOT_IPS


def months_to_next_review(reached: FidelityLevel, good_months: int = 12, other_months: int = 6) -> int:
    """A programme at good or exemplary fidelity is reviewed yearly; below that every half year."""
    return good_months if reached in (FidelityLevel.GOOD, FidelityLevel.EXEMPLARY) else other_months


def disagrees(reviewer: int | None, data: int | None) -> bool:
    return reviewer is not None and data is not None and abs(reviewer - data) >= DISAGREEMENT

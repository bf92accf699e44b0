"""Fidelity reviews of an IPS team: started by the team's coordinator with the reviewers' names
and each item's data figure prefilled, scored item by item with evidence, finalised into a total,
a level and the date of the next review; the action plan's lines reach their owners' inboxes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..clock import local_today, utcnow
from ..extensions import db
from ..models import FidelityAction, FidelityReview, FidelityReviewItem, User
from ..reports.fidelity import fidelity
from ..text import text_to_json
from ..workflows.fidelity_scale import (
    ITEMS,
    MIN_REVIEWERS,
    SCORES,
    ActionStatus,
    ReviewStatus,
    level,
    months_to_next_review,
)
from ..workflows.phases import InboxKind, Role
from .errors import N_, Forbidden, ServiceError
from .inbox import tell
from .unit_of_work import unit_of_work

MAX_EVIDENCE = 4000
MAX_ACTION = 1000


def _coordinator_of(actor: User, team_id: int) -> None:
    if actor.role != Role.COORDINATOR or actor.organisation_id != team_id:
        raise Forbidden(N_("Only the team's coordinator records its fidelity reviews."))


def _draft(review: FidelityReview) -> None:
    if review.status != ReviewStatus.DRAFT:
        raise ServiceError(N_("The review is final and can no longer be changed."), "status")


def _names(reviewers: str) -> list[str]:
    return [n for n in (" ".join(line.split()) for line in (reviewers or "").splitlines()) if n]


def start_review(actor: User, *, reviewed_on: date, reviewers: str) -> FidelityReview:
    """A draft review of the actor's team, each item prefilled with what the case data scores."""
    team_id = actor.organisation_id or 0
    _coordinator_of(actor, team_id)
    names = _names(reviewers)
    if len(names) < MIN_REVIEWERS:
        raise ServiceError(N_("Name at least %(n)s reviewers, one a line."), "reviewers", n=MIN_REVIEWERS)
    if any(len(n) > 200 for n in names):
        raise ServiceError(N_("A reviewer's name is at most 200 characters."), "reviewers")
    today = local_today()
    if not today - timedelta(days=5 * 366) <= reviewed_on <= today + timedelta(days=366):
        raise ServiceError(N_("The review's date must be within five years back and one year ahead."), "reviewed_on")
    now = utcnow()
    data = {i["item"]: i for i in fidelity(team_id, now)["items"]}
    with unit_of_work():
        review = FidelityReview(
            team_id=team_id,
            reviewed_on=reviewed_on,
            reviewers="\n".join(names),
            status=ReviewStatus.DRAFT,
            created_by_id=actor.id,
            created_at=now,
        )
        db.session.add(review)
        for number in ITEMS:
            found = data.get(number)
            db.session.add(
                FidelityReviewItem(
                    review=review,
                    item=number,
                    data_score=found["score"] if found else None,
                    data_figure=text_to_json(found["figure"]) if found else None,
                )
            )
    return review


def save_scores(review: FidelityReview, actor: User, scores: Mapping[int, tuple[int | None, str | None]]) -> None:
    """The reviewers' agreed score (1-5, or none yet) and evidence for any of the items."""
    _coordinator_of(actor, review.team_id)
    _draft(review)
    for number, (score, evidence) in scores.items():
        if number not in ITEMS:
            raise ServiceError(N_("There is no item %(item)s on the scale."), f"item_{number}", item=number)
        if score is not None and score not in SCORES:
            raise ServiceError(N_("A score is from 1 to 5."), f"score_{number}")
        if evidence and len(evidence) > MAX_EVIDENCE:
            raise ServiceError(N_("The evidence is at most %(n)s characters."), f"evidence_{number}", n=MAX_EVIDENCE)
    with unit_of_work():
        for row in review.items:
            if row.item in scores:
                row.score, evidence = scores[row.item]
                row.evidence = (evidence or "").strip() or None


def add_action(
    review: FidelityReview, actor: User, *, item: int, action: str, owner_id: int, due_on: date
) -> FidelityAction:
    _coordinator_of(actor, review.team_id)
    action = " ".join((action or "").split())
    if item not in ITEMS:
        raise ServiceError(N_("There is no item %(item)s on the scale."), "item", item=item)
    if len(action) < 3 or len(action) > MAX_ACTION:
        raise ServiceError(N_("Describe the action (3 to %(n)s characters)."), "action", n=MAX_ACTION)
    owner = db.session.get(User, owner_id)
    if (
        owner is None
        or not owner.active
        or owner.organisation_id != review.team_id
        or owner.role not in (Role.IPS_CONSULTANT, Role.COORDINATOR)
    ):
        raise ServiceError(N_("The owner is one of the team's consultants or its coordinator."), "owner_id")
    if due_on < review.reviewed_on or due_on > review.reviewed_on + timedelta(days=2 * 366):
        raise ServiceError(N_("The due date is after the review and within two years."), "due_on")
    now = utcnow()
    with unit_of_work():
        row = FidelityAction(
            review=review, item=item, action=action, owner_id=owner.id, due_on=due_on, status=ActionStatus.OPEN
        )
        db.session.add(row)
        # The owner learns of it in the inbox, with the due date (the action is the team's, no citizen's).
        tell([owner.id], InboxKind.MESSAGE, now, data={"text": f"{action} ({due_on:%d.%m.%Y})", "fidelity_item": item})
    return row


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day where it is shorter: 31 Aug + 6 = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_first - timedelta(days=1)).day))


def finalise(review: FidelityReview, actor: User) -> FidelityReview:
    """The total and its level, and when the next review falls due (every item must be scored)."""
    _coordinator_of(actor, review.team_id)
    _draft(review)
    missing = [row.item for row in review.items if row.score is None]
    if missing:
        raise ServiceError(
            N_("Score every item first (missing: %(items)s)."),
            f"score_{missing[0]}",
            items=", ".join(str(m) for m in missing),
        )
    total = sum(row.score or 0 for row in review.items)
    reached = level(total)
    months = months_to_next_review(
        reached,
        current_app.config.get("FIDELITY_REVIEW_MONTHS_GOOD", 12),
        current_app.config.get("FIDELITY_REVIEW_MONTHS_OTHER", 6),
    )
    with unit_of_work():
        review.total, review.level = total, reached
        review.next_due_on = add_months(review.reviewed_on, months)
        review.status, review.finalised_at = ReviewStatus.FINAL, utcnow()
    return review


def complete_action(row: FidelityAction, actor: User) -> None:
    if actor.id != row.owner_id:
        _coordinator_of(actor, row.review.team_id)
    if row.status == ActionStatus.DONE:
        return
    with unit_of_work():
        row.status, row.done_at = ActionStatus.DONE, utcnow()


def remind_due_actions(now: datetime, limit: int = 500) -> int:
    """The sweep's step: an open action whose date has come is told, once, to its owner and to the
    team's coordinators (the due work of a review's action plan, like a case's follow-up)."""
    today = local_today(now)
    due = list(
        db.session.scalars(
            select(FidelityAction)
            .where(
                FidelityAction.status == ActionStatus.OPEN,
                FidelityAction.reminded_at.is_(None),
                FidelityAction.due_on <= today,
            )
            .order_by(FidelityAction.due_on, FidelityAction.id)
            .limit(limit)
        )
    )
    if not due:
        return 0
    with unit_of_work():
        for row in due:
            coordinators = db.session.scalars(
                select(User.id).where(
                    User.role == Role.COORDINATOR, User.organisation_id == row.review.team_id, User.active.is_(True)
                )
            )
            tell(
                [row.owner_id, *coordinators],
                InboxKind.MESSAGE,
                now,
                data={
                    "text": f"Handling fra fidelitetsgennemgangen har frist {row.due_on:%d.%m.%Y}: {row.action}",
                    "fidelity_item": row.item,
                },
            )
            row.reminded_at = now
    return len(due)


def open_actions_of(user: User) -> list[FidelityAction]:
    return list(
        db.session.scalars(
            select(FidelityAction)
            .where(FidelityAction.owner_id == user.id, FidelityAction.status == ActionStatus.OPEN)
            .order_by(FidelityAction.due_on)
        )
    )


__all__ = ["add_action", "complete_action", "finalise", "open_actions_of", "save_scores", "start_review"]

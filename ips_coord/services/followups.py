"""Moving a follow-up to a new date or handing it to a colleague, with the reason kept.

A follow-up is never silently dropped: every move writes a follow_up_change row (from and to
date, from and to assignee, reason, who, when) and a case event, and the coordinator sees how
often deadlines were moved.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from ..clock import utcnow
from ..extensions import db
from ..models import FollowUp, IpsCase, User
from ..models.employer import FollowUpChange
from ..workflows.phases import FollowUpStatus, HistoryEntry, Role
from .errors import N_, NotFound, ServiceError
from .records import add_case_event
from .unit_of_work import unit_of_work

MAX_MOVE = timedelta(days=366)


def _check_move(
    fu: FollowUp, case: IpsCase, reason: str, due_at: datetime | None, assignee_id: int | None, now: datetime
) -> None:
    if len(reason) < 3:
        raise ServiceError(N_("Say why the follow-up is moved or handed over."), "reason")
    if fu.status != FollowUpStatus.OPEN:
        raise ServiceError(N_("The follow-up is not open."), "status")
    if due_at is None and assignee_id is None:
        raise ServiceError(N_("Give a new date or a colleague."), "due_at")
    if due_at is not None and (due_at < now - timedelta(days=1) or due_at > now + MAX_MOVE):
        raise ServiceError(N_("The new date must be from today and within a year."), "due_at")
    if assignee_id is not None:
        colleague = db.session.get(User, assignee_id)
        if (
            colleague is None
            or not colleague.active
            or colleague.role != Role.IPS_CONSULTANT
            or colleague.organisation_id is None
            or colleague.organisation_id != case.ips_team_id
        ):
            raise ServiceError(N_("Hand the follow-up to an IPS consultant of the case's team."), "assignee_id")


def _shift(fu: FollowUp, due_at: datetime, now: datetime) -> None:
    """The reminder and escalation move with the due date; a new reminder goes out when it comes."""
    shift = due_at - fu.due_at
    fu.due_at = due_at
    if fu.remind_at is not None:
        fu.remind_at = fu.remind_at + shift
        if fu.remind_at > now:
            fu.reminded_at = None
    if fu.escalate_at is not None:
        fu.escalate_at = fu.escalate_at + shift


def move_follow_up(
    fu: FollowUp, actor: User, *, reason: str, due_at: datetime | None = None, assignee_id: int | None = None
) -> FollowUpChange:
    """Move `fu` to `due_at` and/or hand it to `assignee_id` (an IPS consultant of the case's team)."""
    now = utcnow()
    reason = " ".join((reason or "").split())
    case = db.session.get(IpsCase, fu.case_id)
    if case is None:
        raise NotFound(N_("Not found."), "follow_up_id")
    _check_move(fu, case, reason, due_at, assignee_id, now)
    with unit_of_work():
        change = FollowUpChange(
            follow_up_id=fu.id,
            case_id=fu.case_id,
            changed_by_id=actor.id,
            from_due_at=fu.due_at,
            to_due_at=due_at or fu.due_at,
            from_assignee_id=fu.assignee_id,
            to_assignee_id=assignee_id if assignee_id is not None else fu.assignee_id,
            reason=reason[:500],
            created_at=now,
        )
        db.session.add(change)
        if due_at is not None:
            _shift(fu, due_at, now)
        if assignee_id is not None:
            fu.assignee_id = assignee_id
        add_case_event(
            case,
            event=HistoryEntry.FOLLOW_UP_MOVED,
            actor=actor,
            now=now,
            data={"follow_up_id": fu.id, "due_at": fu.due_at.isoformat()},
        )
    return change


def history(follow_up_id: int) -> list[FollowUpChange]:
    return list(
        db.session.scalars(
            select(FollowUpChange)
            .where(FollowUpChange.follow_up_id == follow_up_id)
            .order_by(FollowUpChange.created_at, FollowUpChange.id)
        )
    )


def moves_per_consultant(team_id: int, since: datetime) -> dict[int | None, dict[str, int]]:
    """For the coordinator: per consultant whose follow-up it was, how many deadlines were moved
    later and how many follow-ups were handed over, since a date."""
    rows = db.session.execute(
        select(
            FollowUpChange.from_assignee_id,
            func.sum(case((FollowUpChange.to_due_at > FollowUpChange.from_due_at, 1), else_=0)),
            func.sum(case((FollowUpChange.to_assignee_id != FollowUpChange.from_assignee_id, 1), else_=0)),
            func.count(),
        )
        .join(IpsCase, IpsCase.id == FollowUpChange.case_id)
        .where(IpsCase.ips_team_id == team_id, FollowUpChange.created_at >= since)
        .group_by(FollowUpChange.from_assignee_id)
    ).all()
    return {
        uid: {"later": int(later or 0), "handed": int(handed or 0), "total": total}
        for uid, later, handed, total in rows
    }

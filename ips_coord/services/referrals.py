"""Referrals reach a consultant: the coordinator assigns or reassigns the
consultant of a case, or moves it to another team or municipality; the history keeps every
move as a case event, the assigned consultant's first contact with the citizen is due within
7 days (escalated when missed), and the referrer is told who took the case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..clock import utcnow
from ..extensions import db
from ..models import CaseEvent, IpsCase, Notification, Organisation, User
from ..workflows.machine import assignment_follow_ups
from ..workflows.phases import (
    ENDED,
    FollowUpKind,
    FollowUpStatus,
    HistoryEntry,
    InboxKind,
    NotificationKind,
    NotificationStatus,
    OrgKind,
    Role,
)
from .errors import N_, Forbidden, ServiceError
from .inbox import tell
from .records import add_case_event, add_follow_ups, open_follow_ups
from .unit_of_work import unit_of_work


def referrer_id(case: IpsCase) -> int | None:
    """Who referred the case: the actor of its first history entry."""
    return db.session.scalar(select(CaseEvent.actor_id).where(CaseEvent.case_id == case.id, CaseEvent.seq == 1))


def _checked(
    case: IpsCase, actor: User, consultant_id: int | None, team_id: int | None, municipality: str | None
) -> tuple[Organisation, User | None, str | None]:
    if actor.role != Role.COORDINATOR or actor.organisation_id is None or case.ips_team_id != actor.organisation_id:
        raise Forbidden(N_("Only the coordinator of the case's team may assign or move it."), "case")
    if case.phase in ENDED:
        raise ServiceError(N_("A closed case is re-entered before it is assigned."), "case")
    team = db.session.get(Organisation, team_id or case.ips_team_id)
    if team is None or team.kind != OrgKind.IPS_TEAM:
        raise ServiceError(N_("No IPS team with that id."), "team_id")
    consultant = db.session.get(User, consultant_id) if consultant_id else None
    if consultant_id and (consultant is None or consultant.role != Role.IPS_CONSULTANT or not consultant.active):
        raise ServiceError(N_("No IPS consultant with that id."), "consultant_id")
    if consultant is not None and consultant.organisation_id != team.id:
        raise ServiceError(N_("The consultant is not in the chosen team."), "consultant_id")
    municipality = (municipality or "").strip() or None
    if municipality is not None and len(municipality) > 100:
        raise ServiceError(N_("The text is too long."), "municipality")
    return team, consultant, municipality


def _changes(case: IpsCase, team: Organisation, consultant: User | None, municipality: str | None) -> dict[str, Any]:
    """What the assignment changes, old and new: the case event's data."""
    changes: dict[str, Any] = {}
    if (consultant.id if consultant else None) != case.consultant_id:
        changes.update(consultant_id=consultant.id if consultant else None, from_consultant_id=case.consultant_id)
    if team.id != case.ips_team_id:
        changes.update(team_id=team.id, from_team_id=case.ips_team_id)
    if municipality is not None and municipality != case.citizen.municipality:
        changes.update(municipality=municipality, from_municipality=case.citizen.municipality)
    if not changes:
        raise ServiceError(N_("Nothing to change: choose another consultant, team or municipality."), "consultant_id")
    return changes


def assign_case(
    case: IpsCase,
    actor: User,
    *,
    consultant_id: int | None,
    team_id: int | None = None,
    municipality: str | None = None,
) -> IpsCase:
    """Assign (or reassign) the case's consultant; with `team_id` the case moves to that IPS team
    (without a consultant it waits in that team's queue), with `municipality` the citizen's
    municipality changes. Only the coordinator of the case's current team may do it."""
    now = utcnow()
    team, consultant, municipality = _checked(case, actor, consultant_id, team_id, municipality)
    changes = _changes(case, team, consultant, municipality)
    with unit_of_work():
        db.session.execute(select(IpsCase.id).where(IpsCase.id == case.id).with_for_update())
        db.session.refresh(case)
        old_consultant = case.consultant_id
        case.ips_team_id = team.id
        case.consultant_id = consultant.id if consultant else None
        if municipality is not None:
            case.citizen.municipality = municipality
        add_case_event(case, event=HistoryEntry.CASE_ASSIGNED, actor=actor, now=now, data=changes)
        if "consultant_id" in changes:
            _hand_over(case, old_consultant, now)
            if consultant is not None:
                add_follow_ups(case, assignment_follow_ups(now), now)
                _tell_who_took_it(case, consultant, actor, now)
            if old_consultant is not None:
                tell(
                    [old_consultant],
                    InboxKind.CASE_MOVED,
                    now,
                    case=case,
                    except_id=actor.id,
                    data={"to": consultant.name if consultant else team.name},
                )
    return case


def _hand_over(case: IpsCase, old_consultant: int | None, now: datetime) -> None:
    """The old consultant's open follow-ups go to the new one (none is dropped); a first contact
    still open from an earlier assignment is replaced by the new consultant's."""
    for fu in open_follow_ups(case.id):
        if fu.kind == FollowUpKind.FIRST_CITIZEN_CONTACT:
            fu.status, fu.completed_at = FollowUpStatus.CANCELLED, now
        elif fu.assignee_id == old_consultant or fu.assignee_id is None:
            fu.assignee_id = case.consultant_id


def _tell_who_took_it(case: IpsCase, consultant: User, actor: User, now: datetime) -> None:
    """The consultant and the referrer: by e-mail (the outbox) and in the inbox."""
    referrer = referrer_id(case)
    told = [uid for uid in dict.fromkeys([consultant.id, referrer]) if uid is not None and uid != actor.id]
    active = set(db.session.scalars(select(User.id).where(User.id.in_(told), User.active)))
    seq = case.event_count
    for uid in told:
        if uid in active:
            db.session.add(
                Notification(
                    recipient_id=uid,
                    case_id=case.id,
                    kind=NotificationKind.CASE_ASSIGNED,
                    status=NotificationStatus.PENDING,
                    next_attempt_at=now,
                    idempotency_key=f"case{case.id}:ev{seq}:{NotificationKind.CASE_ASSIGNED}:{uid}",
                    data={
                        "reference": case.reference,
                        "consultant": consultant.name,
                        "consultant_email": consultant.email,
                    },
                    created_at=now,
                )
            )
    tell(told, InboxKind.CASE_ASSIGNED, now, case=case, data={"consultant": consultant.name})


__all__ = ["assign_case", "referrer_id"]

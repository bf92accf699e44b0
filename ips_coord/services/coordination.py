"""The case's coordinating professional across the sectors (tovholder): one of the professionals
named on the case (the IPS consultant, the clinician, the jobcenter caseworker), chosen at
enrolment and changed with a reason. The history keeps every change; the new one is told in the
inbox; plan actions no professional owns and overdue actions reach them (workflows/plan.py,
workflows/rules.py)."""

from __future__ import annotations

from ..clock import utcnow
from ..extensions import db
from ..models import IpsCase, User
from ..workflows.phases import HistoryEntry, InboxKind, Role
from .errors import N_, Forbidden, ServiceError
from .inbox import tell
from .records import add_case_event
from .unit_of_work import unit_of_work

MAX_REASON = 500


def candidates(case: IpsCase) -> list[User]:
    """The professionals on the case, consultant first."""
    ids = [case.consultant_id, case.psychiatry_contact_id, case.jobcenter_caseworker_id]
    users = [db.session.get(User, uid) for uid in dict.fromkeys(i for i in ids if i is not None)]
    return [u for u in users if u is not None and u.active]


def check_candidate(case: IpsCase, user_id: object) -> User:
    chosen = next((u for u in candidates(case) if u.id == user_id), None)
    if chosen is None:
        raise ServiceError(
            N_("The coordinating professional is one of the case's consultant, clinician or caseworker."),
            "coordinating_professional_id",
        )
    return chosen


def may_change(actor: User, case: IpsCase) -> bool:
    """The case's consultant, its current coordinating professional or the team's coordinator."""
    return actor.id in (case.consultant_id, case.coordinating_professional_id) or (
        actor.role == Role.COORDINATOR
        and actor.organisation_id is not None
        and actor.organisation_id == case.ips_team_id
    )


def name_coordinating_professional(case: IpsCase, actor: User, user_id: int, reason: str) -> IpsCase:
    if not may_change(actor, case):
        raise Forbidden(
            N_(
                "The case's consultant, its coordinating professional or the team's coordinator "
                "names the coordinating professional."
            )
        )
    chosen = check_candidate(case, user_id)
    reason = " ".join((reason or "").split())
    if case.coordinating_professional_id is not None and len(reason) < 3:
        raise ServiceError(N_("Say why the coordinating professional changes."), "reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(N_("At most %(n)s characters."), "reason", n=MAX_REASON)
    if chosen.id == case.coordinating_professional_id:
        raise ServiceError(
            N_("%(name)s is already the coordinating professional."), "coordinating_professional_id", name=chosen.name
        )
    now = utcnow()
    before = case.coordinating_professional_id
    with unit_of_work():
        case.coordinating_professional_id = chosen.id  # the case row's UPDATE raises its version
        add_case_event(
            case,
            event=HistoryEntry.COORDINATING_PROFESSIONAL_NAMED,
            actor=actor,
            now=now,
            reason=reason or None,
            data={"from": before, "to": chosen.id},
        )
        tell(
            [chosen.id],
            InboxKind.MESSAGE,
            now,
            case=case,
            except_id=actor.id,
            data={"text": "Du er nu tovholder for forløbet (koordinerer på tværs af sektorerne)."},
        )
    return case


__all__ = ["candidates", "check_candidate", "may_change", "name_coordinating_professional"]

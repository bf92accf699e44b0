"""The jobcenter's decisions on a case, and a running job's changed hours or pay (issue 15).

A changed job is its own step: the placement's hours and pay change, benefits counselling is
offered again (a follow-up for the consultant, counted by fidelity item 12) and the jobcenter
caseworker is told, because the benefits change - all in one transaction.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from ..clock import utcnow
from ..extensions import db
from ..models import IpsCase, Placement, User
from ..workflows.machine import Refusal
from ..workflows.phases import BenefitKind, HistoryEntry
from ..workflows.treatment import change_terms
from .errors import N_, Conflict, NotFound, ServiceError, WorkflowRefused
from .records import add_case_event, add_follow_ups, add_notifications
from .transitions import current_placement, facts_for
from .unit_of_work import unit_of_work

# Decisions that are a number of hours a week.
HOURS_KINDS = frozenset({BenefitKind.MENTOR_HOURS, BenefitKind.PERSONAL_ASSISTANCE})


def check_decision(kind: str | None, hours: float | None) -> BenefitKind | None:
    if kind in (None, ""):
        return None
    if kind not in BenefitKind.__members__.values():
        raise ServiceError(N_("Unknown kind of decision."), "kind")
    if hours is not None and (hours < 0 or hours > 80):
        raise ServiceError(N_("Hours a week must be between 0 and 80."), "hours")
    return BenefitKind(kind)


def change_job_terms(case_id: int, actor: User, *, hours_per_week: float | None, hourly_pay: float | None,
                     locale: str = "da") -> Placement:
    """New hours and/or pay for the running job (None keeps the old value)."""
    now = utcnow()
    for value, name in ((hours_per_week, "hours_per_week"), (hourly_pay, "hourly_pay")):
        if value is not None and (value < 0 or value > (80 if name == "hours_per_week" else 10_000)):
            raise ServiceError(N_("The value is out of range."), name)
    try:
        with unit_of_work():
            case = db.session.get(IpsCase, case_id)
            if case is None:
                raise NotFound(N_("No such case."))
            placement = current_placement(case)
            before = (placement.hours_per_week, placement.hourly_pay) if placement else (None, None)
            after = (hours_per_week if hours_per_week is not None else before[0],
                     hourly_pay if hourly_pay is not None else before[1])
            outcome = change_terms(facts_for(case), now, has_running_job=placement is not None,
                                   changed=after != before)
            if isinstance(outcome, Refusal) or placement is None:
                raise WorkflowRefused(outcome if isinstance(outcome, Refusal) else Refusal("no_running_job"), locale)
            placement.hours_per_week, placement.hourly_pay = after
            data: dict[str, Any] = {"placement_id": placement.id}
            row = add_case_event(case, event=HistoryEntry.JOB_TERMS_CHANGED, actor=actor, now=now, data=data)
            add_follow_ups(case, outcome.create, now, data={"placement_id": placement.id})
            key = f"case{case.id}:ev{row.seq}"
            add_notifications(case, outcome.notify, key=key, now=now,
                              data={"event_date": now.date().isoformat(), "hours_per_week": after[0]})
        return placement
    except StaleDataError:
        raise Conflict(0) from None


__all__ = ["HOURS_KINDS", "change_job_terms", "check_decision"]

"""The jobcenter's decisions on a case, and a running job's changed hours or pay.

A changed job is its own step: the placement's hours and pay change, benefits counselling is
offered again (a follow-up for the consultant, counted by fidelity item 12) and the jobcenter
caseworker is told, because the benefits change - all in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from ..clock import utcnow
from ..extensions import db
from ..models import BenefitFact, IpsCase, Placement, User
from ..workflows.machine import Refusal
from ..workflows.phases import BenefitKind, DecisionOutcome, HistoryEntry
from ..workflows.treatment import change_terms
from .case_state import current_placement, facts_for
from .errors import N_, Conflict, NotFound, ServiceError, WorkflowRefused
from .records import add_case_event, add_follow_ups, add_notifications
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


def check_outcome(outcome: str | None, on_date: date | None, next_date: date | None) -> DecisionOutcome | None:
    if outcome in (None, ""):
        outcome = None
    elif outcome not in DecisionOutcome.__members__.values():
        raise ServiceError(N_("Unknown outcome of the decision."), "outcome")
    if next_date is not None and on_date is not None and next_date < on_date:
        raise ServiceError(N_("The next date cannot be before the decision's date."), "next_date")
    return DecisionOutcome(outcome) if outcome else None


DECISION_FIELDS = ("benefit", "note", "kind", "hours", "on_date", "outcome", "next_date")


def update_decision(fact: BenefitFact, actor: User, fields: dict[str, Any]) -> BenefitFact:
    """Correct a recorded decision in place (its outcome once known, a new next date...): the
    fields given replace the old ones, the history says a decision changed."""
    values = {k: getattr(fact, k) for k in DECISION_FIELDS} | {k: v for k, v in fields.items() if k in DECISION_FIELDS}
    if not (values["benefit"] or "").strip():
        raise ServiceError(N_("Name the decision or benefit."), "benefit")
    values["kind"] = check_decision(values["kind"], values["hours"])
    values["outcome"] = check_outcome(values["outcome"], values["on_date"], values["next_date"])
    now = utcnow()
    with unit_of_work():
        case = db.session.get_one(IpsCase, fact.case_id)
        for key, value in values.items():
            setattr(fact, key, value)
        fact.updated_at, fact.updated_by_id = now, actor.id
        add_case_event(case, event=HistoryEntry.BENEFIT_RECORDED, actor=actor, now=now, reason=values["kind"])
    return fact


def change_job_terms(
    case_id: int, actor: User, *, hours_per_week: float | None, hourly_pay: float | None, locale: str = "da"
) -> Placement:
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
            after = (
                hours_per_week if hours_per_week is not None else before[0],
                hourly_pay if hourly_pay is not None else before[1],
            )
            outcome = change_terms(facts_for(case), now, has_running_job=placement is not None, changed=after != before)
            if isinstance(outcome, Refusal) or placement is None:
                raise WorkflowRefused(outcome if isinstance(outcome, Refusal) else Refusal("no_running_job"), locale)
            placement.hours_per_week, placement.hourly_pay = after
            data: dict[str, Any] = {"placement_id": placement.id}
            row = add_case_event(case, event=HistoryEntry.JOB_TERMS_CHANGED, actor=actor, now=now, data=data)
            add_follow_ups(case, outcome.create, now, data={"placement_id": placement.id})
            key = f"case{case.id}:ev{row.seq}"
            add_notifications(
                case,
                outcome.notify,
                key=key,
                now=now,
                data={"event_date": now.date().isoformat(), "hours_per_week": after[0]},
            )
        return placement
    except StaleDataError:
        raise Conflict(0) from None


__all__ = ["DECISION_FIELDS", "HOURS_KINDS", "change_job_terms", "check_decision", "check_outcome", "update_decision"]

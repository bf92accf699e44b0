"""The shared plan (fælles plan), parallel interventions, the job's supports and progress ratings.

Every change is one transaction that also writes a case event saying who wrote it: staff
(`actor`) or the citizen in their own view (`citizen`, then no staff actor). An action's due
date becomes its owner's follow-up, reminded and escalated by the sweep like any other.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from ..clock import utcnow
from ..extensions import db
from ..models import (
    Citizen,
    CitizenNote,
    FollowUp,
    IpsCase,
    ParallelIntervention,
    PlanAction,
    PlanGoal,
    ProgressRating,
    SupportChange,
    User,
)
from ..workflows.phases import ENDED, FollowUpKind, FollowUpStatus, HistoryEntry, InboxKind, Phase, Recipient
from ..workflows.plan import (
    CURRENT_INSTRUMENT,
    FOLLOW_UP_ASSIGNEE,
    SUPPORT_FIELDS,
    Instrument,
    InvalidScores,
    PlanOwner,
    SupportField,
    WrittenBy,
    action_due,
    check_scores,
    next_rating_due,
)
from .case_state import current_placement, lock_case
from .errors import N_, ServiceError
from .inbox import tell
from .records import add_case_event, recipients
from .unit_of_work import unit_of_work

MAX_TEXT = 5000


def _who(actor: User | None, citizen: Citizen | None) -> WrittenBy:
    if (actor is None) == (citizen is None):
        raise ValueError("exactly one of actor and citizen")
    return WrittenBy.CITIZEN if citizen is not None else WrittenBy.STAFF


def _text(value: str | None, field: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ServiceError(N_("Write something first."), field)
    if len(text) > MAX_TEXT:
        raise ServiceError(N_("The text is too long."), field)
    return text


def current_goal(case_id: int) -> PlanGoal | None:
    return db.session.scalar(
        select(PlanGoal).where(PlanGoal.case_id == case_id).order_by(PlanGoal.version.desc()).limit(1)
    )


def save_goal(case: IpsCase, text: str, *, actor: User | None = None, citizen: Citizen | None = None) -> PlanGoal:
    """A new version of the goals, in the citizen's own words (written by them, or by staff for them)."""
    by = _who(actor, citizen)
    text = _text(text, "text")
    now = utcnow()
    with unit_of_work():
        lock_case(case)
        latest = db.session.scalar(select(func.max(PlanGoal.version)).where(PlanGoal.case_id == case.id)) or 0
        row = PlanGoal(
            case_id=case.id,
            version=latest + 1,
            text=text,
            written_by=by,
            author_id=actor.id if actor else None,
            created_at=now,
        )
        db.session.add(row)
        add_case_event(
            case, event=HistoryEntry.PLAN_GOAL_SAVED, actor=actor, now=now, data={"by": by, "goal_version": row.version}
        )
    return row


def add_action(
    case: IpsCase,
    *,
    text: str,
    owner: str,
    due_date: date | None,
    actor: User | None = None,
    citizen: Citizen | None = None,
    network_person_id: int | None = None,
) -> PlanAction:
    by = _who(actor, citizen)
    text = _text(text, "text")
    if owner not in set(PlanOwner):
        raise ServiceError(N_("Choose who owns the action."), "owner")
    if (owner == PlanOwner.NETWORK) != (network_person_id is not None):
        # A network person owns an action only through services/network.py, which checks the consent.
        raise ServiceError(N_("Choose who owns the action."), "owner")
    now = utcnow()
    if due_date is not None and due_date < now.date():
        raise ServiceError(N_("The due date has passed."), "due_date")
    with unit_of_work():
        lock_case(case)
        row = PlanAction(
            case_id=case.id,
            text=text,
            owner=owner,
            due_date=due_date,
            written_by=by,
            created_by_id=actor.id if actor else None,
            created_at=now,
            network_person_id=network_person_id,
        )
        db.session.add(row)
        db.session.flush()
        if due_date is not None:
            due = action_due(due_date)
            assignee = recipients(case, FOLLOW_UP_ASSIGNEE[PlanOwner(owner)]) or recipients(case, Recipient.CONSULTANT)
            fu = FollowUp(
                case_id=case.id,
                kind=FollowUpKind.PLAN_ACTION,
                due_at=due.due_at,
                remind_at=max(due.remind_at, now),
                escalate_at=due.escalate_at,
                assignee_id=assignee[0] if assignee else None,
                status=FollowUpStatus.OPEN,
                data={"plan_action_id": row.id},
                created_at=now,
            )
            db.session.add(fu)
            db.session.flush()
            row.follow_up_id = fu.id
        add_case_event(
            case, event=HistoryEntry.PLAN_ACTION_ADDED, actor=actor, now=now, data={"by": by, "action_id": row.id}
        )
        if FOLLOW_UP_ASSIGNEE[PlanOwner(owner)] == Recipient.COORDINATING_PROFESSIONAL:
            # No professional owns it: the coordinating professional hears of it in the inbox
            # (the words say what happened; the action itself is read on the case page).
            tell(
                recipients(case, Recipient.COORDINATING_PROFESSIONAL),
                InboxKind.MESSAGE,
                now,
                case=case,
                except_id=actor.id if actor else None,
                source=f"plan_action:{row.id}",
                data={"text": "En handling i planen, som ingen fagperson ejer, følges op af dig som tovholder."},
            )
    return row


def complete_action(action: PlanAction, *, actor: User | None = None, citizen: Citizen | None = None) -> PlanAction:
    by = _who(actor, citizen)
    if action.done_at is not None:
        raise ServiceError(N_("The action is already done."), "done")
    now = utcnow()
    case = db.session.get_one(IpsCase, action.case_id)
    with unit_of_work():
        lock_case(case)
        action.done_at = now
        if action.follow_up_id is not None:
            fu = db.session.get(FollowUp, action.follow_up_id)
            if fu is not None and fu.status == FollowUpStatus.OPEN:
                fu.status, fu.completed_at = FollowUpStatus.DONE, now
                fu.completed_by_id = actor.id if actor else None
        add_case_event(
            case, event=HistoryEntry.PLAN_ACTION_DONE, actor=actor, now=now, data={"by": by, "action_id": action.id}
        )
    return action


def start_intervention(case: IpsCase, actor: User, *, name: str, start_date: date) -> ParallelIntervention:
    name = _text(name, "name")[:100]
    now = utcnow()
    if start_date > now.date():
        raise ServiceError(N_("The start date is in the future."), "start_date")
    with unit_of_work():
        lock_case(case)
        row = ParallelIntervention(case_id=case.id, name=name, start_date=start_date, created_by_id=actor.id)
        db.session.add(row)
        db.session.flush()
        add_case_event(
            case,
            event=HistoryEntry.INTERVENTION_STARTED,
            actor=actor,
            now=now,
            data={"by": WrittenBy.STAFF, "intervention_id": row.id},
        )
    return row


def end_intervention(row: ParallelIntervention, actor: User, *, end_date: date) -> ParallelIntervention:
    now = utcnow()
    if row.end_date is not None:
        raise ServiceError(N_("The intervention has already ended."), "end_date")
    if end_date < row.start_date:
        raise ServiceError(N_("The end date is before the start date."), "end_date")
    if end_date > now.date():
        raise ServiceError(N_("The end date is in the future."), "end_date")
    case = db.session.get_one(IpsCase, row.case_id)
    with unit_of_work():
        lock_case(case)
        row.end_date = end_date
        add_case_event(
            case,
            event=HistoryEntry.INTERVENTION_ENDED,
            actor=actor,
            now=now,
            data={"by": WrittenBy.STAFF, "intervention_id": row.id},
        )
    return row


def update_supports(case: IpsCase, actor: User, supports: dict[str, Any]) -> SupportChange:
    """The running job's supports: the placement keeps the current set, the history keeps each change."""

    if case.phase not in (Phase.EMPLOYED, Phase.IN_EDUCATION):
        raise ServiceError(N_("Supports are edited while a job or an education runs."), "phase")
    cleaned: dict[str, Any] = {}
    for key in SUPPORT_FIELDS:
        value = supports.get(key)
        if key == SupportField.MENTOR_HOURS and value not in (None, ""):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 60:
                raise ServiceError(N_("Hours a week, from 0 to 60."), key)
            cleaned[key] = value
        elif value not in (None, ""):
            if not isinstance(value, str) or len(value) > 1000:
                raise ServiceError(N_("The text is too long."), key)
            cleaned[key] = value.strip()
    now = utcnow()
    with unit_of_work():
        lock_case(case)
        placement = current_placement(case)
        if placement is None:
            raise ServiceError(N_("Supports are edited while a job or an education runs."), "phase")
        placement.supports = cleaned
        row = SupportChange(
            case_id=case.id, placement_id=placement.id, supports=cleaned, changed_by_id=actor.id, created_at=now
        )
        db.session.add(row)
        add_case_event(
            case,
            event=HistoryEntry.SUPPORTS_CHANGED,
            actor=actor,
            now=now,
            data={"by": WrittenBy.STAFF, "placement_id": placement.id},
        )
    return row


def record_rating(
    case: IpsCase,
    scores: dict[str, object],
    *,
    actor: User | None = None,
    citizen: Citizen | None = None,
    instrument: Instrument = CURRENT_INSTRUMENT,
) -> ProgressRating:
    """A progress rating by the citizen or the consultant. A consultant's rating completes the open
    reassessment and makes the next one due in 90 days."""
    by = _who(actor, citizen)
    try:
        checked = check_scores(instrument, scores)
    except InvalidScores as exc:
        if exc.unknown:
            raise ServiceError(N_("Not a dimension of this instrument."), exc.field) from None
        raise ServiceError(
            N_("Give a whole number from %(low)s to %(high)s."), exc.field, low=instrument.low, high=instrument.high
        ) from None
    now = utcnow()
    with unit_of_work():
        lock_case(case)
        row = ProgressRating(
            case_id=case.id,
            instrument=instrument.key,
            rater=by,
            author_id=actor.id if actor else None,
            scores=checked,
            rated_at=now,
            created_at=now,
        )
        db.session.add(row)
        db.session.flush()
        if actor is not None:  # staff: the consultant's rating
            for fu in db.session.scalars(
                select(FollowUp).where(
                    FollowUp.case_id == case.id,
                    FollowUp.kind == FollowUpKind.PROGRESS_RATING,
                    FollowUp.status == FollowUpStatus.OPEN,
                )
            ):
                fu.status, fu.completed_at, fu.completed_by_id = FollowUpStatus.DONE, now, actor.id
            if case.phase not in ENDED:
                due = next_rating_due(now, instrument)
                consultant = recipients(case, Recipient.CONSULTANT)
                db.session.add(
                    FollowUp(
                        case_id=case.id,
                        kind=FollowUpKind.PROGRESS_RATING,
                        due_at=due.due_at,
                        remind_at=due.remind_at,
                        escalate_at=due.escalate_at,
                        assignee_id=consultant[0] if consultant else None,
                        status=FollowUpStatus.OPEN,
                        data={"after_rating": row.id},
                        created_at=now,
                    )
                )
        add_case_event(
            case, event=HistoryEntry.PROGRESS_RATED, actor=actor, now=now, data={"by": by, "rating_id": row.id}
        )
    return row


def add_citizen_note(case: IpsCase, citizen: Citizen, text: str) -> CitizenNote:
    """ "What I want to talk about next time", from the citizen to their consultant."""
    text = _text(text, "text")
    now = utcnow()
    with unit_of_work():
        lock_case(case)
        row = CitizenNote(case_id=case.id, text=text, created_at=now)
        db.session.add(row)
        db.session.flush()
        add_case_event(case, event=HistoryEntry.CITIZEN_NOTE, actor=None, now=now, data={"by": WrittenBy.CITIZEN})
        # The consultant is told in the inbox (the words stay on the case page, not in the item).
        tell([case.consultant_id], InboxKind.CITIZEN_NOTE, now, case=case, source=f"citizen_note:{row.id}")
    return row


def record_participation(case: IpsCase, actor: User, *, agreed_on: date) -> None:
    """Participation is voluntary: the citizen's agreement to take part, recorded on their word."""
    now = utcnow()
    if agreed_on > now.date():
        raise ServiceError(N_("The date is in the future."), "agreed_on")
    with unit_of_work():
        lock_case(case)
        add_case_event(
            case,
            event=HistoryEntry.PARTICIPATION_AGREED,
            actor=actor,
            now=now,
            data={"by": WrittenBy.STAFF, "citizen_agreed": agreed_on.isoformat()},
        )


__all__ = [
    "add_action",
    "add_citizen_note",
    "complete_action",
    "current_goal",
    "end_intervention",
    "record_participation",
    "record_rating",
    "save_goal",
    "start_intervention",
    "update_supports",
]

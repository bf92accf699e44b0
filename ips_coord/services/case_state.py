"""What the services share about one case while they change it: the facts the workflow decides
on, the running placement, the case row's lock, and what logging an activity does to the open
follow-ups. Its own module so that every service can import it (phase changes, records on a
case, employers, the jobcenter's decisions) without importing each other."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import IpsCase, JobEndingReview, Placement, User
from ..workflows import CaseFacts, OpenFollowUp, on_activity
from ..workflows.phases import FollowUpKind, FollowUpStatus, HistoryEntry, Phase, PlacementType
from .errors import N_, ServiceError
from .records import add_case_event, add_follow_ups, open_follow_ups

# The placements that make a case employed or in education while they run.
RUNNING_TYPES = (PlacementType.ORDINARY_JOB, PlacementType.FLEXJOB, PlacementType.EDUCATION)


def current_placement(case: IpsCase) -> Placement | None:
    return db.session.scalar(
        select(Placement)
        .where(Placement.case_id == case.id, Placement.end_date.is_(None), Placement.type.in_(RUNNING_TYPES))
        .order_by(Placement.start_date.desc(), Placement.id.desc())
        .limit(1)
    )


def running_placement(placements: Iterable[Any]) -> Any | None:
    """current_placement's choice among a case's placements read already (a page that lists
    them all need not ask the database again)."""
    running = [p for p in placements if p.end_date is None and p.type in RUNNING_TYPES]
    return max(running, key=lambda p: (p.start_date, p.id), default=None)


def review_recorded(case: IpsCase) -> bool:
    if case.phase != Phase.JOB_ENDED:
        return False
    return (
        db.session.scalar(
            select(JobEndingReview.id)
            .where(JobEndingReview.case_id == case.id, JobEndingReview.created_at >= case.phase_changed_at)
            .limit(1)
        )
        is not None
    )


def facts_for(case: IpsCase) -> CaseFacts:
    placement = current_placement(case) if case.phase in (Phase.EMPLOYED, Phase.IN_EDUCATION) else None
    return CaseFacts(
        phase=Phase(case.phase),
        paused_from=Phase(case.paused_from) if case.paused_from else None,
        has_psychiatry_contact=case.psychiatry_contact_id is not None,
        enrolled_at=case.enrolled_at,
        first_employer_contact_at=case.first_employer_contact_at,
        last_contact_at=case.last_contact_at,
        placement_started_on=placement.start_date if placement else None,
        review_recorded=review_recorded(case),
    )


def apply_activity(case: IpsCase, activity: str, at: datetime, actor: User, now: datetime) -> None:
    # No autoflush: a query in here would otherwise write the case row (one version) before the
    # caller's other changes write it again (a second version). One write, one version.
    with db.session.no_autoflush:
        open_rows = open_follow_ups(case.id)
        outcome = on_activity(
            facts_for(case), activity, at, [OpenFollowUp(f.id, FollowUpKind(f.kind), f.due_at) for f in open_rows]
        )
        done = set(outcome.complete)
        for f in open_rows:
            if f.id in done:
                f.status = FollowUpStatus.DONE
                f.completed_at = now
                f.completed_by_id = actor.id
        add_follow_ups(case, outcome.create, now)
        for code in outcome.deviations:
            add_case_event(case, event=HistoryEntry.DEVIATION, actor=actor, now=now, reason=code)


def not_future(at: datetime, now: datetime, field: str) -> None:
    if at > now + timedelta(minutes=5):
        raise ServiceError(N_("The time cannot be in the future."), field)


def lock_case(case: IpsCase) -> None:
    """Take the case row for this transaction and re-read it (PostgreSQL: SELECT ... FOR UPDATE).

    Notes, employer contacts and reviews on one case then queue behind each other instead of
    failing the version check: they add to the record, they do not decide on a state the
    writer has read, so there is nothing to refuse. SQLite serialises writers by itself."""
    db.session.execute(select(IpsCase.id).where(IpsCase.id == case.id).with_for_update())
    db.session.refresh(case)

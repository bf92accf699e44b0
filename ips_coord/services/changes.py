"""The change log behind the change feed and the webhooks, written in the transaction of the change.

Every service writes through the ORM session in a unit of work; a session hook notes which
case records were created or updated (after each flush) and, just before the commit, appends one
`change_log` row per record, numbered from `change_counter`. The counter row's lock is held from
that moment to the commit, so positions are handed out in commit order: a reader that has seen
position N will never later find a new row below N (the feed's cursor survives restarts and
writers committing in parallel). The lock is taken last and held for one INSERT, so writers of
different cases wait for each other only for that instant; `change_log` has no foreign key, so
the INSERT takes no lock on the case a writer might hold.

Core UPDATE/INSERT statements on these tables (the demo's synthetic past, the bench generator)
are not recorded: the services write through the ORM.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, UOWTransaction

from ..clock import utcnow
from ..extensions import db
from ..models import (
    BenefitFact,
    CareerProfile,
    CaseEvent,
    ChangeCounter,
    ChangeLog,
    CitizenNote,
    Consent,
    Contact,
    EmployerContact,
    FollowUp,
    IpsCase,
    JobEndingReview,
    ParallelIntervention,
    Placement,
    PlanAction,
    PlanGoal,
    ProgressRating,
    SharedHealthInfo,
    SupportChange,
)
from ..workflows.phases import ChangeAction, ChangeKind

# Which kind of change each tracked model is.
TRACKED: dict[type, ChangeKind] = {
    IpsCase: ChangeKind.CASE,
    CaseEvent: ChangeKind.CASE_EVENT,
    Consent: ChangeKind.CONSENT,
    Contact: ChangeKind.CONTACT,
    EmployerContact: ChangeKind.EMPLOYER_CONTACT,
    Placement: ChangeKind.PLACEMENT,
    JobEndingReview: ChangeKind.REVIEW,
    ParallelIntervention: ChangeKind.INTERVENTION,
    CareerProfile: ChangeKind.CAREER_PROFILE,
    SharedHealthInfo: ChangeKind.SHARED_HEALTH_INFO,
    BenefitFact: ChangeKind.BENEFIT_FACT,
    FollowUp: ChangeKind.FOLLOW_UP,
    PlanGoal: ChangeKind.PLAN,
    PlanAction: ChangeKind.PLAN,
    SupportChange: ChangeKind.PLAN,
    ProgressRating: ChangeKind.PROGRESS,
    CitizenNote: ChangeKind.CITIZEN_NOTE,
}
_PENDING = "ips_changes"
COUNTER_ID = 1


def _case_id(obj: Any) -> int | None:
    return obj.id if isinstance(obj, IpsCase) else getattr(obj, "case_id", None)


def _note_flushed(session: Session, _ctx: UOWTransaction) -> None:
    pending: dict[tuple[ChangeKind, int], dict[str, Any]] = session.info.setdefault(_PENDING, {})
    for objects, action in ((session.new, ChangeAction.CREATED), (session.dirty, ChangeAction.UPDATED)):
        for obj in objects:
            kind = TRACKED.get(type(obj))
            if kind is None or (action is ChangeAction.UPDATED and not session.is_modified(obj)):
                continue
            case_id = _case_id(obj)
            if case_id is None or obj.id is None:
                continue  # an employer contact not about a case
            key = (kind, obj.id)
            if key not in pending:  # created and then updated in one transaction: created
                pending[key] = {"case_id": case_id, "kind": kind, "entity_id": obj.id, "action": action}


def _next_positions(session: Session, count: int) -> int:
    """Reserve `count` positions; returns the last. Locks the counter row until the commit."""
    counter = cast(Table, ChangeCounter.__table__)
    last = session.execute(
        update(counter).where(counter.c.id == COUNTER_ID).values(last=counter.c.last + count).returning(counter.c.last)
    ).scalar()
    if last is None:  # an empty database (a fresh install, a test): create the row once
        dialect = session.get_bind().dialect.name
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(counter)
        start = session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1)) or 0
        session.execute(ins.values(id=COUNTER_ID, last=start).on_conflict_do_nothing())
        last = session.execute(
            update(counter)
            .where(counter.c.id == COUNTER_ID)
            .values(last=counter.c.last + count)
            .returning(counter.c.last)
        ).scalar_one()
    return int(last)


def _append_before_commit(session: Session) -> None:
    session.flush()  # the last changes of this transaction reach _note_flushed first
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    rows = sorted(pending.values(), key=lambda r: (r["case_id"], r["kind"], r["entity_id"]))
    case_rows_written = {r["case_id"] for r in rows if r["kind"] == ChangeKind.CASE}
    _raise_versions(session, {r["case_id"] for r in rows} - case_rows_written)
    last = _next_positions(session, len(rows))
    now = utcnow()
    first = last - len(rows) + 1
    session.execute(insert(ChangeLog), [{**row, "id": first + i, "created_at": now} for i, row in enumerate(rows)])


def _raise_versions(session: Session, case_ids: set[int]) -> None:
    """Every write to a case's record raises the case's version, once per transaction (docs/api.md).
    A write that updated the case row has raised it already (the ORM's version counter); for the
    others (a step, a consent, a follow-up, the plan ...) it is raised here, in the same transaction."""
    if not case_ids:
        return
    cases = cast(Table, IpsCase.__table__)
    session.execute(update(cases).where(cases.c.id.in_(sorted(case_ids))).values(version=cases.c.version + 1))
    for obj in list(session.identity_map.values()):
        if isinstance(obj, IpsCase) and obj.id in case_ids:
            session.expire(obj, ["version"])  # the ORM's next write checks against the new version


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


def record_changes(session_cls: type[Session]) -> None:
    """Install the hooks once per process (the app factory calls this)."""
    event.listen(session_cls, "after_flush", _note_flushed)
    event.listen(session_cls, "before_commit", _append_before_commit)
    event.listen(session_cls, "after_rollback", _forget)


def last_position() -> int:
    """The newest position handed out (0 before the first change): where a new webhook starts."""
    return int(db.session.scalar(select(ChangeCounter.last).where(ChangeCounter.id == COUNTER_ID)) or 0)


__all__ = ["TRACKED", "last_position", "record_changes"]

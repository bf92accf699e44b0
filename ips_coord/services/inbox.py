"""Each staff user's in-app inbox: the events on their cases they should know.

`tell` adds items inside the caller's transaction (it never commits), so an item is written
with the change it tells of or not at all. Any service (or the worker's sweep) may tell; a new
kind is a value of InboxKind with its words in labels.INBOX_KINDS, or InboxKind.MESSAGE with
the words in data["text"]. Items carry no health data, notes or benefit facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from ..clock import utcnow
from ..extensions import db
from ..models import InboxItem, IpsCase, User
from ..workflows.phases import InboxKind
from .errors import N_, NotFound
from .unit_of_work import unit_of_work

# Kinds that gather while unread: a second share or note on the same case raises the count of the
# unread item instead of adding a look-alike one (the reader opens the case once either way).
GATHERED = frozenset({InboxKind.SHARED_WITH_YOU, InboxKind.CITIZEN_NOTE})


def tell(
    user_ids: Iterable[int | None],
    kind: InboxKind,
    now: datetime,
    *,
    case: IpsCase | None = None,
    data: dict[str, Any] | None = None,
    except_id: int | None = None,
    source: str | None = None,
) -> list[InboxItem]:
    """One item per user (each once; None and `except_id`, usually the actor, left out).

    `source` names the event told of ("shared_health_info:12"): a user is told of one event once,
    however often a caller (a retried task, a second path to the same change) tells it."""
    rows = []
    body = {**({"reference": case.reference} if case is not None else {}), **(data or {})}
    for uid in dict.fromkeys(u for u in user_ids if u is not None and u != except_id):
        earlier = (
            list(
                db.session.scalars(
                    select(InboxItem).where(
                        InboxItem.user_id == uid,
                        InboxItem.kind == kind,
                        InboxItem.case_id == (case.id if case is not None else None),
                    )
                )
            )
            if case is not None
            else []
        )
        if source is not None and any(source in (e.data or {}).get("sources", ()) for e in earlier):
            continue
        unread = next((e for e in earlier if e.read_at is None), None)
        if kind in GATHERED and unread is not None:
            old = dict(unread.data or {})
            unread.data = {
                **old,
                **body,
                "count": int(old.get("count", 1)) + 1,
                "sources": [*old.get("sources", ()), *([source] if source else [])],
            }
            unread.created_at = now
            rows.append(unread)
            continue
        row = InboxItem(
            user_id=uid,
            case_id=case.id if case is not None else None,
            kind=kind,
            data={**body, **({"sources": [source]} if source else {})},
            created_at=now,
        )
        db.session.add(row)
        rows.append(row)
    return rows


def case_staff(case: IpsCase) -> list[int | None]:
    """The people named on a case: its consultant, psychiatry contact and jobcenter caseworker."""
    return [case.consultant_id, case.psychiatry_contact_id, case.jobcenter_caseworker_id]


def unread_count_of(user_id: Any) -> Any:
    """The unread count as a scalar subquery, for a statement that reads the user anyway."""
    return (
        select(func.count())
        .select_from(InboxItem)
        .where(InboxItem.user_id == user_id, InboxItem.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user: User) -> int:
    return db.session.scalar(select(unread_count_of(user.id))) or 0


def items(user: User, limit: int = 200) -> list[InboxItem]:
    return list(
        db.session.scalars(
            select(InboxItem)
            .where(InboxItem.user_id == user.id)
            .order_by(InboxItem.created_at.desc(), InboxItem.id.desc())
            .limit(limit)
        )
    )


def mark_read(user: User, item_id: int | None = None) -> int:
    """Mark one item (or, without an id, all of them) read; another user's item is not found."""
    now = utcnow()
    with unit_of_work():
        query = update(InboxItem).where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))
        if item_id is not None:
            if (
                db.session.scalar(select(InboxItem.id).where(InboxItem.id == item_id, InboxItem.user_id == user.id))
                is None
            ):
                raise NotFound(N_("No such inbox item."), "item")
            query = query.where(InboxItem.id == item_id)
        result = db.session.execute(query.values(read_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


__all__ = ["GATHERED", "case_staff", "items", "mark_read", "tell", "unread_count"]

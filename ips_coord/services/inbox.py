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


def tell(user_ids: Iterable[int | None], kind: InboxKind, now: datetime, *, case: IpsCase | None = None,
         data: dict[str, Any] | None = None, except_id: int | None = None) -> list[InboxItem]:
    """One item per user (each once; None and `except_id`, usually the actor, left out)."""
    rows = []
    body = {**({"reference": case.reference} if case is not None else {}), **(data or {})}
    for uid in dict.fromkeys(u for u in user_ids if u is not None and u != except_id):
        row = InboxItem(user_id=uid, case_id=case.id if case is not None else None, kind=kind, data=body,
                        created_at=now)
        db.session.add(row)
        rows.append(row)
    return rows


def case_staff(case: IpsCase) -> list[int | None]:
    """The people named on a case: its consultant, psychiatry contact and jobcenter caseworker."""
    return [case.consultant_id, case.psychiatry_contact_id, case.jobcenter_caseworker_id]


def unread_count_of(user_id: Any) -> Any:
    """The unread count as a scalar subquery, for a statement that reads the user anyway."""
    return (select(func.count()).select_from(InboxItem)
            .where(InboxItem.user_id == user_id, InboxItem.read_at.is_(None)).scalar_subquery())


def unread_count(user: User) -> int:
    return db.session.scalar(select(unread_count_of(user.id))) or 0


def items(user: User, limit: int = 200) -> list[InboxItem]:
    return list(db.session.scalars(select(InboxItem).where(InboxItem.user_id == user.id)
                                   .order_by(InboxItem.created_at.desc(), InboxItem.id.desc()).limit(limit)))


def mark_read(user: User, item_id: int | None = None) -> int:
    """Mark one item (or, without an id, all of them) read; another user's item is not found."""
    now = utcnow()
    with unit_of_work():
        query = update(InboxItem).where(InboxItem.user_id == user.id, InboxItem.read_at.is_(None))
        if item_id is not None:
            if db.session.scalar(select(InboxItem.id).where(InboxItem.id == item_id,
                                                            InboxItem.user_id == user.id)) is None:
                raise NotFound(N_("No such inbox item."), "item")
            query = query.where(InboxItem.id == item_id)
        result = db.session.execute(query.values(read_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


__all__ = ["case_staff", "items", "mark_read", "tell", "unread_count"]

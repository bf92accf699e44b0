"""The change feed as one reader may see it: which changes of which cases, decided by the same
policy as every other read (relation, part, live consents at read time).

A change is shown when the reader relates to its case and may read the part its kind belongs to
(a consent change needs the consents part, a shared-health-info change the shared-health-info
part...). The reader's cursor moves past changes it may not see as well, so a page that shows
fewer items than asked is not the end; `has_more` says whether there is more to read now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..clock import local_today, utcnow
from ..extensions import db
from ..models import CaseEvent, ChangeLog, IpsCase, User
from ..models.case import case_reference
from ..workflows.phases import ChangeAction, ChangeKind, Part
from .policy import Access, access_for, case_filter, event_view

# The part of the case record each kind of change belongs to.
CHANGE_PARTS: dict[ChangeKind, Part] = {
    ChangeKind.CASE: Part.PHASE,
    ChangeKind.CASE_EVENT: Part.HISTORY,
    ChangeKind.CONSENT: Part.CONSENTS,
    ChangeKind.CONTACT: Part.CONTACT_NOTES,
    ChangeKind.EMPLOYER_CONTACT: Part.PLACEMENTS,
    ChangeKind.PLACEMENT: Part.PLACEMENTS,
    ChangeKind.REVIEW: Part.CONTACT_NOTES,
    ChangeKind.INTERVENTION: Part.PARALLEL_INTERVENTIONS,
    ChangeKind.CAREER_PROFILE: Part.CAREER_PROFILE,
    ChangeKind.SHARED_HEALTH_INFO: Part.SHARED_HEALTH_INFO,
    ChangeKind.BENEFIT_FACT: Part.BENEFIT_FACTS,
    ChangeKind.FOLLOW_UP: Part.FOLLOW_UPS,
    ChangeKind.PLAN: Part.SHARED_PLAN,
    ChangeKind.PROGRESS: Part.PROGRESS,
    ChangeKind.CITIZEN_NOTE: Part.CONTACT_NOTES,
}
MAX_SCANS = 5  # batches read for one page before it is returned short (has_more says so)


@dataclass
class FeedItem:
    cursor: int
    case_id: int
    case_reference: str
    kind: ChangeKind
    part: Part
    entity_id: int
    action: ChangeAction
    changed_at: datetime
    event: dict[str, Any] | None = None  # a case event as this reader may see it


@dataclass
class FeedPage:
    items: list[FeedItem] = field(default_factory=list)
    next_cursor: int = 0
    has_more: bool = False

    def shown(self) -> set[tuple[int, str]]:
        """(case, part) pairs shown: what the access log records."""
        return {(item.case_id, item.part) for item in self.items}


def _accesses(user: User, case_ids: Iterable[int]) -> dict[int, Access | None]:
    today = local_today(utcnow())
    cases = db.session.scalars(select(IpsCase).where(IpsCase.id.in_(set(case_ids)))).all()
    return {case.id: access_for(user, case, today) for case in cases}


def _events(rows: list[ChangeLog]) -> dict[int, CaseEvent]:
    ids = [r.entity_id for r in rows if r.kind == ChangeKind.CASE_EVENT]
    if not ids:
        return {}
    return {e.id: e for e in db.session.scalars(select(CaseEvent).where(CaseEvent.id.in_(ids)))}


def _item(row: ChangeLog, access: Access | None, events: dict[int, CaseEvent]) -> FeedItem | None:
    part = CHANGE_PARTS[row.kind]
    if access is None or not access.can_read(part):
        return None
    event = None
    if row.kind == ChangeKind.CASE_EVENT:
        found = events.get(row.entity_id)
        event = event_view(found, access) if found is not None else None
    return FeedItem(
        cursor=row.id,
        case_id=row.case_id,
        case_reference=case_reference(row.case_id),
        kind=row.kind,
        part=part,
        entity_id=row.entity_id,
        action=row.action,
        changed_at=row.created_at,
        event=event,
    )


def read_changes(user: User, since: int, limit: int, kinds: Iterable[str] | None = None) -> FeedPage:
    """Up to `limit` changes after position `since` that `user` may see, oldest first."""
    wanted = {ChangeKind(k) for k in kinds} if kinds else None
    page = FeedPage(next_cursor=since)
    query = (
        select(ChangeLog).join(IpsCase, IpsCase.id == ChangeLog.case_id).where(case_filter(user)).order_by(ChangeLog.id)
    )
    if wanted is not None:
        query = query.where(ChangeLog.kind.in_(wanted))
    batch = max(limit, 50)
    for _ in range(MAX_SCANS):
        rows = list(db.session.scalars(query.where(ChangeLog.id > page.next_cursor).limit(batch)))
        accesses, events = _accesses(user, (r.case_id for r in rows)), _events(rows)
        for row in rows:
            item = _item(row, accesses.get(row.case_id), events)
            page.next_cursor = row.id
            if item is not None:
                page.items.append(item)
                if len(page.items) == limit:
                    break
        if len(page.items) == limit or len(rows) < batch:
            break
    page.has_more = db.session.scalar(query.where(ChangeLog.id > page.next_cursor).limit(1)) is not None
    return page


__all__ = ["CHANGE_PARTS", "FeedItem", "FeedPage", "read_changes"]

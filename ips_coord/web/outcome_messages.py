"""After a step on the case page, say in words what happened and who is told (or why not)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..labels import STEP_DONE, TOLD, CodeWords
from ..models import CaseEvent, IpsCase, Notification, User
from ..workflows.phases import Event, HistoryEntry, NotificationStatus, Role

# Events after which the workflow tells the psychiatry contact (under consent where it is about work).
TELLS_PSYCHIATRY = frozenset(
    {
        Event.ENROL,
        Event.RE_ENTER,
        Event.CLOSE,
        Event.START_JOB,
        Event.START_EDUCATION,
        Event.END_JOB,
        Event.END_EDUCATION,
    }
)
ORDER = (Role.PSYCHIATRY, Role.JOBCENTER, Role.COORDINATOR, Role.IPS_CONSULTANT)


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return _("%(a)s and %(b)s", a=", ".join(words[:-1]), b=words[-1])


def what_happened(case_id: int, event: str) -> list[tuple[str, str]]:
    """(message, flash category) pairs: what was saved, who gets a message, who does not and why."""
    step_done: CodeWords = STEP_DONE
    messages = [(str(step_done.get(event, _l("Saved."))), "ok")]
    seq = db.session.scalar(
        select(CaseEvent.seq)
        .where(
            CaseEvent.case_id == case_id,
            # The step's own event: not a deviation or a consent recorded with it.
            CaseEvent.event.not_in([HistoryEntry.DEVIATION, HistoryEntry.CONSENT_RECORDED]),
        )
        .order_by(CaseEvent.seq.desc())
        .limit(1)
    )
    if seq is None:
        return messages
    roles = set(
        db.session.scalars(
            select(User.role)
            .join(Notification, Notification.recipient_id == User.id)
            .where(
                Notification.case_id == case_id,
                Notification.idempotency_key.like(f"case{case_id}:ev{seq}:%"),
                Notification.status != NotificationStatus.WITHHELD,
            )
        )
    )
    told = [str(TOLD[r]) for r in ORDER if r in roles]
    if told:
        sentence = _("%(who)s will be told.", who=_join(told))
        messages[0] = (f"{messages[0][0]} {sentence[:1].upper()}{sentence[1:]}", "ok")
    case = db.session.get(IpsCase, case_id)
    if event in TELLS_PSYCHIATRY and Role.PSYCHIATRY not in roles and case is not None:
        if case.psychiatry_contact_id is None:
            messages.append((_("Psychiatry is not told: the case has no psychiatry contact."), "warning"))
        else:
            messages.append((_("Psychiatry is not told: there is no consent."), "warning"))
    return messages

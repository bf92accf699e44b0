"""The periodic sweep: turns due database rows into work, never twice.

Every step takes its rows through the outbox engine's row lock (ips_coord/services/outbox.py:
FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional UPDATE on SQLite, whose writers are
serialised), so two sweeps running by mistake split the work instead of doubling it. Nothing is
handed to the broker inside a transaction: the sweep returns the claimed notification ids and
the caller enqueues them after commit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from ..clock import local_midnight, local_today
from ..extensions import db
from ..models import FollowUp, IpsCase, Notification, User
from ..models.case import case_reference
from ..services import outbox
from ..services.fidelity_reviews import remind_due_actions
from ..services.inbox import tell
from ..services.outbox import Claimed
from ..services.records import add_case_event, add_follow_ups, recipients
from ..workflows import FollowUpSpec
from ..workflows.constants import NO_CONTACT_AFTER
from ..workflows.phases import (
    PAUSABLE,
    Deviation,
    FollowUpKind,
    FollowUpStatus,
    HistoryEntry,
    InboxKind,
    NotificationKind,
    NotificationStatus,
    Role,
)
from ..workflows.rules import ESCALATION_NOTIFY, TO_COORDINATOR

log = logging.getLogger(__name__)
# Active and not paused: the phases in which a month without contact is flagged.
CONTACT_EXPECTED_PHASES = PAUSABLE


def requeue_stale(now: datetime) -> int:
    """End the e-mail leases older than CLAIM_TIMEOUT_SECONDS (the outbox engine's move)."""
    count = outbox.requeue_stale(outbox.EMAIL, now)
    if count:
        log.warning("stale claims: %d notifications go back to pending", count)
    return count


def claim_due_notifications(now: datetime, limit: int) -> Claimed:
    """Mark due pending e-mails queued under a new token and return their ids (committed)."""
    return outbox.claim_due(outbox.EMAIL, now, limit)


def release(claimed: Claimed) -> None:
    """The broker refused: give the rows back at once instead of waiting for the timeout."""
    outbox.release(outbox.EMAIL, claimed)


def escalate_due(now: datetime, limit: int) -> int:
    """Follow-ups past their escalation time: a case event and notifications, once each."""
    done = 0
    candidates = list(
        db.session.scalars(
            select(FollowUp.id)
            .where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.escalated_at.is_(None), FollowUp.escalate_at <= now)
            .order_by(FollowUp.escalate_at)
            .limit(limit)
        )
    )
    db.session.commit()
    for fid in candidates:
        # One transaction per follow-up: a busy case delays only its own escalation.
        try:
            fu = db.session.scalar(
                outbox.skip_locked(
                    select(FollowUp).where(
                        FollowUp.id == fid, FollowUp.status == FollowUpStatus.OPEN, FollowUp.escalated_at.is_(None)
                    )
                )
            )
            if fu is None:
                db.session.rollback()
                continue
            fu.escalated_at = now
            case = db.session.get_one(IpsCase, fu.case_id)
            add_case_event(
                case,
                event=HistoryEntry.ESCALATED,
                actor=None,
                now=now,
                reason=fu.kind,
                data={"follow_up_id": fu.id, "due_at": fu.due_at.isoformat()},
            )
            ack_for = _original_ack(fu) if fu.kind == FollowUpKind.PSYCHIATRY_ACK else None
            for who, kind in ESCALATION_NOTIFY.get(FollowUpKind(fu.kind), TO_COORDINATOR):
                for rid in recipients(case, who):
                    data: dict[str, object] = {
                        "reference": case.reference,
                        "follow_up_kind": fu.kind,
                        "due_at": fu.due_at.isoformat(),
                    }
                    asks_ack = kind == NotificationKind.ACK_REMINDER and ack_for is not None
                    if asks_ack:
                        data["ack_for"] = ack_for
                    db.session.add(
                        Notification(
                            recipient_id=rid,
                            case_id=case.id,
                            kind=kind,
                            status=NotificationStatus.PENDING,
                            next_attempt_at=now,
                            idempotency_key=f"esc:{fu.id}:{kind}:{rid}",
                            requires_ack=asks_ack,
                            data=data,
                            created_at=now,
                        )
                    )
            # In the inbox too: whoever was told, and the one the follow-up was for.
            told = [
                rid
                for who, _kind in ESCALATION_NOTIFY.get(FollowUpKind(fu.kind), TO_COORDINATOR)
                for rid in recipients(case, who)
            ]
            tell(
                [*told, fu.assignee_id],
                InboxKind.ESCALATION,
                now,
                case=case,
                data={"follow_up_kind": fu.kind, "due_at": fu.due_at.isoformat()},
            )
            db.session.commit()
            done += 1
        except StaleDataError:
            db.session.rollback()  # the case changed meanwhile; the next sweep tries again
    return done


def _original_ack(fu: FollowUp) -> int | None:
    key = fu.data.get("notification_key")
    if not key:
        return None
    return db.session.scalar(
        select(Notification.id)
        .where(
            Notification.case_id == fu.case_id,
            Notification.requires_ack.is_(True),
            Notification.idempotency_key.startswith(key + ":"),
        )
        .order_by(Notification.id)
        .limit(1)
    )


def flag_no_contact(now: datetime, limit: int) -> int:
    """Active cases without contact for 30 days get a flag (deviation) and a reminder."""
    last = func.coalesce(IpsCase.last_contact_at, IpsCase.enrolled_at)
    already = exists().where(
        FollowUp.case_id == IpsCase.id, FollowUp.kind == FollowUpKind.NO_CONTACT, FollowUp.status == FollowUpStatus.OPEN
    )
    ids = list(
        db.session.scalars(
            select(IpsCase.id)
            .where(IpsCase.phase.in_(CONTACT_EXPECTED_PHASES), last < now - NO_CONTACT_AFTER, ~already)
            .limit(limit)
        )
    )
    db.session.commit()
    flagged = 0
    for cid in ids:
        try:
            case = db.session.get_one(IpsCase, cid)
            add_follow_ups(case, [FollowUpSpec(FollowUpKind.NO_CONTACT, due_at=now, remind_at=now)], now)
            add_case_event(case, event=HistoryEntry.DEVIATION, actor=None, now=now, reason=Deviation.NO_CONTACT_30_DAYS)
            db.session.commit()
            flagged += 1
        except StaleDataError:
            db.session.rollback()
    return flagged


DIGEST_EXCLUDED = (FollowUpKind.PSYCHIATRY_ACK,)


def create_digests(now: datetime) -> int:
    """One email a day per consultant: what is due today and what is overdue."""
    if now.hour < current_app.config["DIGEST_HOUR_UTC"]:
        return 0
    today = local_today(now)  # the Copenhagen calendar day
    day = today.isoformat()
    end_of_day = local_midnight(today + timedelta(days=1))
    rows = db.session.execute(
        select(FollowUp.assignee_id, FollowUp.case_id, FollowUp.kind, FollowUp.due_at)
        .join(User, User.id == FollowUp.assignee_id)
        # Consultants get all their follow-ups; psychiatry and the jobcenter their shared-plan actions.
        .where(
            FollowUp.status == FollowUpStatus.OPEN,
            User.active,
            or_(User.role == Role.IPS_CONSULTANT, FollowUp.kind == FollowUpKind.PLAN_ACTION),
            FollowUp.kind.not_in(DIGEST_EXCLUDED),
            or_(FollowUp.due_at < end_of_day, and_(FollowUp.remind_at.is_not(None), FollowUp.remind_at <= now)),
        )
        .order_by(FollowUp.assignee_id, FollowUp.due_at, FollowUp.id)
    ).all()
    done_today = set(
        db.session.scalars(
            select(Notification.recipient_id).where(
                Notification.kind == NotificationKind.DAILY_DIGEST, Notification.idempotency_key.like(f"digest:%:{day}")
            )
        )
    )
    by_user: dict[int, list[dict[str, Any]]] = {}
    for uid, cid, kind, due in rows:
        if uid in done_today:
            continue
        by_user.setdefault(uid, []).append(
            {
                "reference": case_reference(cid),
                "case_id": cid,
                "kind": kind,
                "due_at": due.isoformat(),
                "overdue": due < now,
            }
        )
    for uid, items in by_user.items():
        db.session.add(
            Notification(
                recipient_id=uid,
                case_id=None,
                kind=NotificationKind.DAILY_DIGEST,
                status=NotificationStatus.PENDING,
                next_attempt_at=now,
                idempotency_key=f"digest:{uid}:{day}",
                data={
                    "date": day,
                    "items": items[:100],
                    "total": len(items),
                    "overdue": sum(1 for i in items if i["overdue"]),
                },
                created_at=now,
            )
        )
    try:
        db.session.commit()
    except Exception:  # noqa: BLE001 - another sweep made the same digest first (unique key)
        db.session.rollback()
        return 0
    return len(by_user)


def run_sweep(now: datetime) -> Claimed:
    """All sweep steps; returns the notification ids to hand to workers after commit."""
    batch = current_app.config["SWEEP_BATCH"]
    requeue_stale(now)
    escalate_due(now, batch)
    flag_no_contact(now, batch)
    create_digests(now)
    remind_due_actions(now, batch)  # a fidelity review's action plan: due work of the team
    return claim_due_notifications(now, batch)

"""One-click acknowledgement by psychiatry: a signed, expiring, single-use link; no login."""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..clock import utcnow
from ..extensions import db
from ..models import FollowUp, IpsCase, Notification, User
from ..services.records import add_case_event
from ..workflows.phases import FollowUpKind, FollowUpStatus


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="ips-coord-ack")


def ack_token(notification: Notification) -> str:
    target = notification.data.get("ack_for", notification.id)
    return _serializer().dumps({"n": target, "r": notification.recipient_id})


class AckError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # invalid / expired


def notification_for_token(token: str) -> Notification:
    max_age = current_app.config["ACK_LINK_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise AckError("expired") from None
    except BadSignature:
        raise AckError("invalid") from None
    row = db.session.get(Notification, data.get("n"))
    if row is None or row.recipient_id != data.get("r") or not row.requires_ack:
        raise AckError("invalid")
    return row


def acknowledge(notification: Notification, attempts: int = 3) -> bool:
    """Record the acknowledgement once; False if it was already acknowledged.

    The case row may be written at the same moment by the sweep (an escalation), so a
    version conflict is retried with fresh data instead of failing the clinician's click.
    """
    for attempt in range(attempts):
        try:
            return _acknowledge(notification)
        except StaleDataError:
            db.session.rollback()
            db.session.expire_all()
            if attempt == attempts - 1:
                raise
    return False


def _acknowledge(notification: Notification) -> bool:
    if notification.acknowledged_at is not None:
        return False
    now = utcnow()
    try:
        notification.acknowledged_at = now
        notification.acknowledged_by_id = notification.recipient_id
        case = db.session.get(IpsCase, notification.case_id)
        open_acks = db.session.scalars(
            select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == FollowUpKind.PSYCHIATRY_ACK,
                                   FollowUp.status == FollowUpStatus.OPEN)
        )
        for fu in open_acks:
            if notification.idempotency_key.startswith(fu.data.get("notification_key", "\0")):
                fu.status = FollowUpStatus.DONE
                fu.completed_at = now
                fu.completed_by_id = notification.recipient_id
        add_case_event(case, event="acknowledged", actor=db.session.get(User, notification.recipient_id), now=now,
                       reason=notification.kind, data={"notification_id": notification.id})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return True

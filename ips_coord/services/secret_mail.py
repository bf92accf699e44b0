"""Outbox rows that carry a secret: the citizen's sign-in code and invitation link, a staff
user's forgotten-password link. Written inside the caller's unit of work (never committed here),
so the secret's hash and the e-mail that carries it are stored together or not at all; the
worker delivers them like every notification, at least once (see notifications/delivery.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from ..extensions import db
from ..models import Notification
from ..sealed import seal
from ..workflows.phases import SECRET_NOTIFICATION_KINDS, NotificationKind, NotificationStatus


def queue_secret_mail(
    kind: NotificationKind,
    secret: str,
    *,
    now: datetime,
    expires_at: datetime,
    locale: str,
    recipient_id: int | None = None,
    to_address: str | None = None,
) -> Notification:
    """Add (not commit) the row: to a staff user, or to a bare address when there is none."""
    if kind not in SECRET_NOTIFICATION_KINDS or (recipient_id is None and not to_address):
        raise ValueError("a secret mail needs a secret kind and a recipient")
    row = Notification(
        recipient_id=recipient_id,
        to_address=to_address,
        case_id=None,
        kind=kind,
        status=NotificationStatus.PENDING,
        next_attempt_at=now,
        idempotency_key=f"{kind}:{uuid.uuid4().hex}",
        requires_ack=False,
        data={"sealed": seal(secret), "locale": locale, "expires_at": expires_at.isoformat()},
        created_at=now,
    )
    db.session.add(row)
    return row


__all__ = ["queue_secret_mail"]

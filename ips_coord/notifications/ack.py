"""One-click acknowledgement by psychiatry: a signed, expiring, single-use link; no login. The
token rides after "#" in the link (`/ack#<token>`), so no server or proxy log sees it.

The link is made and read here; recording the acknowledgement is `services.notifications.acknowledge`."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import Notification


def _serializer() -> URLSafeTimedSerializer:
    # Not the salt of the links that carried the token in their path: those sat in access logs,
    # so they are never accepted again (web/ack.py answers them with where to acknowledge).
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="ips-coord-ack-fragment")


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

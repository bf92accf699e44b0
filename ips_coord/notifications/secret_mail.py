"""The e-mails that carry a secret: the citizen's sign-in code and invitation link, a staff
user's forgotten-password link. They come from outbox rows (SECRET_NOTIFICATION_KINDS) like
every e-mail and carry only the code or the link, never anything about a case. The secret is
unsealed here, at build time, and goes into the message body only: never into a log line."""
from __future__ import annotations

from datetime import datetime
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate
from typing import Any

from flask import current_app
from flask_babel import force_locale

from .. import labels
from ..models import Notification, User
from ..sealed import unseal
from ..workflows.phases import NotificationKind
from .email import UTF8_QP, message_id


class SecretUnavailable(LookupError):
    """The row's secret cannot be sent: expired before delivery, or sealed under another key."""


def expired(row: Notification, now: datetime) -> bool:
    at = (row.data or {}).get("expires_at")
    return isinstance(at, str) and datetime.fromisoformat(at) <= now


def build_secret_message(row: Notification, recipient: User | None) -> MIMEText:
    data = row.data or {}
    secret = unseal(data.get("sealed") or "")
    if secret is None:
        raise SecretUnavailable("the sealed secret is missing or unreadable")
    with force_locale(data.get("locale") or (recipient.locale if recipient else None) or "da"):
        subject = str(labels.NOTIFICATION_SUBJECTS[row.kind])
        line = str(labels.NOTIFICATION_LINES[row.kind])
    body = line % {"code": secret} if row.kind == NotificationKind.CITIZEN_CODE else f"{line}\n{secret}"
    # MIMEText passes the charset to set_payload, which takes a Charset (typeshed says str only).
    msg = MIMEText(body + "\n", "plain", UTF8_QP)  # type: ignore[arg-type]  # typeshed: str only; email takes a Charset
    # typeshed types header values as str; the compat32 Message takes a Header and folds it itself.
    msg["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # typeshed: str only; email takes a Header
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = recipient.email if recipient is not None else (row.to_address or "")
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(row)
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def scrubbed(row: Notification) -> dict[str, Any]:
    """The row's data without its secret (written when the row is sent or fails)."""
    return {k: v for k, v in (row.data or {}).items() if k != "sealed"}

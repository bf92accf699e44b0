"""E-mails to citizens: the one-time sign-in code and the consultant's invitation link.

They carry only the code or the link, never anything about the case. They are sent at once,
after the code's transaction has committed (the citizen is waiting at the sign-in page), through
the same `send` as the outbox: SMTP when SMTP_HOST is set, else the instance's mailbox folder.
"""
from __future__ import annotations

import time
import uuid
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from .email import UTF8_QP, send


def _message(to: str, subject: str, body: str) -> MIMEText:
    # MIMEText passes the charset to set_payload, which takes a Charset (typeshed says str only).
    msg = MIMEText(body, "plain", UTF8_QP)  # type: ignore[arg-type]
    # typeshed types header values as str; the compat32 Message takes a Header and folds it itself.
    msg["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<citizen-{uuid.uuid4().hex}@ips-coord>"
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def _send(msg: MIMEText) -> None:
    # No outbox lease here: give the send its whole configured time.
    send(msg, time.monotonic() + current_app.config["CLAIM_TIMEOUT_SECONDS"])


def send_code(to: str, code: str, locale: str = "da") -> None:
    with force_locale(locale):
        subject = _("Your sign-in code for IPS")
        body = _("Your code is %(code)s. It works once, for 15 minutes. If you did not ask for it, ignore this e-mail.",
                 code=code)
    _send(_message(to, subject, body + "\n"))


def send_invitation(to: str, url: str, locale: str = "da") -> None:
    with force_locale(locale):
        subject = _("Your IPS consultant invites you to see your plan")
        body = _("Open this link to sign in to your own page. It works once, for 7 days:")
    _send(_message(to, subject, f"{body}\n{url}\n"))

"""Building and sending e-mails: one builder for every kind (its words: texts.py) and the SMTP
or mailbox transport. Bodies carry a case reference and links, never a diagnosis, a note or a
benefit fact: only the kind of event, dates and the reference go in."""

from __future__ import annotations

import email.policy
import hashlib
import os
import smtplib
import socket
import time
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate
from typing import TypedDict

from flask import Config, current_app
from flask_babel import force_locale

from ..models import Notification, User
from ..services.outbox import MaybeDelivered
from .failpoints import failpoint
from .texts import email_context, locale_of, render_email


def message_id(notification: Notification) -> str:
    """Stable across retries: the same notification is always the same email."""
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:32]
    return f"<{digest}@ips-coord>"


UTF8_QP = Charset("utf-8")
UTF8_QP.body_encoding = QP
SMTP_LINES = email.policy.compat32.clone(linesep="\r\n")


def build_message(notification: Notification, recipient: User | None) -> Message:
    """The e-mail for one outbox row, whatever its kind: its subject and text from the kind's
    template for the recipient (`texts.py`), in the recipient's language, sent as text and HTML.
    `recipient` is None for a row to a bare address (the citizen, a person of the network).
    Raises texts.SecretUnavailable when a secret's row can no longer be read."""
    with force_locale(locale_of(notification, recipient)):  # the labels in the context are translated too
        context = email_context(notification, recipient)
        subject, text, html = render_email(notification, recipient, context)
    # The classic MIME classes: a quarter of the CPU of EmailMessage's header registry, which
    # counts when a worker sends hundreds a second. Quoted-printable keeps the text readable.
    msg = MIMEMultipart("alternative")
    # typeshed types header values as str; the compat32 Message takes a Header and folds it itself.
    msg["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # typeshed: str only; email takes a Header
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = recipient.email if recipient is not None else (notification.to_address or "")
    if context["reply_to"]:
        msg["Reply-To"] = context["reply_to"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(notification)
    msg["Auto-Submitted"] = "auto-generated"
    # MIMEText passes the charset to set_payload, which takes a Charset (typeshed says str only).
    msg.attach(MIMEText(text, "plain", UTF8_QP))  # type: ignore[arg-type]  # typeshed: str only; email takes a Charset
    msg.attach(MIMEText(html, "html", UTF8_QP))  # type: ignore[arg-type]  # typeshed: str only; email takes a Charset
    return msg


def _to_mailbox(msg: Message) -> None:
    folder = os.path.join(current_app.instance_path, "mailbox")
    os.makedirs(folder, exist_ok=True)
    name = msg["Message-ID"].strip("<>").split("@")[0] + ".eml"
    tmp = os.path.join(folder, f".{name}.tmp")  # not *.eml until complete: readers never see half a file
    with open(tmp, "wb") as fh:
        fh.write(bytes(msg))
    os.replace(tmp, os.path.join(folder, name))  # same Message-ID, same file: never twice


def _dot_stuffed(msg: Message) -> bytes:
    raw = msg.as_bytes(policy=SMTP_LINES)  # CRLF line endings
    lines = raw.split(b"\r\n")
    body = b"\r\n".join(b"." + line if line.startswith(b".") else line for line in lines)
    return body if body.endswith(b"\r\n") else body + b"\r\n"


# One SMTP session per worker process, reused between emails: connecting, EHLO, STARTTLS and
# login cost more than sending a short message. Closed after a failure or a quiet spell.
class _Session(TypedDict, total=False):
    smtp: smtplib.SMTP
    key: tuple[str, int, int]  # host, port and the process that opened it
    used: float  # time.monotonic() of its last message


_session: _Session = {}
SESSION_IDLE_SECONDS = 30.0


def _socket(smtp: smtplib.SMTP) -> socket.socket:
    """The session's socket; smtplib drops it when the server closes the connection."""
    if smtp.sock is None:
        raise smtplib.SMTPServerDisconnected("the SMTP connection is closed")
    return smtp.sock


def _open(cfg: Config) -> smtplib.SMTP:
    smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT_SECONDS"])
    try:
        # The final "." is a small write right after the message: without this, Nagle's
        # algorithm holds it until the server's delayed ACK (~40 ms per email).
        _socket(smtp).setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        smtp.ehlo_or_helo_if_needed()
        if cfg.get("SMTP_STARTTLS"):
            smtp.starttls()
            smtp.ehlo()
        if cfg.get("SMTP_USERNAME"):
            smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def close_session() -> None:
    smtp = _session.pop("smtp", None)
    if smtp is not None:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _mail_from(cfg: Config, sender: str) -> smtplib.SMTP:
    """MAIL FROM on the kept session, or on a new one if the kept one has gone away."""
    key = (cfg["SMTP_HOST"], cfg["SMTP_PORT"], os.getpid())
    smtp = _session.get("smtp")
    if smtp is not None and (_session.get("key") != key or time.monotonic() - _session["used"] > SESSION_IDLE_SECONDS):
        close_session()
        smtp = None
    if smtp is not None:
        try:
            code, reply = smtp.mail(sender)
            if code == 250:
                return smtp
        except (OSError, smtplib.SMTPServerDisconnected):
            pass
        close_session()  # closed by the server meanwhile: one fresh try below
    smtp = _open(cfg)
    _session.update({"smtp": smtp, "key": key, "used": time.monotonic()})
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    return smtp


def send(msg: Message, claim_ends: float) -> None:
    """Send one message and return only once the server has accepted it (250 to the final
    "."). Anything else raises, and the caller may send the message again: a server discards
    a message whose "." it never got, so a second copy (with the same Message-ID) can only
    follow a "." whose 250 was lost or not recorded.

    `claim_ends` (time.monotonic()) is when the caller's lease on the row runs out: the "."
    goes out only if the wait for its reply still fits, so no other worker can take the row
    over while this one may still be told "250".
    """
    cfg = current_app.config
    if not cfg.get("SMTP_HOST"):
        _to_mailbox(msg)  # embedded default: a folder of .eml files, one per Message-ID
        return
    try:
        smtp = _mail_from(cfg, str(msg["From"]))
        code, reply = smtp.rcpt(str(msg["To"]))
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({str(msg["To"]): (code, reply)})
        code, reply = smtp.docmd("DATA")
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        smtp.send(_dot_stuffed(msg))
        if time.monotonic() + cfg["SMTP_DATA_END_TIMEOUT_SECONDS"] > claim_ends:
            raise TimeoutError("the claim would run out before the reply to the final '.'; not sent")
        failpoint("delivery.before_data_end")
        smtp.send(b".\r\n")
        _socket(smtp).settimeout(cfg["SMTP_DATA_END_TIMEOUT_SECONDS"])  # the server may take 10 minutes
        try:
            code, reply = smtp.getreply()
        except smtplib.SMTPServerDisconnected as exc:
            # No answer in time: the server may have stored it and answer later (smtplib turns
            # the timeout into a disconnect). A dropped connection is a plain failure.
            if isinstance(exc.__context__, TimeoutError):
                raise MaybeDelivered(
                    f"no answer to the final '.' within {cfg['SMTP_DATA_END_TIMEOUT_SECONDS']:g} s"
                ) from exc
            raise
        _socket(smtp).settimeout(cfg["SMTP_TIMEOUT_SECONDS"])
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
        _session["used"] = time.monotonic()
    except BaseException:
        close_session()  # the session's state is unknown: the next email starts a new one
        raise

"""The invitation a person of the citizen's network gets for a meeting: to a bare address, in the
citizen's words of consent only. It says who asked them, when and where, and whom to call; it
carries nothing about the citizen's health, treatment or benefits, and no link into the system
(the person has no account)."""
from __future__ import annotations

from datetime import datetime
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..clock import to_local
from ..models import Notification
from .email import UTF8_QP, message_id


def build_network_invitation(row: Notification) -> MIMEText:
    data = row.data or {}
    when = to_local(datetime.fromisoformat(str(data["meeting_at"])))
    with force_locale(data.get("locale") or "da"):
        subject = _("Invitation to a meeting with %(citizen)s", citizen=data.get("citizen", ""))
        lines = [
            _("%(citizen)s would like you to take part in a meeting about work or education.",
              citizen=data.get("citizen", "")),
            "",
            _("When: %(date)s at %(time)s", date=when.strftime("%d.%m.%Y"), time=when.strftime("%H.%M")),
            _("Where: %(place)s", place=data.get("place", "")),
            "",
            _("Questions: %(consultant)s, job consultant, %(phone)s.", consultant=data.get("consultant", ""),
              phone=data.get("consultant_phone") or data.get("consultant_email") or ""),
            "",
            _("You get this e-mail because %(citizen)s has agreed that you may be invited to meetings. "
              "If you do not want that, tell %(citizen)s or %(consultant)s.",
              citizen=data.get("citizen", ""), consultant=data.get("consultant", "")),
        ]
    # MIMEText passes the charset to set_payload, which takes a Charset (typeshed says str only).
    msg = MIMEText("\n".join(lines) + "\n", "plain", UTF8_QP)  # type: ignore[arg-type]  # typeshed: str only; email takes a Charset
    msg["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment]  # typeshed: str only; email takes a Header
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = row.to_address or ""
    if data.get("consultant_email"):
        msg["Reply-To"] = str(data["consultant_email"])
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(row)
    msg["Auto-Submitted"] = "auto-generated"
    return msg

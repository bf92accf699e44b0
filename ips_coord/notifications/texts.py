"""The words of every e-mail: one template per kind of message and kind of recipient, under
ips_coord/web/templates/email/<kind>/<recipient>.txt, its words in the message catalogue.

The recipient is named by its `Recipient` value (consultant, psychiatry_contact,
jobcenter_caseworker, coordinator); a kind with one wording for everyone has `<kind>/any.txt`,
and a kind without a template of its own is worded by the generic `any.txt` from
labels.NOTIFICATION_SUBJECTS/LINES. A template extends `layout` and fills two blocks, `subject`
and `body`, whose sentences are `{% trans %}` blocks (English msgids, Danish in
translations/da); the builder renders it under the recipient's locale (`force_locale`), so Danish
is the default and English is there for whoever asked for it. The one layout, `_layout.txt` and
`_layout.html`, adds what a case's mail carries around its body (greeting, acknowledge link, the
consultant's contact details, links, footer); the same template is rendered as text and as HTML,
so the two parts of the multipart e-mail never say different things.

What goes in is chosen here: the case reference, dates, staff names and contact details, links.
Never the citizen's name, a diagnosis, a note or a benefit fact (tests/db/test_email_texts.py).
The mails that carry a secret (SECRET_NOTIFICATION_KINDS: the sign-in code, the invitation and
password links) get it unsealed here, at build time, into the body only; the network's meeting
invitation goes to a person without an account and carries no link into the system.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from .. import labels
from ..clock import to_local
from ..extensions import db
from ..models import IpsCase, Notification, User
from ..sealed import unseal
from ..workflows.calendar import add_working_days, local_date
from ..workflows.constants import ACK_WORKING_DAYS
from ..workflows.phases import SECRET_NOTIFICATION_KINDS, NotificationKind, Recipient, Role
from .ack import ack_token

URL = re.compile(r"(https?://[^\s<>\"]+)")
# The template of a staff user's mail is chosen by what they are on a case.
RECIPIENT_OF_ROLE = {
    Role.IPS_CONSULTANT: Recipient.CONSULTANT,
    Role.PSYCHIATRY: Recipient.PSYCHIATRY_CONTACT,
    Role.JOBCENTER: Recipient.JOBCENTER_CASEWORKER,
    Role.COORDINATOR: Recipient.COORDINATOR,
}
# Mails that are about no case a recipient may open: only their own lines, no greeting, links or footer.
LETTER_KINDS = SECRET_NOTIFICATION_KINDS | {NotificationKind.NETWORK_INVITATION}


class SecretUnavailable(LookupError):
    """The row's secret cannot be sent: expired before delivery, or sealed under another key."""


def _as_date(value: object) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return local_date(value)
    if isinstance(value, date):
        return value
    text = str(value)
    return local_date(datetime.fromisoformat(text)) if "T" in text else date.fromisoformat(text)


def paragraphs(text: str) -> list[Markup]:
    """A text body as HTML paragraphs: escaped, line breaks kept, addresses made links."""
    out = []
    for para in re.split(r"\n\s*\n", str(text).strip()):
        if not para.strip():
            continue
        html = str(escape(str(para).strip()))
        html = URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', html).replace("\n", "<br>\n")
        out.append(Markup(html))  # noqa: S704 - escaped above; only the links made from it are markup
    return out


def locale_of(notification: Notification, recipient: User | None) -> str:
    """The row's own language (a mail to a bare address), else the recipient's; Danish by default."""
    asked = (notification.data or {}).get("locale") or (recipient.locale if recipient is not None else None)
    return str(asked) if asked in current_app.config["LANGUAGES"] else str(current_app.config["BABEL_DEFAULT_LOCALE"])


def email_context(notification: Notification, recipient: User | None) -> dict[str, Any]:
    """What the templates may say, for the row's kind and recipient (inside the recipient's locale)."""
    base = current_app.config["BASE_URL"]
    common = {
        "recipient": recipient,
        "kind": notification.kind,
        "locale": locale_of(notification, recipient),
        "home_url": base + "/",
        "paragraphs": paragraphs,
        "reply_to": None,
        "consultant": None,
        "case_mail": notification.kind not in LETTER_KINDS,
    }
    if notification.kind in LETTER_KINDS:
        return {**common, **_letter_context(notification)}
    if recipient is None:  # only the letter kinds go to a bare address
        raise LookupError(f"notification {notification.id} has no recipient")
    return {**common, **_case_context(notification, recipient, base)}


def _letter_context(notification: Notification) -> dict[str, Any]:
    data = notification.data or {}
    if notification.kind == NotificationKind.NETWORK_INVITATION:
        when = to_local(datetime.fromisoformat(str(data["meeting_at"])))
        return {
            "citizen": data.get("citizen", ""),
            "place": data.get("place", ""),
            "date": when.strftime("%d.%m.%Y"),
            "time": when.strftime("%H.%M"),
            "consultant_name": data.get("consultant", ""),
            "phone": data.get("consultant_phone") or data.get("consultant_email") or "",
            "reply_to": data.get("consultant_email") or None,
        }
    secret = unseal(data.get("sealed") or "")
    if secret is None:
        raise SecretUnavailable("the sealed secret is missing or unreadable")
    return {"code": secret} if notification.kind == NotificationKind.CITIZEN_CODE else {"link": secret}


def _case_context(notification: Notification, recipient: User, base: str) -> dict[str, Any]:
    data = notification.data or {}
    case = db.session.get(IpsCase, notification.case_id) if notification.case_id else None
    consultant = db.session.get(User, case.consultant_id) if case is not None and case.consultant_id else None
    sent_on = local_date(notification.created_at)
    meeting_to = _as_date(data.get("meeting_due"))
    meeting_from = min(sent_on + timedelta(days=1), meeting_to) if meeting_to else None
    ack_due = local_date(add_working_days(notification.created_at, ACK_WORKING_DAYS))
    follow_up = data.get("follow_up_kind") or ""
    # Psychiatry knows of its own treatment; anyone else's mailbox gets the neutral word for a
    # follow-up that tells of it (a discharge, psychiatry's acknowledgement).
    kind_label = (
        (lambda k: labels.FOLLOW_UP_KINDS.get(k, k))
        if recipient.role == Role.PSYCHIATRY
        else labels.outward_follow_up_kind
    )
    return {
        "reference": data.get("reference"),
        "consultant": consultant,
        # Psychiatry can answer the consultant directly.
        "reply_to": (consultant.email or None) if consultant is not None and consultant.id != recipient.id else None,
        "event_date": _as_date(data.get("event_date")) or sent_on,
        "sent_on": sent_on,
        "meeting_from": meeting_from,
        "meeting_to": meeting_to,
        "ack_due": ack_due,
        "education": str(notification.kind).startswith("education"),
        "early": bool(data.get("early_ending")),
        "follow_up_kind": str(kind_label(follow_up)) if follow_up else None,
        "follow_up_due": _as_date(data.get("due_at")),
        "hours": data.get("hours_per_week"),
        "items": [
            dict(i, label=str(kind_label(i["kind"])), url=f"{base}/cases/{i['case_id']}") for i in data.get("items", [])
        ],
        "total": data.get("total"),
        "overdue": data.get("overdue"),
        "date": data.get("date"),
        "case_url": f"{base}/cases/{notification.case_id}" if notification.case_id else None,
        "ack_url": f"{base}/ack#{ack_token(notification)}" if notification.requires_ack else None,
        # Admission and discharge change the case: recorded on the login'd page, never by a bare link.
        "treatment_url": (
            f"{base}/cases/{notification.case_id}/treatment"
            if notification.case_id and recipient.role == Role.PSYCHIATRY
            else None
        ),
        "generic_subject": str(labels.NOTIFICATION_SUBJECTS.get(notification.kind, labels.NOTIFICATION_FALLBACK)),
        "generic_line": str(labels.NOTIFICATION_LINES.get(notification.kind, "")),
    }


def template_names(kind: str, recipient: Recipient | None) -> list[str]:
    """The kind's template for this recipient, the kind's for anyone, the generic one."""
    own = [f"email/{kind}/{recipient}.txt"] if recipient is not None else []
    return [*own, f"email/{kind}/any.txt", "email/any.txt"]


def render_email(notification: Notification, recipient: User | None, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of the row's e-mail; call it inside force_locale(context["locale"])."""
    env = current_app.jinja_env
    kind_of = RECIPIENT_OF_ROLE.get(recipient.role) if recipient is not None else None
    template = env.select_template(template_names(notification.kind, kind_of))
    ctx = dict(context)
    current_app.update_template_context(ctx)
    subject = " ".join(template.render({**ctx, "layout": "email/_subject.txt"}).split())
    text = template.render({**ctx, "layout": "email/_layout.txt"}) + "\n"
    html = template.render({**ctx, "layout": "email/_layout.html"})
    return subject, text, html


__all__ = [
    "LETTER_KINDS",
    "RECIPIENT_OF_ROLE",
    "SecretUnavailable",
    "email_context",
    "locale_of",
    "paragraphs",
    "render_email",
    "template_names",
]

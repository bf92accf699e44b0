"""The words of each email: one template file per kind of message, kind of recipient and
language, under ips_coord/web/templates/email/<da|en>/<kind>/<role>.txt.

A template extends `layout` and fills two blocks, `subject` and `body` (plain sentences); the
layout of each language adds the greeting, the consultant's contact details, the links and the
footer, once as text and once as HTML (the same template rendered twice, so the two parts of the
multipart email never say different things). A new kind of notification needs only its files:
the lookup falls back to `<kind>/any.txt` and then to the generic `any.txt`, which words any
kind from labels.NOTIFICATION_SUBJECTS/LINES.

What goes in is chosen here: the case reference, dates, staff names and contact details, links.
Never the citizen's name, a diagnosis, a note or a benefit fact (tests/worker/test_email_texts.py).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from markupsafe import Markup, escape

from .. import labels
from ..extensions import db
from ..models import IpsCase, Notification, User
from ..workflows.calendar import add_working_days, local_date
from ..workflows.constants import ACK_WORKING_DAYS
from ..workflows.phases import Role
from .ack import ack_token

URL = re.compile(r"(https?://[^\s<>\"]+)")


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


def email_context(notification: Notification, recipient: User) -> dict[str, Any]:
    base = current_app.config["BASE_URL"]
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
    kind_label = ((lambda k: labels.FOLLOW_UP_KINDS.get(k, k)) if recipient.role == Role.PSYCHIATRY
                  else labels.outward_follow_up_kind)
    return {
        "recipient": recipient,
        "kind": notification.kind,
        "reference": data.get("reference"),
        "consultant": consultant,
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
        "items": [dict(i, label=str(kind_label(i["kind"])),
                       url=f"{base}/cases/{i['case_id']}") for i in data.get("items", [])],
        "total": data.get("total"),
        "overdue": data.get("overdue"),
        "date": data.get("date"),
        "case_url": f"{base}/cases/{notification.case_id}" if notification.case_id else None,
        "ack_url": f"{base}/ack#{ack_token(notification)}" if notification.requires_ack else None,
        # Admission and discharge change the case: recorded on the login'd page, never by a bare link.
        "treatment_url": (f"{base}/cases/{notification.case_id}/treatment"
                          if notification.case_id and recipient.role == Role.PSYCHIATRY else None),
        "home_url": base + "/",
        "generic_subject": str(labels.NOTIFICATION_SUBJECTS.get(notification.kind, labels.NOTIFICATION_FALLBACK)),
        "generic_line": str(labels.NOTIFICATION_LINES.get(notification.kind, "")),
        "paragraphs": paragraphs,
    }


def template_names(kind: str, role: str, locale: str) -> list[str]:
    return [f"email/{locale}/{kind}/{role}.txt", f"email/{locale}/{kind}/any.txt", f"email/{locale}/any.txt"]


def render_email(kind: str, role: str, locale: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) for a kind of message to a kind of recipient in a language."""
    env = current_app.jinja_env
    template = env.select_template(template_names(kind, role, locale))
    ctx = dict(context)
    current_app.update_template_context(ctx)
    subject = " ".join(template.render({**ctx, "layout": "email/_subject.txt"}).split())
    text = template.render({**ctx, "layout": f"email/{locale}/_layout.txt"})
    html = template.render({**ctx, "layout": f"email/{locale}/_layout.html"})
    return subject, text, html


__all__ = ["email_context", "paragraphs", "render_email", "template_names"]

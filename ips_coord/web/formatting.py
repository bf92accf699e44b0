"""Jinja filters that show stored values the Danish way: times in Europe/Copenhagen, dates as
23.11.2026, numbers and percentages with a decimal comma (Babel's formatters, per locale), and
the access log's and notifications' internal codes as words."""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date as _format_date
from babel.dates import format_time as _format_time
from babel.numbers import format_decimal as _format_decimal
from babel.numbers import format_percent as _format_percent
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..clock import to_local


def _locale() -> str:
    return str(get_locale() or "da")


def _date_pattern(locale: str) -> str:
    return "dd.MM.y" if locale.startswith("da") else "medium"


def local_date(value: date | datetime | str | None) -> str:
    """23.11.2026; a datetime is first moved to Copenhagen time, so 23:30 UTC is the next day.
    An ISO string (as stored in a notification's data) is read first."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = to_local(value).date()
    return _format_date(value, _date_pattern(_locale()), locale=_locale())


def local_datetime(value: datetime | None, seconds: bool = False) -> str:
    """23.11.2026 14:05 in Copenhagen time."""
    if value is None:
        return "–"
    local = to_local(value)
    time_pattern = "HH:mm:ss" if seconds else "HH:mm"
    return f"{local_date(local)} {_format_time(local, time_pattern, locale=_locale())}"


def decimal(value, digits: int = 1) -> str:
    """38,6 (at most `digits` decimals)."""
    if value is None:
        return "–"
    return _format_decimal(value, format="#,##0." + "#" * digits, locale=_locale())


def percent(value, digits: int = 1) -> str:
    """A figure already in percent (38.6) as 38,6 %."""
    if value is None:
        return "–"
    sign = "\u00a0%" if _locale().startswith("da") else "%"  # Danish: 38,6 % (a space that never wraps)
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + sign
    return _format_percent(float(value) / 100, format=pattern, locale=_locale())


# The access log's codes (ips_coord/access/audit.py, policy parts and endpoints) in words.
ACTIONS = {"read": _l("Read"), "write": _l("Changed"), "refused": _l("Refused"), "export": _l("Exported")}
PARTS = {
    "identity": _l("Name and contact details"), "phase_and_plan": _l("Phase and plan"),
    "career_profile": _l("Career profile"), "placements": _l("Jobs, education and steps"),
    "contact_notes": _l("Contacts and meetings"), "psychiatry_shared": _l("Shared by psychiatry"),
    "benefit_facts": _l("Benefit-relevant facts"), "history": _l("History"), "consents": _l("Consents"),
    "follow_ups": _l("Follow-ups"), "access_log": _l("Access log"), "export": _l("Export"),
    "case_list": _l("Case list"), "my_day": _l("My day"), "acknowledgement": _l("Acknowledgement"),
    "notification": _l("Notification"), "route": _l("Page"), "items": _l("Items"),
}
VIEWS = {
    "case_page.detail": _l("Case page"), "cases.index": _l("Case list"), "cases.home": _l("Front page"),
    "cases.access_log": _l("Access log"), "consultant.my_day": _l("My day"),
    "consultant.employer_contact": _l("Employer contact"), "consultant.log_contact_for": _l("My day"),
    "coordinator.overview": _l("Team overview"), "coordinator.reports": _l("Outcomes and fidelity"),
    "coordinator.notifications": _l("Notifications"), "privacy.index": _l("Data protection"),
    "privacy.export": _l("Export"), "case_page.new_referral": _l("Refer a citizen"), "cli": _l("Command line"),
}
NOTIFICATIONS = {
    "job_ended": _l("Job ended"), "job_started": _l("Job started"), "education_started": _l("Education started"),
    "education_ended": _l("Education ended"), "case_enrolled": _l("Enrolled in IPS"), "case_closed": _l("Case closed"),
    "early_ending": _l("Early job ending"), "escalation": _l("Escalation"),
    "ack_reminder": _l("Reminder to acknowledge"), "daily_digest": _l("Daily overview"),
}
# Field names of records shown back on the case page (the forms' own labels).
ADJUSTMENTS = {"hours": _l("Adjust hours"), "tasks": _l("Adjust tasks"), "mentor": _l("Mentor"), "aids": _l("Aids"),
               "disclosure": _l("Disclosure")}
PROFILE_LABELS = {
    "wishes_and_dreams": _l("Wishes and dreams, in the citizen's words"), "job_preferences": _l("Job preferences"),
    "work_history": _l("Work history"), "education": _l("Education"), "strengths": _l("Strengths"),
    "support_needs": _l("Support needs"), "disclosure": _l("Disclosure to the employer"),
    "relatives_involved": _l("Relatives and network involved"),
}
# The reports' metric definitions (ips_coord/reports/outcomes.py METRICS) by key.
METRIC_NAMES = {
    "ipsec-v1": _l("IPS Employment Center employment rate"),
    "grow-2024": _l("IPS Grow employment rate (from April 2024)"),
}
DISCLOSURE = {"undecided": _l("Undecided"), "full": _l("Full"), "partial": _l("Partial"), "none": _l("None")}
OUTCOMES = {"403": _l("Forbidden"), "404": _l("Not found")}


def _labelled(table: dict, value) -> str:
    if value is None:
        return "–"
    key = str(value)
    if key in table:
        return str(table[key])
    if "." in key:  # an endpoint without its own word: the area it belongs to
        area = key.split(".", 1)[0]
        if area.startswith("api"):
            return str(_l("API"))
        return str(AREAS.get(area, _l("Page")))
    return key.replace("_", " ")


# Blueprints by the area a person knows them as.
AREAS = {"case_page": _l("Case page"), "cases": _l("Case list"), "consultant": _l("My day"),
         "coordinator": _l("Team overview"), "privacy": _l("Data protection"), "ack": _l("Acknowledgement"),
         "auth": _l("Log in")}
# What a refused request tried to reach ("case 12", as the access log stores it).
TARGETS = {"case": _l("case"), "citizen": _l("citizen"), "follow-up": _l("follow-up"), "consent": _l("consent"),
           "notification": _l("notification"), "into-case": _l("case")}


def target_label(value) -> str:
    if not value:
        return "–"
    kind, _sep, ident = str(value).partition(" ")
    return f"{TARGETS[kind]} {ident}" if kind in TARGETS else str(value)


def reason_label(code) -> str:
    """A close or end reason or a deviation code from the history, in words."""
    if code is None:
        return "–"
    from ..workflows.messages import DEVIATIONS, text
    from .case_forms import CLOSE_REASONS, END_REASONS

    for choice in (*CLOSE_REASONS, *END_REASONS):
        if choice.value == code:
            return str(choice.label)
    if code in DEVIATIONS:
        return text(DEVIATIONS, code, _locale()[:2])
    return str(code).replace("_", " ")


def metric_name(metric) -> str:
    return str(METRIC_NAMES.get(metric.key, metric.name))


def register_formatting(app) -> None:
    app.jinja_env.filters.update({
        "local_date": local_date, "local_datetime": local_datetime, "decimal": decimal, "percent": percent,
        "action_label": lambda v: _labelled(ACTIONS, v), "part_label": lambda v: _labelled(PARTS, v),
        "view_label": lambda v: _labelled(VIEWS, v), "notification_label": lambda v: _labelled(NOTIFICATIONS, v),
        "outcome_label": lambda v: _labelled(OUTCOMES, v), "reason_label": reason_label,
        "metric_name": metric_name, "target_label": target_label,
    })

"""Jinja filters that show stored values the Danish way: times in Europe/Copenhagen, dates as
23.11.2026, numbers and percentages with a decimal comma (Babel's formatters, per locale), and
the access log's and notifications' internal codes as words."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import format_date as _format_date
from babel.dates import format_time as _format_time
from flask import Flask, g
from jinja2 import pass_context
from jinja2.runtime import Context

from .. import labels
from ..clock import to_local
from ..i18n import current_locale, decimal, percent
from ..reports.outcomes import Metric


class Words(Mapping[str, str]):
    """A labels table for one rendering: each word translated the first time it is shown, then
    reused. A long history or list shows the same few event names, phases and kinds hundreds of
    times, and every lazy string shown is a catalogue lookup through the request's context."""

    __slots__ = ("_said", "_table")

    def __init__(self, table: Mapping[Any, object]) -> None:  # keyed by a StrEnum: its codes look it up
        self._table = table
        self._said: dict[str, str] = {}

    def __getitem__(self, key: str) -> str:
        said = self._said.get(key)
        if said is None:
            said = self._said[key] = str(self._table[key])
        return said

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def __iter__(self):
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)


def _locale_name() -> str:
    """The rendering's locale name, kept on Flask-Babel's request context next to the locale it
    names: a list shows a date per row, and each get_locale() and str(Locale) is a few context
    lookups. A forced locale (an e-mail in the recipient's language) is another Locale object."""
    ctx = g.get("_flask_babel") if g else None
    locale = getattr(ctx, "babel_locale", None)
    if ctx is None or locale is None:
        return current_locale()
    said = getattr(ctx, "ips_locale_name", None)
    if said is None or said[0] is not locale:
        said = ctx.ips_locale_name = (locale, str(locale))
    return said[1]


def _date_pattern(locale: str) -> str:
    return "dd.MM.y" if locale.startswith("da") else "medium"


def local_date(value: date | datetime | str | None, locale: str | None = None) -> str:
    """23.11.2026; a datetime is first moved to Copenhagen time, so 23:30 UTC is the next day.
    An ISO string (as stored in a notification's data) is read first. `locale`: the
    rendering's, when the caller has it (a page's filters take it from the page's context)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = to_local(value).date()
    locale = locale or _locale_name()
    return _date_text(value, _date_pattern(locale), locale)


@lru_cache(maxsize=4096)
def _date_text(value: date, pattern: str, locale: str) -> str:
    """Babel's formatting of a day, made once per day, pattern and language: lists show the
    same few days over and over, and each formatting costs more than the rest of its row."""
    return _format_date(value, pattern, locale=locale)


def local_datetime(value: datetime | None, seconds: bool = False, locale: str | None = None) -> str:
    """23.11.2026 14:05 in Copenhagen time."""
    if value is None:
        return "–"
    local = to_local(value)
    time_pattern = "HH:mm:ss" if seconds else "HH:mm"
    locale = locale or _locale_name()
    return f"{local_date(local, locale)} {_format_time(local, time_pattern, locale=locale)}"


# Every rendered page's context carries the rendering's locale name under this name, looked up
# once per render: the date filters run once per row of a list.
RENDER_LOCALE = "_ips_locale"


@pass_context
def _page_date(context: Context, value: date | datetime | str | None) -> str:
    return local_date(value, context.get(RENDER_LOCALE))


@pass_context
def _page_datetime(context: Context, value: datetime | None, seconds: bool = False) -> str:
    return local_datetime(value, seconds, context.get(RENDER_LOCALE))


def _labelled(table: Mapping[Any, object], value: object) -> str:
    if value is None:
        return "–"
    key = str(value)
    if key in table:
        return str(table[key])
    if "." in key:  # an endpoint without its own word: the area it belongs to
        area = key.split(".", 1)[0]
        if area.startswith("api"):
            return str(labels.API_AREA)
        return str(labels.ENDPOINT_AREAS.get(area, labels.ENDPOINT_AREAS["page"]))
    return key.replace("_", " ")


def target_label(value: str | None) -> str:
    """What a refused request tried to reach ("case 12", as the access log stores it), in words."""
    if not value:
        return "–"
    kind, _sep, ident = str(value).partition(" ")
    return f"{labels.REFUSAL_TARGETS[kind]} {ident}" if kind in labels.REFUSAL_TARGETS else str(value)


def reason_label(code: str | None) -> str:
    """A close or end reason or a deviation code from the history, in words."""
    if code is None:
        return "–"
    tables: tuple[labels.CodeWords, ...] = (
        labels.CLOSE_REASONS,
        labels.FORBIDDEN_CLOSE_REASONS,
        labels.END_REASONS,
        labels.DEVIATIONS,
        labels.BENEFIT_KINDS,
        labels.NOTIFICATION_KINDS,
    )
    for table in tables:  # an acknowledgement names what it answers (NOTIFICATION_KINDS)
        if code in table:
            return str(table[code])
    return str(code).replace("_", " ")


def metric_name(metric: Metric) -> str:
    return str(labels.METRIC_NAMES.get(metric.key, metric.name))


def quarter_label(quarter: str, two_lines: bool = False) -> str:
    """ "2026-Q4" as "4. kvt. 2026" (Danish) or "Q4 2026"; for a chart's axis "K4" over "2026"."""
    from flask_babel import gettext as _

    year, _sep, q = quarter.partition("-Q")
    if two_lines:
        return f"{_('Q%(q)s', q=q)}\n{year}"
    return _("Q%(q)s %(year)s", q=q, year=year)


def register_formatting(app: Flask) -> None:
    app.context_processor(lambda: {RENDER_LOCALE: _locale_name()})
    app.jinja_env.filters.update(
        {
            "local_date": _page_date,
            "local_datetime": _page_datetime,
            "decimal": decimal,
            "percent": percent,
            "action_label": lambda v: _labelled(labels.ACCESS_ACTIONS, v),
            "part_label": lambda v: _labelled(labels.ACCESS_PARTS, v),
            "view_label": lambda v: _labelled(labels.ENDPOINTS, v),
            "notification_label": lambda v: _labelled(labels.NOTIFICATION_KINDS, v),
            "outcome_label": lambda v: _labelled(labels.REFUSAL_OUTCOMES, v),
            "reason_label": reason_label,
            "metric_name": metric_name,
            "target_label": target_label,
            "quarter_label": quarter_label,
        }
    )

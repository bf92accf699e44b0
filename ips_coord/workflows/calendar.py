"""Danish working days (plain Python: no Flask). Times are stored in UTC; days are counted on
the Copenhagen calendar, and Danish public holidays (the `holidays` package) are not working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _danish_holidays(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The same Copenhagen wall-clock time `days` working days later, returned in UTC.

    A deadline set on a Friday at 14:00 with 2 working days falls on Tuesday at 14:00
    Copenhagen time, across a daylight-saving change and past Easter, Christmas and so on."""
    aware = start if start.tzinfo else start.replace(tzinfo=UTC)
    local = aware.astimezone(COPENHAGEN)
    day = local.date()
    added = 0
    while added < days:
        day += timedelta(days=1)
        if is_working_day(day):
            added += 1
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=COPENHAGEN)
    return wall.astimezone(UTC)


def local_date(moment: datetime) -> date:
    """The Copenhagen calendar date of a UTC moment."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(COPENHAGEN).date()

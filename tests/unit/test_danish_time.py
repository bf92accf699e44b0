"""Danish time: days are counted on the Copenhagen calendar across both daylight-saving changes,
Danish public holidays are not working days, and dates and numbers are shown the Danish way."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from ips_coord.clock import local_midnight, local_today, to_local
from ips_coord.workflows.calendar import add_working_days, is_working_day, local_date


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_public_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 4, 2))  # Maundy Thursday
    assert not is_working_day(date(2026, 4, 3))  # Good Friday
    assert not is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not is_working_day(date(2026, 5, 14))  # Ascension Day
    assert not is_working_day(date(2026, 12, 25)) and not is_working_day(date(2026, 12, 26))
    assert not is_working_day(date(2026, 11, 28))  # a Saturday
    assert is_working_day(date(2026, 11, 23))  # a Monday


def test_two_working_days_skip_easter():
    # Wednesday 1 April 2026, 10:00 in Copenhagen (08:00 UTC, summer time): Thursday to Monday are holidays
    # or the weekend, so the deadline is Wednesday 8 April at 10:00 Copenhagen time.
    assert add_working_days(utc(2026, 4, 1, 8), 2) == utc(2026, 4, 8, 8)


def test_two_working_days_skip_christmas():
    # Wednesday 23 December 2026, 14:00 Copenhagen: 24th (Thu) counts, 25th-27th do not, Monday 28th.
    assert add_working_days(utc(2026, 12, 23, 13), 2) == utc(2026, 12, 28, 13)


def test_spring_forward_keeps_the_copenhagen_wall_clock():
    # Friday 27 March 2026 at 16:00 Copenhagen (15:00 UTC, winter time); clocks go forward on Sunday 29 March.
    # Two working days later is Tuesday 31 March at 16:00 Copenhagen = 14:00 UTC (summer time).
    due = add_working_days(utc(2026, 3, 27, 15), 2)
    assert due == utc(2026, 3, 31, 14)
    assert to_local(due).hour == 16


def test_fall_back_keeps_the_copenhagen_wall_clock():
    # Friday 23 October 2026 at 09:00 Copenhagen (07:00 UTC); clocks go back on Sunday 25 October.
    due = add_working_days(utc(2026, 10, 23, 7), 2)
    assert due == utc(2026, 10, 27, 8)
    assert to_local(due).hour == 9


def test_late_evening_utc_is_already_tomorrow_in_copenhagen():
    # 23:30 UTC on 22 November (winter) is 00:30 on 23 November in Copenhagen.
    assert local_date(utc(2026, 11, 22, 23, 30)) == date(2026, 11, 23)
    assert local_today(utc(2026, 11, 22, 23, 30)) == date(2026, 11, 23)
    # 22:30 UTC on 30 June (summer) is 00:30 on 1 July.
    assert local_date(utc(2026, 6, 30, 22, 30)) == date(2026, 7, 1)


@pytest.mark.parametrize(
    "day,utc_start",
    [
        (date(2026, 1, 15), utc(2026, 1, 14, 23)),  # winter: UTC+1
        (date(2026, 7, 15), utc(2026, 7, 14, 22)),  # summer: UTC+2
        (date(2026, 3, 29), utc(2026, 3, 28, 23)),  # the spring-forward day begins in winter time
        (date(2026, 10, 25), utc(2026, 10, 24, 22)),  # the fall-back day begins in summer time
    ],
)
def test_a_copenhagen_day_begins_at_local_midnight(day, utc_start):
    assert local_midnight(day) == utc_start


def test_dates_times_and_numbers_are_shown_the_danish_way(app):
    from ips_coord.web.formatting import decimal, local_datetime, percent
    from ips_coord.web.formatting import local_date as show_date

    with app.test_request_context("/?lang=da"):
        assert show_date(date(2026, 11, 23)) == "23.11.2026"
        assert show_date(utc(2026, 11, 22, 23, 30)) == "23.11.2026"  # Copenhagen's day, not UTC's
        assert local_datetime(utc(2026, 7, 1, 12, 5)) == "01.07.2026 14:05"  # summer time
        assert local_datetime(utc(2026, 1, 1, 12, 5)) == "01.01.2026 13:05"  # winter time
        assert percent(38.6) == "38,6\u00a0%"
        assert decimal(1234.5) == "1.234,5"
    with app.test_request_context("/?lang=en"):
        assert percent(38.6) == "38.6%"


def test_a_figure_in_a_report_message_is_shown_in_the_readers_format(app):
    """reports/ build msgids with their numbers (no Babel there); the page formats the numbers."""
    from ips_coord.i18n import translate
    from ips_coord.text import Figure, Text

    message = Text("%(p)s of contacts in the community", p=Figure(41.66, digits=0, percent=True))
    assert str(message) == "42% of contacts in the community"  # logs and tests: plain digits
    per_week = Text("%(n)s face-to-face employer contacts per consultant per week (last 4 weeks)", n=Figure(4.25))
    with app.test_request_context("/?lang=da"):
        assert translate(message) == "42\u00a0% af kontakterne ude i samfundet"
        assert translate(per_week).startswith("4,2 ")
    with app.test_request_context("/?lang=en"):
        assert translate(message) == "42% of contacts in the community"
        assert translate(per_week).startswith("4.2 ")

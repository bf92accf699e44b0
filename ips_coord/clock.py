"""One injectable clock, so every deadline can be tested.

All times are timezone-aware UTC. Tests (and the demo) replace the app's clock with a
FrozenClock and move it forward.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def system_epoch() -> float:
    """The system's wall clock in epoch seconds, for libraries that keep their own time (the rate
    limiter's windows): the app's clock may be frozen or moved in tests, theirs never is."""
    return time.time()


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    def __init__(self, at: datetime):
        self._at = at if at.tzinfo else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta) -> datetime:
        self._at += timedelta(**delta)
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=UTC)


class FileClock(Clock):
    """Reads the time from a file, so tests can move time for separate worker processes.

    An empty or missing file means the system clock. Never used in production.
    """

    def __init__(self, path: str):
        self.path = path

    def now(self) -> datetime:
        try:
            with open(self.path) as fh:
                raw = fh.read().strip()
        except FileNotFoundError:
            raw = ""
        return datetime.fromisoformat(raw) if raw else datetime.now(UTC)

    def set(self, at: datetime) -> None:
        with open(self.path + ".tmp", "w") as fh:
            fh.write(at.isoformat())
        os.replace(self.path + ".tmp", self.path)  # atomic: a reader never sees half a time

    def advance(self, **delta) -> datetime:
        at = self.now() + timedelta(**delta)
        self.set(at)
        return at


def utcnow() -> datetime:
    """The current app's clock, or the system clock outside an app."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.extensions["ips_clock"].now()
    return datetime.now(UTC)


# Times are stored in UTC; every day, week and due date a person sees is Danish local time.
LOCAL_TZ_NAME = "Europe/Copenhagen"


def local_tz() -> ZoneInfo:
    return ZoneInfo(LOCAL_TZ_NAME)


def to_local(value: datetime) -> datetime:
    """A stored UTC time (naive means UTC) as Copenhagen wall-clock time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(local_tz())


def local_midnight(day: date) -> datetime:
    """The UTC instant at which a Copenhagen calendar day begins (23:00 or 22:00 UTC the day before)."""
    return datetime.combine(day, datetime.min.time(), tzinfo=local_tz()).astimezone(UTC)


def local_today(now: datetime | None = None) -> date:
    """Today's date in Copenhagen."""
    return to_local(now or utcnow()).date()

"""Sign-in limits keyed by what was typed, not by the account it names.

Every key is the SHA-256 of a scope and the e-mail address typed (and, where it says so, the
client's address), so an address that is on record and one that is not are counted alike and
answered alike: the status sequence tells an attacker nothing. The counts live in the database
(`login_throttle`) and follow the injectable clock.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import LoginThrottle
from .errors import ServiceError
from .unit_of_work import unit_of_work


class Throttled(ServiceError):
    """Too many attempts under a key: try again at `until`."""

    status = 429

    def __init__(self, message: str, field: str | None, until: datetime, **params: object):
        super().__init__(message, field, **params)
        self.until = until


def key(scope: str, email: str, address: str = "") -> str:
    typed = " ".join((email or "").split()).lower()
    return hashlib.sha256(f"{scope}\n{typed}\n{address}".encode()).hexdigest()


def _row(name: str, now: datetime, window: timedelta) -> LoginThrottle:
    """Inside a unit of work: the key's row, locked, with a fresh window once the last has passed."""
    row = db.session.get(LoginThrottle, name, with_for_update=True)
    if row is None:
        row = LoginThrottle(key=name, count=0, window_start=now, wait_until=None)
        db.session.add(row)
    elif row.window_start <= now - window:
        row.count, row.window_start, row.wait_until = 0, now, None
    return row


def count(name: str, now: datetime, window: timedelta) -> int:
    """How many the key holds in its current window."""
    row = db.session.get(LoginThrottle, name)
    return 0 if row is None or row.window_start <= now - window else row.count


def window_end(name: str, now: datetime, window: timedelta) -> datetime:
    row = db.session.get(LoginThrottle, name)
    return now if row is None else row.window_start + window


def waiting_until(name: str, now: datetime) -> datetime | None:
    row = db.session.get(LoginThrottle, name)
    return row.wait_until if row is not None and row.wait_until is not None and row.wait_until > now else None


def add(
    name: str,
    now: datetime,
    window: timedelta,
    *,
    free: int | None = None,
    delay: timedelta | None = None,
    max_delay: timedelta | None = None,
) -> int:
    """One more under the key; the new count. With `free` and `delay`, every one past `free` makes
    the key wait `delay`, doubling per further one up to `max_delay` (or to the window's end)."""
    for attempt in (1, 2):  # two first failures at once: the second finds the first's row
        try:
            with unit_of_work():
                row = _row(name, now, window)
                row.count += 1
                if free is not None and row.count > free:
                    over = row.count - free - 1
                    wait = delay * 2 ** min(over, 20) if delay is not None else window
                    row.wait_until = now + min(wait, max_delay or window)
                return row.count
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def clear(*names: str) -> None:
    with unit_of_work():
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(names)))


def prune(now: datetime, older_than: timedelta = timedelta(days=2)) -> int:
    """Forget keys whose window (the longest is a day) and wait are long over; the daily
    housekeeping calls it, so the table holds only the last days' attempts."""
    with unit_of_work():
        result = db.session.execute(
            delete(LoginThrottle).where(
                LoginThrottle.window_start < now - older_than,
                (LoginThrottle.wait_until.is_(None)) | (LoginThrottle.wait_until < now),
            )
        )
    return int(getattr(result, "rowcount", 0) or 0)

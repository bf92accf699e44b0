"""The CPR number (personnummer): parsing by the CPR Office's rules, masking, synthetic numbers.

Ten digits, DDMMYY-SSSS. The date part must be a real calendar date; the century follows from
the 7th digit and the year (the CPR Office's table, below). The modulus-11 check is only a
warning: numbers issued since 1 October 2007 need not pass it. Storage (sealed, with a keyed
hash beside it) is in sealed.py; nothing here stores or logs a number.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date

_SHAPE = re.compile(r"^\s*(\d{6})-?(\d{4})\s*$")
_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


class InvalidCpr(ValueError):
    """The text is not a CPR number; the message says why, without repeating the number."""


@dataclass(frozen=True)
class Cpr:
    digits: str  # ten digits, no hyphen
    birth_date: date
    modulus11_ok: bool

    @property
    def masked(self) -> str:
        return mask(self.digits)

    @property
    def formatted(self) -> str:
        return f"{self.digits[:6]}-{self.digits[6:]}"


def century(seventh: int, yy: int) -> int:
    """The century of the birth year by the CPR Office's rule for the 7th digit."""
    if seventh <= 3:
        return 1900
    if seventh in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800  # 5-8


def modulus11(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) % 11 == 0


def parse(text: str) -> Cpr:
    """A CPR number from what a person typed (with or without the hyphen), or InvalidCpr."""
    match = _SHAPE.match(text or "")
    if match is None:
        raise InvalidCpr("A CPR number has ten digits (DDMMYY-SSSS).")
    digits = match.group(1) + match.group(2)
    dd, mm, yy, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    try:
        born = date(century(seventh, yy) + yy, mm, dd)
    except ValueError:
        raise InvalidCpr("The first six digits of a CPR number must be a date (DDMMYY).") from None
    return Cpr(digits, born, modulus11(digits))


def mask(digits: str) -> str:
    """DDMMYY-****: the date part only (what staff see unless they ask, an audited act)."""
    return f"{digits[:6]}-****"


def synthetic(rng: random.Random) -> str:
    """A number for the demo and the bench that cannot belong to a real person: its birth date
    lies in 2050-2057 (7th digit 5-8, which the century rule reads as 20xx for years 00-57),
    decades after today, so the CPR Office has issued no such number. It passes the date check,
    so the application treats it like any other."""
    while True:
        born = date(rng.randint(2050, 2057), rng.randint(1, 12), rng.randint(1, 28))
        digits = f"{born:%d%m%y}{rng.randint(5, 8)}{rng.randint(0, 999):03d}"
        if parse(digits).birth_date.year >= 2050:
            return digits

"""The citizen's CPR number: set, compared and rotated here only (sealed at rest, keyed hash beside it).

Nothing in this module logs a number or puts one in an error message; a refused number is
named by its field only.
"""

from __future__ import annotations

from sqlalchemy import select

from .. import cpr as cpr_rules
from ..extensions import db
from ..models import Citizen
from ..sealed import cpr_hmac, open_cpr, reseal_cpr, seal_cpr
from .errors import N_, ServiceError
from .unit_of_work import unit_of_work


def parse_cpr(text: str | None, field: str = "cpr") -> cpr_rules.Cpr | None:
    """The number a person typed, or None for an empty field; ServiceError naming the field."""
    if text is None or not str(text).strip():
        return None
    try:
        return cpr_rules.parse(str(text))
    except cpr_rules.InvalidCpr:
        raise ServiceError(
            N_("Not a CPR number: ten digits, the first six a date (DDMMYY), with or without a hyphen."), field
        ) from None


def put_cpr(citizen: Citizen, digits: str | None) -> None:
    """Seal the number onto the citizen (inside the caller's unit of work); None removes it."""
    citizen.cpr_encrypted = seal_cpr(digits) if digits else None
    citizen.cpr_hmac = cpr_hmac(digits) if digits else None


def set_cpr(citizen: Citizen, text: str | None) -> bool:
    """Record (or clear) the citizen's CPR number. True if the number fails the modulus-11 check:
    a warning only, since numbers issued since 2007 need not pass it."""
    number = parse_cpr(text)
    with unit_of_work():
        put_cpr(citizen, number.digits if number else None)
    return number is not None and not number.modulus11_ok


def citizens_with_cpr(digits: str) -> list[int]:
    """Ids of citizens with exactly this number, found through the keyed hash (no row is opened)."""
    return list(db.session.scalars(select(Citizen.id).where(Citizen.cpr_hmac == cpr_hmac(digits))))


def cpr_of(citizen: Citizen) -> str | None:
    return open_cpr(citizen.cpr_encrypted)


def rotate_cpr_keys() -> int:
    """Re-seal every number under the first configured key (the rotation's second step)."""
    count = 0
    with unit_of_work():
        for citizen in db.session.scalars(select(Citizen).where(Citizen.cpr_encrypted.is_not(None))):
            if citizen.cpr_encrypted:
                citizen.cpr_encrypted = reseal_cpr(citizen.cpr_encrypted)
                count += 1
    return count

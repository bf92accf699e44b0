"""Finding a citizen: by name, case number (IPS-000121), phone or full CPR number (exact, through
its keyed hash: no row is decrypted), only among the cases the user
may see (`case_filter`). Reads only; the caller logs what it shows (a read of the identity).

One statement: the user's cases (an index range on team, consultant, clinician or caseworker)
joined to their citizens, filtered by what was typed. At 100,000 cases a team holds ~1,000, so
the filter runs over a small range (bench/search.py; the figures are in bench/README.md).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select

from .. import cpr as cpr_rules
from ..extensions import db
from ..models import Citizen, IpsCase, User
from ..models.case import case_reference, citizen_name_key, citizen_phone_key
from ..sealed import cpr_hmac
from ..validation import record_id
from ..workflows.phases import Phase
from .policy import case_filter

MAX_RESULTS = 50
# "IPS-000121", "ips 121", "IPS121": a case number. Digits alone may be a case number or a phone.
_REFERENCE = re.compile(r"^\s*ips[\s-]*0*([0-9]{1,9})\s*$", re.IGNORECASE)
_DIGITS = re.compile(r"[0-9]+")  # ASCII: str.isdigit() also takes "²", which int() refuses
_PHONE_CHARS = re.compile(r"[\s+\-().]")
_MIN_PHONE_DIGITS = 4  # fewer digits than this match too many numbers to be a search


@dataclass(frozen=True)
class Found:
    case_id: int
    reference: str
    name: str
    phone: str | None
    municipality: str | None
    phase: Phase
    consultant: str | None


def _matches(query: str) -> ColumnElement[bool] | None:
    """The WHERE clause for what was typed, or None for nothing searchable."""
    query = " ".join(query.split())[:100]
    if not query:
        return None
    if m := _REFERENCE.match(query):
        return IpsCase.id == int(m.group(1))
    digits = _PHONE_CHARS.sub("", query)
    if _DIGITS.fullmatch(digits):
        clauses = [IpsCase.id == case_id] if (case_id := record_id(digits)) is not None else []
        if len(digits) == 10:
            with contextlib.suppress(cpr_rules.InvalidCpr):
                clauses.append(Citizen.cpr_hmac == cpr_hmac(cpr_rules.parse(digits).digits))
        if len(digits) >= _MIN_PHONE_DIGITS:
            clauses.append(citizen_phone_key().contains(digits, autoescape=True))
        return or_(*clauses) if clauses else None
    # A name: every word typed is part of the first or the last name, in any order and case.
    return and_(*(citizen_name_key().contains(word.lower(), autoescape=True) for word in query.split()))


def search_cases(user: User, query: str, limit: int = MAX_RESULTS) -> list[Found]:
    """The user's cases whose citizen or number matches `query`, by name, at most `limit`."""
    where = _matches(query)
    if where is None:
        return []
    consultant = User.__table__.alias("consultant")
    rows = db.session.execute(
        select(
            IpsCase.id,
            Citizen.first_name,
            Citizen.last_name,
            Citizen.phone,
            Citizen.municipality,
            IpsCase.phase,
            consultant.c.name,
        )
        .join(Citizen, Citizen.id == IpsCase.citizen_id)
        .outerjoin(consultant, consultant.c.id == IpsCase.consultant_id)
        .where(case_filter(user), where)
        .order_by(Citizen.last_name, Citizen.first_name, IpsCase.id)
        .limit(limit)
    ).all()
    return [
        Found(
            case_id=r[0],
            reference=case_reference(r[0]),
            name=f"{r[1]} {r[2]}",
            phone=r[3],
            municipality=r[4],
            phase=Phase(r[5]),
            consultant=r[6],
        )
        for r in rows
    ]

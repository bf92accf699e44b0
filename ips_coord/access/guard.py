"""The one gate for a case part: relation (404), part under role and consent (403), audit."""

from __future__ import annotations

from flask import g, has_request_context
from werkzeug.exceptions import Forbidden

from ..clock import local_today, utcnow
from ..models import IpsCase, User
from ..workflows.phases import AccessAction
from .audit import audit
from .policy import Access, ConsentTerms, gate

NOT_SHARED = "This part of the case is not available to you under your role and the citizen's consents."


def prefetched_case(case_id: int) -> tuple[IpsCase | None, list[ConsentTerms]] | None:
    """The case and consents the API token's statement read for this case id (auth.py), once."""
    found = g.pop("prefetched_case", None) if has_request_context() else None
    if found is None or found[0] != case_id:
        return None
    return found[1], found[2]


def authorize(user: User, case_id: int, part: str, write: bool = False, log: bool = True) -> tuple[IpsCase, Access]:
    """log=False: the caller logs the parts it shows (a page shows several)."""
    g.refused_part = part  # for the refusal row, if the checks below refuse
    case, access = gate(user, case_id, local_today(utcnow()), prefetched_case(case_id))
    if not (access.can_write(part) if write else access.can_read(part)):
        raise Forbidden(description=NOT_SHARED)  # an HTTP error the API and the pages both answer
    g.refused_part = None
    if log:
        audit(user, case.id, AccessAction.WRITE if write else AccessAction.READ, part)
    return case, access

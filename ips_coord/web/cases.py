from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Row, func, select

from ..access import authorize, case_filter
from ..access.audit import audit_many, shows_no_citizen_data
from ..clock import utcnow
from ..extensions import db
from ..models import AccessLog, Citizen, IpsCase, User
from ..models.case import case_reference
from ..workflows.phases import AuditPart, Part, Phase, Role
from .guards import query_id, query_page

bp = Blueprint("cases", __name__)


@bp.get("/")
@login_required
@shows_no_citizen_data  # a redirect
def home():
    """Each role's start page."""
    if current_user.role == Role.IPS_CONSULTANT:
        return redirect(url_for("consultant.my_day"))
    if current_user.role == Role.COORDINATOR:
        return redirect(url_for("coordinator.overview"))
    if current_user.role == Role.PRIVACY_OFFICER:
        return redirect(url_for("privacy.index"))
    if current_user.role == Role.ADMIN:
        return redirect(url_for("admin.users"))
    if current_user.role == Role.JOBCENTER:
        return redirect(url_for("sector_pages.workspace"))  # the caseworker's workspace
    return redirect(url_for("cases.index"))


PAGE_SIZE = 100


def pack_pages(counts: dict[Phase, int], size: int = PAGE_SIZE) -> list[list[tuple[Phase, int, int]]]:
    """Pages of whole phase groups, in the phases' order: a group moves to the next page rather
    than being split, and only a group larger than a page gets pages of its own.
    Each page is a list of (phase, offset, limit)."""
    pages: list[list[tuple[Phase, int, int]]] = []
    current: list[tuple[Phase, int, int]] = []
    filled = 0
    for phase in Phase:
        n = counts.get(phase, 0)
        if not n:
            continue
        if n > size:
            if current:
                pages.append(current)
                current, filled = [], 0
            pages.extend([[(phase, offset, size)] for offset in range(0, n, size)])
            continue
        if filled + n > size:
            pages.append(current)
            current, filled = [], 0
        current.append((phase, 0, n))
        filled += n
    if current:
        pages.append(current)
    return pages


@dataclass(frozen=True)
class ListedCase:
    """A row of the case list: what it shows, and no more."""

    id: int
    phase: Phase
    reference: str
    citizen_name: str
    consultant_name: str | None
    days_since_contact: int

    @classmethod
    def of(cls, row: Row[Any], now: datetime) -> ListedCase:
        # Unpacked, not read by name: a Row's attribute lookup costs ~25 times a tuple's.
        # The columns in the order of `index`'s query.
        (
            case_id,
            phase,
            last_contact_at,
            enrolled_at,
            referred_at,
            first_name,
            last_name,
            anonymised_at,
            consultant,
        ) = row
        # As Citizen.full_name and IpsCase.days_since_contact say it.
        name = f"{first_name} {last_name}" if anonymised_at is None else "–"
        last = last_contact_at or enrolled_at or referred_at
        return cls(case_id, Phase(phase), case_reference(case_id), name, consultant, (now - last) // timedelta(days=1))


@bp.get("/cases")
@login_required
def index():
    """The cases the user is related to, by phase, a page at a time. Consultants start with
    their own and may widen to the team; a coordinator may narrow to one consultant. Pages hold
    whole phase groups. Every case shown is a read and is logged."""
    if current_user.role == Role.PRIVACY_OFFICER:
        abort(404)  # no lists: the privacy officer finds one case by its number
    team_view = current_user.role == Role.IPS_CONSULTANT and request.args.get("scope") == "team"
    where = [case_filter(current_user)]
    if current_user.role == Role.IPS_CONSULTANT and not team_view:
        where.append(IpsCase.consultant_id == current_user.id)
    consultant = None
    if current_user.role == Role.COORDINATOR and (consultant_id := query_id("consultant")) is not None:
        consultant = db.session.get(User, consultant_id)
        if consultant is None or consultant.organisation_id != current_user.organisation_id:
            abort(404)
        where.append(IpsCase.consultant_id == consultant.id)
    phase = request.args.get("phase")
    if phase in {p.value for p in Phase}:
        where.append(IpsCase.phase == phase)
    else:
        phase = None
    counts = {
        Phase(p): n
        for p, n in db.session.execute(select(IpsCase.phase, func.count()).where(*where).group_by(IpsCase.phase))
    }
    total = sum(counts.values())
    pages = pack_pages(counts, PAGE_SIZE) or [[]]
    page = query_page(last=len(pages))
    slices = pages[page - 1]
    # Plain rows, not case objects: a list shows four columns of up to PAGE_SIZE cases.
    query = (
        select(
            IpsCase.id,
            IpsCase.phase,
            IpsCase.last_contact_at,
            IpsCase.enrolled_at,
            IpsCase.referred_at,
            Citizen.first_name,
            Citizen.last_name,
            Citizen.anonymised_at,
            User.name.label("consultant"),
        )
        .join(Citizen, Citizen.id == IpsCase.citizen_id)
        .outerjoin(User, User.id == IpsCase.consultant_id)
        .where(*where)
        .order_by(IpsCase.id)
    )
    if len(slices) == 1 and slices[0][2] < counts[slices[0][0]]:  # a part of a group larger than a page
        only, offset, limit = slices[0]
        query = query.where(IpsCase.phase == only).offset(offset).limit(limit)
    elif slices:
        query = query.where(IpsCase.phase.in_([p for p, _o, _l in slices]))
    now = utcnow()
    cases = [ListedCase.of(row, now) for row in db.session.execute(query)] if slices else []
    # The user itself, not the proxy: the audit reads its id once per row listed.
    audit_many(current_user._get_current_object(), [c.id for c in cases], AuditPart.CASE_LIST)
    by_phase: dict[Phase, list[ListedCase]] = {p: [] for p in Phase}
    for case in cases:
        by_phase[case.phase].append(case)
    first_of = {p: offset + 1 for p, offset, _l in slices}

    def page_url(**changes):
        args = {
            "scope": "team" if team_view else None,
            "consultant": consultant.id if consultant else None,
            "phase": phase,
            "page": None,
            **changes,
        }
        return url_for("cases.index", **{k: v for k, v in args.items() if v})

    if consultant is not None:
        heading = _("%(name)s's cases", name=consultant.name)
    elif team_view or current_user.role == Role.COORDINATOR:
        heading = _("The team's cases")
    else:
        heading = _("My cases")
    return render_template(
        "cases.html",
        heading=heading,
        by_phase=by_phase,
        counts=counts,
        first_of=first_of,
        total=total,
        shown=len(cases),
        page=page,
        pages=len(pages),
        phase=phase,
        team_view=team_view,
        consultant=consultant,
        page_url=page_url,
        # One url_for for the page instead of one per row: the case page's path ends in the id.
        case_path=url_for("case_page.detail", case_id=1)[:-1],
    )


@bp.get("/cases/<id:case_id>/access-log")
@login_required
def access_log(case_id: int):
    """Who has seen or changed this case: for the coordinator."""
    case, _access = authorize(current_user, case_id, Part.ACCESS_LOG)
    rows = db.session.execute(
        select(AccessLog, User)
        .outerjoin(User, User.id == AccessLog.user_id)
        .where(AccessLog.case_id == case.id)
        .order_by(AccessLog.created_at.desc(), AccessLog.id.desc())
        .limit(500)
    ).all()
    return render_template("access_log.html", case=case, rows=rows)

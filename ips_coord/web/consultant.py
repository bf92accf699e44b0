"""The consultant's workday: what is due, what is overdue, job development this week."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, func, or_, select
from wtforms.fields.choices import SelectChoice

from ..access import case_filter
from ..access.audit import audit, audit_many
from ..clock import local_midnight, local_today, local_tz, to_local, utcnow
from ..extensions import db
from ..i18n import translate
from ..labels import FOLLOW_UP_KINDS
from ..models import Citizen, EmployerContact, FollowUp, IpsCase
from ..models.employer import Employer, EmployerPerson
from ..services import ServiceError
from ..services import activities as svc
from ..services.employers import find_employer
from ..workflows.constants import WEEKLY_EMPLOYER_CONTACT_TARGET
from ..workflows.phases import (
    ON_CASELOAD,
    AccessAction,
    AuditPart,
    ContactKind,
    FollowUpKind,
    FollowUpStatus,
    Part,
    Phase,
    Role,
)
from .case_forms import EmployerContactForm
from .follow_up_actions import answer_label, answer_url, one_tap
from .formatting import local_date
from .forms import QuickContactForm
from .guards import query_id, unstorable
from .sector_pages import last_team_meeting, next_team_meeting

bp = Blueprint("consultant", __name__)
OLD_OVERDUE = timedelta(days=30)
DEADLINE_KINDS = (
    FollowUpKind.FIRST_EMPLOYER_CONTACT,
    FollowUpKind.JOINT_START_MEETING,
    FollowUpKind.JOB_START_CONTACT,
    FollowUpKind.JOB_ENDING_REVIEW,
)


def week_start(now: datetime) -> datetime:
    """Monday 00:00 of this week on the Copenhagen calendar, as a UTC instant."""
    today = local_today(now)
    return local_midnight(today - timedelta(days=today.weekday()))


@bp.get("/my-day")
@login_required
def my_day():
    if current_user.role != Role.IPS_CONSULTANT:
        return redirect(url_for("cases.index"))
    now = utcnow()
    end_of_day = local_midnight(local_today(now) + timedelta(days=1))  # the end of today in Copenhagen
    due = [
        (f, c)
        for f, c in db.session.execute(
            select(FollowUp, IpsCase)
            .join(IpsCase, IpsCase.id == FollowUp.case_id)
            .where(
                FollowUp.status == FollowUpStatus.OPEN,
                FollowUp.assignee_id == current_user.id,
                FollowUp.due_at < end_of_day,
            )
            .order_by(FollowUp.due_at)
        )
    ]
    cases = db.session.scalars(
        select(IpsCase).where(IpsCase.consultant_id == current_user.id).order_by(IpsCase.phase, IpsCase.id)
    ).all()
    mine = {c.id: c for c in cases}
    # Deadlines ahead and open escalations on my cases: one read of just those, split here (the
    # cases are read already; the other open follow-ups, hundreds on a full caseload, are not).
    horizon = end_of_day + timedelta(days=14)
    on_my_cases = [
        (f, mine[f.case_id])
        for f in db.session.scalars(
            select(FollowUp)
            .where(
                FollowUp.status == FollowUpStatus.OPEN,
                FollowUp.case_id.in_(select(IpsCase.id).where(IpsCase.consultant_id == current_user.id)),
                or_(
                    and_(FollowUp.kind.in_(DEADLINE_KINDS), FollowUp.due_at >= end_of_day, FollowUp.due_at < horizon),
                    FollowUp.escalated_at.is_not(None),
                ),
            )
            .order_by(FollowUp.due_at)
        )
        if f.case_id in mine
    ]
    coming = [(f, c) for f, c in on_my_cases if f.kind in DEADLINE_KINDS and end_of_day <= f.due_at < horizon]
    escalations = sorted(
        ((f, c) for f, c in on_my_cases if f.escalated_at is not None),
        key=lambda fc: fc[0].escalated_at or now,
        reverse=True,
    )
    # The two figures in one statement: this week's employer contacts, the last team meeting.
    week_contacts, last_meeting = db.session.execute(
        select(
            select(func.count(EmployerContact.id))
            .where(
                EmployerContact.consultant_id == current_user.id,
                EmployerContact.face_to_face.is_(True),
                EmployerContact.occurred_at >= week_start(now),
            )
            .scalar_subquery(),
            last_team_meeting(current_user.id),
        )
    ).one()
    audit_many(current_user, {c.id for c in cases} | {c.id for _f, c in due + coming + escalations}, AuditPart.MY_DAY)
    by_phase = {p: [c for c in cases if c.phase == p] for p in Phase}
    # The order of work: what falls due today, then what is overdue, the oldest first; what is
    # more than a month overdue (old measurements, mostly) folded below.
    start_of_day = local_midnight(local_today(now))
    today_due = [fc for fc in due if fc[0].due_at >= start_of_day]
    overdue = [fc for fc in due if fc[0].due_at < start_of_day]
    long_ago = start_of_day - OLD_OVERDUE
    # Labels translated once per distinct value, not once per row.
    kinds = {f.kind for f, _c in due + coming + escalations}
    labels = {k: str(FOLLOW_UP_KINDS.get(k, k)) for k in kinds}
    actions = {k: str(answer_label(k)) for k in kinds if not one_tap(k)}
    # Dates formatted once per distinct day, links built from one pattern each (a card is rendered
    # per follow-up; Babel and the URL map per card were most of the page's time).
    day_labels: dict[date, str] = {}
    due_dates: dict[int, str] = {}
    for f, _c in due:
        day = to_local(f.due_at).date()
        if day not in day_labels:
            day_labels[day] = local_date(day)
        due_dates[f.id] = day_labels[day]
    links = {
        "case": url_for("case_page.detail", case_id=0).removesuffix("0"),
        "contact": url_for("consultant.log_contact_for", follow_up_id=0).replace("/0/", "/{}/"),
    }
    return render_template(
        "my_day.html",
        now=now,
        due=due,
        today_due=today_due,
        recent_overdue=[fc for fc in overdue if fc[0].due_at >= long_ago],
        old_overdue=[fc for fc in overdue if fc[0].due_at < long_ago],
        coming=coming,
        escalations=escalations,
        by_phase=by_phase,
        kind_labels=labels,
        action_labels=actions,
        answer_url=answer_url,
        one_tap=one_tap,
        start_of_day=start_of_day,
        due_dates=due_dates,
        links=links,
        week_contacts=week_contacts,
        target=WEEKLY_EMPLOYER_CONTACT_TARGET,
        quick_form=QuickContactForm(),
        team_meeting_due=next_team_meeting(last_meeting),
        today=local_today(now),
    )


@bp.post("/my-day/follow-ups/<id:follow_up_id>/contact")
@login_required
def log_contact_for(follow_up_id: int):
    """One click: log the contact that answers a follow-up (it completes it)."""
    fu = db.session.get(FollowUp, follow_up_id)
    if fu is None or fu.assignee_id != current_user.id:
        abort(404)
    case = db.session.get_one(IpsCase, fu.case_id)
    if not one_tap(fu.kind):
        # Answered by a record (a rating, a meeting, a profile...): closing it here would count
        # something that did not happen. The form that records it is where it is done.
        flash(_("This follow-up is done by recording it: %(what)s.", what=answer_label(fu.kind)), "error")
        return redirect(answer_url(fu), 303)
    form = QuickContactForm()
    if form.validate_on_submit() and fu.status == FollowUpStatus.OPEN:
        audit(current_user, case.id, AccessAction.WRITE, Part.CONTACT_NOTES)
        svc.log_contact(
            case,
            current_user,
            kind=ContactKind.CONTACT,
            occurred_at=utcnow(),
            location=form.location.data,
            note=(form.note.data or "").strip() or None,
        )
        flash(_("The contact with %(ref)s is saved.", ref=case.reference), "ok")
    return redirect(url_for("consultant.my_day"))


def _employer_form():
    form = EmployerContactForm()
    # Who was met: the contact persons of the employer named (or chosen in the register).
    employer = None
    if (employer_id := query_id("employer_id")) is not None:
        employer = db.session.get(Employer, employer_id)
        if employer is not None and employer.ips_team_id != current_user.organisation_id:
            employer = None
        if employer is not None and not form.is_submitted():
            form.employer_name.data = employer.name
    if (
        employer is None
        and form.employer_name.data
        and current_user.organisation_id is not None
        and not unstorable(form.employer_name.data)
    ):
        employer = find_employer(current_user.organisation_id, form.employer_name.data)
    persons = (
        db.session.scalars(
            select(EmployerPerson).where(EmployerPerson.employer_id == employer.id).order_by(EmployerPerson.name)
        ).all()
        if employer is not None
        else []
    )
    form.person_id.choices = [SelectChoice(0, "–")] + [SelectChoice(p.id, p.name) for p in persons]
    # Every citizen on the caseload: follow-along with the employer of a citizen in work (or in
    # education) is the main reason to name one, and a referred citizen may already be discussed.
    cases = db.session.scalars(
        select(IpsCase)
        .join(Citizen, Citizen.id == IpsCase.citizen_id)
        .where(case_filter(current_user), IpsCase.phase.in_(ON_CASELOAD))
        .order_by(Citizen.last_name, Citizen.first_name, IpsCase.id)
    ).all()
    # The citizens the contact may be for, by name: the choices of the searchable field.
    form.citizen_choices = [(c.id, f"{c.citizen.full_name} ({c.reference})") for c in cases]
    return form


def _picked_case(form) -> tuple[int | None, str | None]:
    """The case the "for citizen" field names: a line of its list, a case number or a unique part
    of a name, among the choices only. (None, None) when empty; (None, message) when it names none
    or several."""
    typed = " ".join((form.case_id.data or "").split())
    if not typed or typed in ("0", "–"):
        return None, None
    ids = {cid for cid, _label in form.citizen_choices}
    if (m := re.search(r"ips[\s-]*0*([0-9]{1,9})", typed, re.IGNORECASE)) or (
        m := re.fullmatch(r"([0-9]{1,9})", typed)
    ):
        return (int(m.group(1)), None) if int(m.group(1)) in ids else (None, _("None of your citizens matches."))
    words = typed.lower().split()
    found = [(cid, label) for cid, label in form.citizen_choices if all(w in label.lower() for w in words)]
    if len(found) == 1:
        return found[0][0], None
    if not found:
        return None, _("None of your citizens matches.")
    return None, _(
        "Several citizens match: %(names)s. Choose one from the list.",
        names=", ".join(label for _cid, label in found[:5]),
    )


def _render_employer_form(form, status: int = 200):
    # The picker names every citizen in it: a read of their identity, one INSERT.
    audit_many(current_user, [cid for cid, _label in form.citizen_choices], Part.IDENTITY)
    return render_template("employer_contact.html", form=form), status


@bp.route("/employer-contacts/new", methods=["GET", "POST"])
@login_required
def employer_contact():
    """Quick to fill in from a phone, right after the visit."""
    if current_user.role != Role.IPS_CONSULTANT:
        abort(404)
    form = _employer_form()
    if not form.is_submitted():
        form.occurred_at.data = to_local(utcnow()).replace(tzinfo=None, second=0, microsecond=0)
        # Opened from a follow-up (Min dag): the citizen is already named.
        wanted = query_id("case_id")
        named = [label for cid, label in form.citizen_choices if wanted is not None and cid == wanted]
        if named:
            form.case_id.data = named[0]
    elif form.validate():
        case_id, problem = _picked_case(form)
        if problem:
            form.case_id.errors.append(problem)
            return _render_employer_form(form, 400)
        case = db.session.get(IpsCase, case_id) if case_id else None
        try:
            if case is not None:
                audit(current_user, case.id, AccessAction.WRITE, Part.PLACEMENTS)
            svc.log_employer_contact(
                current_user,
                employer_name=form.employer_name.data,
                occurred_at=form.occurred_at.data.replace(tzinfo=local_tz()).astimezone(UTC),
                location=form.location.data,
                face_to_face=form.face_to_face.data,
                case=case,
                note=form.note.data or None,
                person_id=form.person_id.data or None,
                purpose=form.purpose.data or None,
                outcome=form.outcome.data or None,
                next_step=form.next_step.data or None,
                next_step_due=form.next_step_due.data,
            )
        except ServiceError as exc:
            getattr(form, exc.field or "occurred_at", form.occurred_at).errors.append(translate(exc.message))
            return _render_employer_form(form, 400)
        flash(
            _("Employer contact saved.")
            + (" " + _("It is shown on %(ref)s's case.", ref=case.reference) if case is not None else ""),
            "ok",
        )
        return redirect(url_for("consultant.my_day"))
    else:
        return _render_employer_form(form, 400)
    return _render_employer_form(form)

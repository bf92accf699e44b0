"""Systematic job development pages: the team's employer register, openings, matching for a case
and for an opening, this week's employer contacts, and moving a follow-up.

Views are thin: they check who may see what, write through services/employers.py,
services/matching.py and services/followups.py, and log every citizen they show.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import DateField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .. import labels
from ..access import access_for, relation_to_case
from ..access.audit import audit_pairs, shows_no_citizen_data
from ..clock import utcnow
from ..extensions import db
from ..i18n import translate
from ..models import EmployerContact, FollowUp, IpsCase, Placement, User
from ..models.employer import Employer, EmployerPerson, Opening, Suggestion
from ..services import ServiceError, matching
from ..services import employers as emp
from ..services import followups as fus
from ..validation import record_id
from ..workflows.phases import AccessAction, FollowUpStatus, OpeningStatus, Part, Role
from .forms import DecimalNumberField, SafeForm, coerce_id

bp = Blueprint("employers", __name__)

# Choices from ips_coord.labels (WTForms 3.3 wants SelectChoice objects).
OPENING_STATUSES = [SelectChoice(code, word) for code, word in labels.OPENING_STATUSES.items()]
OUTCOMES = [SelectChoice(code, word) for code, word in labels.SUGGESTION_OUTCOMES.items()]


class EmployerForm(SafeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    cvr = StringField(_l("CVR number"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=100)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=100)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class PersonForm(SafeForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])


class OpeningForm(SafeForm):
    title = StringField(_l("Job title"), validators=[DataRequired(), Length(max=200)])
    hours_per_week = DecimalNumberField(_l("Hours per week"), validators=[Optional(), NumberRange(1, 80)])
    place = StringField(_l("Place (town or municipality)"), validators=[Optional(), Length(max=200)])
    requirements = TextAreaField(_l("What the employer asks for"), validators=[Optional(), Length(max=2000)])


class OpeningStatusForm(SafeForm):
    status = SelectField(_l("Status"), choices=OPENING_STATUSES)


class SuggestForm(SafeForm):
    opening_id = HiddenField(validators=[DataRequired()])
    case_id = HiddenField(validators=[DataRequired()])


class OutcomeForm(SafeForm):
    outcome = SelectField(_l("What came of it"), choices=OUTCOMES)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class MoveForm(SafeForm):
    due_on = DateField(_l("New date"), validators=[Optional()])
    assignee_id = SelectField(_l("Hand to a colleague"), coerce=coerce_id, validators=[Optional()])
    reason = StringField(_l("Why"), validators=[DataRequired(), Length(min=3, max=500)])


def _team() -> int:
    if current_user.role not in (Role.IPS_CONSULTANT, Role.COORDINATOR) or current_user.organisation_id is None:
        abort(404)
    return current_user.organisation_id


def _employer_or_404(employer_id: int) -> Employer:
    employer = db.session.get(Employer, employer_id)
    if employer is None or employer.ips_team_id != _team():
        abort(404)
    return employer


def _opening_or_404(opening_id: int) -> Opening:
    opening = db.session.get(Opening, opening_id)
    if opening is None or opening.ips_team_id != _team():
        abort(404)
    return opening


def _attach(form, exc: ServiceError) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    (target.errors.append if target is not None else form.form_errors.append)(translate(exc.message))


def reasons_in_words(match) -> str:
    """ "ønsker lager, formiddage; timer 20; i Nordby": the ranking explained, never a verdict."""
    return "; ".join(f"{labels.MATCH_REASONS[code]} {words}".strip() for code, words in match.reasons)


@bp.route("/employers", methods=["GET", "POST"])
@login_required
@shows_no_citizen_data  # the register: employers, never citizens
def index():
    team = _team()
    form = EmployerForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                employer = emp.create_employer(current_user, form.data)
            except ServiceError as exc:
                _attach(form, exc)
                status = 400
            else:
                flash(_("Employer saved."), "ok")
                return redirect(url_for("employers.detail", employer_id=employer.id))
        else:
            status = 400
    q = request.args.get("q", "")[:200]
    employers = emp.search_employers(team, q, limit=200)
    counts: dict[int, int] = {
        employer_id: n
        for employer_id, n in db.session.execute(
            select(Opening.employer_id, func.count())
            .where(Opening.ips_team_id == team, Opening.status == OpeningStatus.OPEN)
            .group_by(Opening.employer_id)
        )
    }
    return render_template("employers.html", employers=employers, form=form, q=q, open_counts=counts), status


@bp.get("/employers/search.json")
@login_required
@shows_no_citizen_data
def search_json():
    """Search-as-you-type for the employer field: names in the team's register."""
    team = _team()
    return jsonify([{"id": e.id, "name": e.name} for e in emp.search_employers(team, request.args.get("q", "")[:200])])


def _render_detail(employer: Employer, status: int = 200, **forms):
    contacts = db.session.execute(
        select(EmployerContact, User)
        .join(User, User.id == EmployerContact.consultant_id)
        .where(EmployerContact.employer_id == employer.id)
        .order_by(EmployerContact.occurred_at.desc())
        .limit(200)
    ).all()
    placements = db.session.execute(
        select(Placement, IpsCase)
        .join(IpsCase, IpsCase.id == Placement.case_id)
        .where(Placement.employer_id == employer.id, IpsCase.ips_team_id == employer.ips_team_id)
        .order_by(Placement.start_date.desc())
        .limit(200)
    ).all()
    openings = db.session.scalars(
        select(Opening)
        .where(Opening.employer_id == employer.id)
        .order_by(Opening.status != OpeningStatus.OPEN, Opening.created_at.desc())
    ).all()
    # Contacts and placements name cases by reference: a read of the case's placements, logged.
    audit_pairs(
        current_user,
        [(c.case_id, Part.PLACEMENTS) for c, _u in contacts if c.case_id]
        + [(case.id, Part.PLACEMENTS) for _p, case in placements],
    )
    # Prefixed: the three forms on the page would otherwise share ids ("name", "title").
    edit = forms.get("edit") or EmployerForm(formdata=None, obj=employer, prefix="edit")
    return render_template(
        "employer.html",
        employer=employer,
        contacts=contacts,
        placements=placements,
        openings=openings,
        edit_form=edit,
        person_form=forms.get("person") or PersonForm(formdata=None, prefix="person"),
        opening_form=forms.get("opening") or OpeningForm(formdata=None, prefix="opening"),
        purposes=labels.CONTACT_PURPOSES,
        statuses=labels.OPENING_STATUSES,
    ), status


@bp.get("/employers/<id:employer_id>")
@login_required
def detail(employer_id: int):
    return _render_detail(_employer_or_404(employer_id))


@bp.post("/employers/<id:employer_id>")
@login_required
def update(employer_id: int):
    employer = _employer_or_404(employer_id)
    form = EmployerForm(prefix="edit")
    if form.validate():
        try:
            emp.update_employer(employer, current_user, form.data)
        except ServiceError as exc:
            _attach(form, exc)
        else:
            flash(_("Employer saved."), "ok")
            return redirect(url_for("employers.detail", employer_id=employer.id))
    db.session.refresh(employer)
    return _render_detail(employer, 400, edit=form)


@bp.post("/employers/<id:employer_id>/persons")
@login_required
def add_person(employer_id: int):
    employer = _employer_or_404(employer_id)
    form = PersonForm(prefix="person")
    if form.validate():
        try:
            emp.add_person(employer, current_user, form.data)
        except ServiceError as exc:
            _attach(form, exc)
        else:
            flash(_("Contact person saved."), "ok")
            return redirect(url_for("employers.detail", employer_id=employer.id))
    return _render_detail(employer, 400, person=form)


@bp.post("/employers/<id:employer_id>/openings")
@login_required
def add_opening(employer_id: int):
    employer = _employer_or_404(employer_id)
    form = OpeningForm(prefix="opening")
    if form.validate():
        try:
            opening = emp.create_opening(
                employer,
                current_user,
                {
                    **form.data,
                    "hours_per_week": (
                        float(form.hours_per_week.data) if form.hours_per_week.data is not None else None
                    ),
                },
            )
        except ServiceError as exc:
            _attach(form, exc)
        else:
            flash(_("Opening saved."), "ok")
            return redirect(url_for("employers.opening", opening_id=opening.id))
    return _render_detail(employer, 400, opening=form)


@bp.get("/openings")
@login_required
@shows_no_citizen_data  # openings and employers only
def openings():
    team = _team()
    status = request.args.get("status", OpeningStatus.OPEN)
    query = select(Opening).where(Opening.ips_team_id == team)
    if status in labels.OPENING_STATUSES:
        query = query.where(Opening.status == status)
    rows = db.session.scalars(query.order_by(Opening.created_at.desc(), Opening.id.desc()).limit(200)).all()
    return render_template("openings.html", openings=rows, status=status, statuses=labels.OPENING_STATUSES)


@bp.get("/openings/<id:opening_id>")
@login_required
def opening(opening_id: int):
    item = _opening_or_404(opening_id)
    matches = matching.candidates_for_opening(item, current_user) if current_user.role == Role.IPS_CONSULTANT else []
    suggested = db.session.execute(
        select(Suggestion, IpsCase)
        .join(IpsCase, IpsCase.id == Suggestion.case_id)
        .where(Suggestion.opening_id == item.id)
        .order_by(Suggestion.created_at)
    ).all()
    audit_pairs(
        current_user,
        [(m.case.id, Part.CAREER_PROFILE) for m in matches]
        + [(m.case.id, Part.IDENTITY) for m in matches]
        + [(c.id, Part.IDENTITY) for _s, c in suggested],
    )
    done = {s.case_id for s, _c in suggested}
    return render_template(
        "opening.html",
        opening=item,
        matches=matches,
        suggested=suggested,
        done=done,
        words=reasons_in_words,
        status_form=OpeningStatusForm(formdata=None, status=item.status),
        suggest_form=SuggestForm(formdata=None),
        outcome_form=OutcomeForm(formdata=None),
        statuses=labels.OPENING_STATUSES,
        outcomes=labels.SUGGESTION_OUTCOMES,
    )


@bp.post("/openings/<id:opening_id>/status")
@login_required
def opening_status(opening_id: int):
    item = _opening_or_404(opening_id)
    form = OpeningStatusForm()
    if form.validate():
        emp.set_opening_status(item, current_user, form.status.data)
        flash(_("Saved."), "ok")
    return redirect(url_for("employers.opening", opening_id=item.id))


def _my_case_or_404(case_id: int) -> IpsCase:
    """A case of the consultant's team (the consultant's own or a colleague's)."""
    case = db.session.get(IpsCase, case_id)
    if case is None or current_user.role != Role.IPS_CONSULTANT or relation_to_case(current_user, case) is None:
        abort(404)
    return case


@bp.get("/cases/<id:case_id>/matches")
@login_required
def case_matches(case_id: int):
    """Openings ranked against the citizen's career profile, each with its reasons in words."""
    case = _my_case_or_404(case_id)
    matches = matching.suggestions_for_case(case)
    suggestions = db.session.scalars(
        select(Suggestion).where(Suggestion.case_id == case.id).order_by(Suggestion.created_at.desc())
    ).all()
    audit_pairs(current_user, [(case.id, Part.IDENTITY), (case.id, Part.CAREER_PROFILE), (case.id, Part.PLACEMENTS)])
    done = {s.opening_id for s in suggestions}
    return render_template(
        "case_matches.html",
        case=case,
        matches=matches,
        suggestions=suggestions,
        done=done,
        words=reasons_in_words,
        suggest_form=SuggestForm(formdata=None),
        outcome_form=OutcomeForm(formdata=None),
        outcomes=labels.SUGGESTION_OUTCOMES,
        disclosure=emp.disclosure_of(case.id),
    )


@bp.post("/suggestions")
@login_required
def suggest():
    form = SuggestForm()
    case_id, opening_id = record_id(form.case_id.data), record_id(form.opening_id.data)
    if not form.validate() or case_id is None or opening_id is None:
        abort(400)
    case = _my_case_or_404(case_id)
    item = _opening_or_404(opening_id)
    try:
        matching.record_suggestion(case, item, current_user)
    except ServiceError as exc:
        flash(translate(exc.message), "error")
    else:
        audit_pairs(current_user, [(case.id, Part.PLACEMENTS)], action=AccessAction.WRITE)
        flash(_("Suggestion recorded. The citizen decides."), "ok")
    return redirect(
        (request.form.get("back") == "opening" and url_for("employers.opening", opening_id=item.id))
        or url_for("employers.case_matches", case_id=case.id)
    )


@bp.post("/suggestions/<id:suggestion_id>/outcome")
@login_required
def suggestion_outcome(suggestion_id: int):
    row = db.session.get(Suggestion, suggestion_id)
    if row is None:
        abort(404)
    case = _my_case_or_404(row.case_id)
    form = OutcomeForm()
    if form.validate():
        matching.record_outcome(row, current_user, form.outcome.data, form.note.data or None)
        audit_pairs(current_user, [(case.id, Part.PLACEMENTS)], action=AccessAction.WRITE)
        flash(_("Saved."), "ok")
    return redirect(url_for("employers.case_matches", case_id=case.id))


def _week_start(now: datetime) -> datetime:
    monday = now.date() - timedelta(days=now.weekday())
    return datetime.combine(monday, time.min, tzinfo=UTC)


@bp.get("/employer-contacts/week")
@login_required
def week():
    """This week's employer contacts: the list behind the count on My day."""
    if current_user.role != Role.IPS_CONSULTANT:
        abort(404)
    now = utcnow()
    rows = db.session.execute(
        select(EmployerContact, IpsCase)
        .outerjoin(IpsCase, IpsCase.id == EmployerContact.case_id)
        .where(EmployerContact.consultant_id == current_user.id, EmployerContact.occurred_at >= _week_start(now))
        .order_by(EmployerContact.occurred_at.desc())
    ).all()
    persons = {
        p.id: p
        for p in db.session.scalars(
            select(EmployerPerson).where(EmployerPerson.id.in_({c.person_id for c, _case in rows if c.person_id}))
        )
    }
    audit_pairs(current_user, [(case.id, Part.PLACEMENTS) for _c, case in rows if case is not None])
    next_steps = (
        db.session.execute(
            select(EmployerContact)
            .where(
                EmployerContact.consultant_id == current_user.id,
                EmployerContact.next_step_due.is_not(None),
                EmployerContact.next_step_done_at.is_(None),
            )
            .order_by(EmployerContact.next_step_due)
        )
        .scalars()
        .all()
    )
    return render_template(
        "employer_week.html",
        rows=rows,
        persons=persons,
        next_steps=next_steps,
        face_to_face=sum(1 for c, _case in rows if c.face_to_face),
        purposes=labels.CONTACT_PURPOSES,
        form=SafeForm(formdata=None),
    )


@bp.post("/employer-contacts/<id:employer_contact_id>/next-step-done")
@login_required
def next_step_done(employer_contact_id: int):
    row = db.session.get(EmployerContact, employer_contact_id)
    if row is None or row.consultant_id != current_user.id:
        abort(404)
    if SafeForm().validate():
        try:
            emp.complete_next_step(row, current_user)
        except ServiceError as exc:
            flash(translate(exc.message), "error")
        else:
            flash(_("Saved."), "ok")
    return redirect(url_for("employers.week"))


@bp.route("/follow-ups/<id:follow_up_id>/move", methods=["GET", "POST"])
@login_required
def move(follow_up_id: int):
    """Move a follow-up to a new date or hand it to a colleague; the reason is kept in its history."""
    fu = db.session.get(FollowUp, follow_up_id)
    case = db.session.get(IpsCase, fu.case_id) if fu is not None else None
    access = access_for(current_user, case, utcnow().date()) if case is not None else None
    if fu is None or case is None or access is None or not access.can_write(Part.FOLLOW_UPS):
        abort(404)
    form = MoveForm()
    colleagues = db.session.scalars(
        select(User)
        .where(User.role == Role.IPS_CONSULTANT, User.active.is_(True), User.organisation_id == case.ips_team_id)
        .order_by(User.name)
    ).all()
    form.assignee_id.choices = [SelectChoice(0, "–")] + [
        SelectChoice(u.id, u.name) for u in colleagues if u.id != fu.assignee_id
    ]
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate() and fu.status == FollowUpStatus.OPEN:
            due = datetime.combine(form.due_on.data, fu.due_at.time(), tzinfo=UTC) if form.due_on.data else None
            try:
                fus.move_follow_up(
                    fu, current_user, reason=form.reason.data, due_at=due, assignee_id=form.assignee_id.data or None
                )
            except ServiceError as exc:
                _attach(form, exc)
            else:
                audit_pairs(current_user, [(case.id, Part.FOLLOW_UPS)], action=AccessAction.WRITE)
                flash(_("Follow-up moved."), "ok")
                return redirect(url_for("case_page.detail", case_id=case.id))
    elif not form.is_submitted():
        form.due_on.data = fu.due_at.date()
    audit_pairs(current_user, [(case.id, Part.FOLLOW_UPS), (case.id, Part.IDENTITY)])
    users = {u.id: u.name for u in colleagues}
    return render_template(
        "follow_up_move.html", form=form, fu=fu, case=case, history=fus.history(fu.id), users=users
    ), status

"""The other sectors' pages and the case page's forms for their parts (web/sector_parts.py shows
them): psychiatry records admissions and discharges
(a page of its own, linked from psychiatry's emails: it changes the
case, so it needs a login - no bare signed link), the jobcenter records its decisions and sees
its citizens' jobs, hours and benefit, the consultant records a running job's new hours or pay
and the weekly treatment-team meetings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import ScalarSelect, select
from wtforms import BooleanField, DateField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..access import authorize, case_filter
from ..access.audit import audit_pairs, audit_parts, shows_no_citizen_data
from ..access.policy import access_for
from ..clock import local_today, utcnow
from ..extensions import db
from ..models import Admission, BenefitFact, IpsCase, Placement, TreatmentTeamMeeting
from ..services import ServiceError
from ..services import activities as activities_svc
from ..services.jobcenter import change_job_terms, update_decision
from ..services.treatment import open_admission, record_admission, record_discharge, record_team_meeting
from ..workflows.phases import ENDED, ON_CASELOAD, AccessAction, BenefitKind, Part, Phase, Role
from .case_page import attach_error, render_case
from .case_sections import flash_in
from .forms import SafeForm, WholeNumberField
from .sector_parts import DecisionForm, JobTermsForm

bp = Blueprint("sector_pages", __name__)


class AdmissionForm(SafeForm):
    admitted_on = DateField(_l("Admitted on"), validators=[InputRequired()])
    reason = TextAreaField(
        _l("Reason (health information: shown only under the citizen's consent)"),
        validators=[Optional(), Length(max=2000)],
    )


class DischargeForm(SafeForm):
    discharged_on = DateField(_l("Discharged on"), validators=[InputRequired()])


class TeamMeetingForm(SafeForm):
    held_on = DateField(_l("Held on"), validators=[InputRequired()])
    attended = BooleanField(_l("I attended"), default=True)
    clinicians_present = WholeNumberField(_l("Clinicians present"), validators=[InputRequired(), NumberRange(0, 100)])
    cases_discussed = WholeNumberField(_l("Cases discussed"), validators=[InputRequired(), NumberRange(0, 100)])


def _locale() -> str:
    return str(get_locale() or "da")


def _case_page(case_id: int, status: int, **forms):
    case, access = authorize(current_user, case_id, Part.IDENTITY, log=False)
    return render_case(case, access, status, **forms)


@bp.post("/cases/<id:case_id>/decisions")
@login_required
def add_decision(case_id: int):
    """The jobcenter caseworker records a benefit fact or decision from the case page."""
    case, _access = authorize(current_user, case_id, Part.BENEFIT_FACTS, write=True)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _case_page(case_id, 400, decision=form)
    try:
        activities_svc.record_benefit_fact(case, current_user, **form.fields_given())
    except ServiceError as exc:
        attach_error(form, exc)
        db.session.rollback()
        return _case_page(case_id, exc.status, decision=form)
    flash_in(_("The decision is saved under Benefits and decisions."), "ok", "decision")
    return redirect(url_for("case_page.detail", case_id=case_id) + "#decisions")


@bp.post("/cases/<id:case_id>/decisions/<id:fact_id>")
@login_required
def edit_decision(case_id: int, fact_id: int):
    """Correct a recorded decision: its outcome once known, the next date, the hours."""
    case, _access = authorize(current_user, case_id, Part.BENEFIT_FACTS, write=True)
    fact = db.session.get(BenefitFact, fact_id)
    if fact is None or fact.case_id != case.id:
        from flask import abort

        abort(404)
    form = DecisionForm(prefix=f"d{fact_id}")
    if not form.validate_on_submit():
        return _case_page(case_id, 400, decision_edit=form, decision_edit_id=fact_id)
    try:
        update_decision(fact, current_user, form.fields_given())
    except ServiceError as exc:
        attach_error(form, exc)
        db.session.rollback()
        return _case_page(case_id, exc.status, decision_edit=form, decision_edit_id=fact_id)
    flash(_("The decision is changed."), "ok")
    return redirect(url_for("case_page.detail", case_id=case_id) + f"#decision-{fact_id}")


@bp.post("/cases/<id:case_id>/job-terms")
@login_required
def change_terms(case_id: int):
    """New hours or pay for the running job: benefits counselling again, the jobcenter told."""
    authorize(current_user, case_id, Part.PLACEMENTS, write=True)
    form = JobTermsForm()
    if not form.validate_on_submit():
        return _case_page(case_id, 400, terms=form)
    try:
        change_job_terms(
            case_id,
            current_user,
            locale=_locale(),
            hours_per_week=float(form.hours_per_week.data) if form.hours_per_week.data is not None else None,
            hourly_pay=float(form.hourly_pay.data) if form.hourly_pay.data is not None else None,
        )
    except ServiceError as exc:
        attach_error(form, exc)
        db.session.rollback()
        return _case_page(case_id, exc.status, terms=form)
    flash_in(
        _(
            "The job's new terms are saved. Offer benefits counselling: it is on your follow-ups, "
            "and the jobcenter has been told."
        ),
        "ok",
        "terms",
    )
    return redirect(url_for("case_page.detail", case_id=case_id) + "#running-job")


# --- Psychiatry: admission and discharge -------------------------------------------------------
def _treatment_page(case: IpsCase, status: int = 200, admission_form=None, discharge_form=None):
    today = local_today(utcnow())
    current = open_admission(case.id)
    admissions = db.session.scalars(
        select(Admission)
        .where(Admission.case_id == case.id)
        .order_by(Admission.admitted_on.desc(), Admission.id.desc())
    ).all()
    audit_parts(current_user, case.id, {Part.IDENTITY, Part.PHASE, Part.SHARED_HEALTH_INFO})
    return render_template(
        "treatment.html",
        case=case,
        current=current,
        admissions=admissions,
        admission_form=admission_form or AdmissionForm(formdata=None, admitted_on=today),
        discharge_form=discharge_form or DischargeForm(formdata=None, discharged_on=today),
    ), status


@bp.get("/cases/<id:case_id>/treatment")
@login_required
def treatment(case_id: int):
    """Psychiatry's page for an admission or a discharge (the emails link here; login needed)."""
    case, _access = authorize(current_user, case_id, Part.SHARED_HEALTH_INFO, write=True, log=False)
    return _treatment_page(case)


@bp.post("/cases/<id:case_id>/treatment/admission")
@login_required
def admit(case_id: int):
    case, _access = authorize(current_user, case_id, Part.SHARED_HEALTH_INFO, write=True)
    form = AdmissionForm()
    if not form.validate_on_submit():
        return _treatment_page(case, 400, admission_form=form)
    try:
        record_admission(
            case_id, current_user, admitted_on=form.admitted_on.data, reason=form.reason.data, locale=_locale()
        )
    except ServiceError as exc:
        attach_error(form, exc)
        db.session.rollback()
        return _treatment_page(db.session.get_one(IpsCase, case_id), exc.status, admission_form=form)
    flash(_("The admission is recorded. The case is paused, and the consultant has been told."), "ok")
    return redirect(url_for("sector_pages.treatment", case_id=case_id))


@bp.post("/cases/<id:case_id>/treatment/discharge")
@login_required
def discharge(case_id: int):
    case, _access = authorize(current_user, case_id, Part.SHARED_HEALTH_INFO, write=True)
    form = DischargeForm()
    if not form.validate_on_submit():
        return _treatment_page(case, 400, discharge_form=form)
    try:
        record_discharge(case_id, current_user, discharged_on=form.discharged_on.data, locale=_locale())
    except ServiceError as exc:
        attach_error(form, exc)
        db.session.rollback()
        return _treatment_page(db.session.get_one(IpsCase, case_id), exc.status, discharge_form=form)
    flash(_("The discharge is recorded. The consultant contacts the citizen within 3 days."), "ok")
    return redirect(url_for("sector_pages.treatment", case_id=case_id))


# --- The consultant's treatment-team meetings ---------------------------------------------------
@bp.route("/treatment-team", methods=["GET", "POST"])
@login_required
@shows_no_citizen_data  # dates and counts of the consultant's own meetings
def team_meetings():
    if current_user.role != Role.IPS_CONSULTANT:
        from flask import abort

        abort(404)
    today = local_today(utcnow())
    form = TeamMeetingForm() if TeamMeetingForm().is_submitted() else TeamMeetingForm(formdata=None, held_on=today)
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                record_team_meeting(
                    current_user,
                    held_on=form.held_on.data,
                    attended=form.attended.data,
                    clinicians_present=form.clinicians_present.data,
                    cases_discussed=form.cases_discussed.data,
                )
                flash(_("The meeting is recorded."), "ok")
                return redirect(url_for("sector_pages.team_meetings"))
            except ServiceError as exc:
                attach_error(form, exc)
                db.session.rollback()
                status = exc.status
        else:
            status = 400
    meetings = db.session.scalars(
        select(TreatmentTeamMeeting)
        .where(TreatmentTeamMeeting.consultant_id == current_user.id)
        .order_by(TreatmentTeamMeeting.held_on.desc())
        .limit(52)
    ).all()
    return render_template(
        "treatment_team.html", form=form, meetings=meetings, next_due=team_meeting_due(current_user.id), today=today
    ), status


def last_team_meeting(consultant_id: int) -> ScalarSelect[Any]:
    """The date of the last meeting the consultant attended, to read with other figures."""
    return (
        select(TreatmentTeamMeeting.held_on)
        .where(TreatmentTeamMeeting.consultant_id == consultant_id, TreatmentTeamMeeting.consultant_attended)
        .order_by(TreatmentTeamMeeting.held_on.desc())
        .limit(1)
        .scalar_subquery()
    )


def next_team_meeting(last: date | None) -> date:
    """The weekly meeting's follow-up: due 7 days after the last one attended (today if none)."""
    return last + timedelta(days=7) if last else local_today(utcnow())


def team_meeting_due(consultant_id: int) -> date:
    return next_team_meeting(db.session.scalar(select(last_team_meeting(consultant_id))))


# --- The jobcenter's workspace ------------------------------------------------------------------
WORKSPACE_ORDER = (
    Phase.EMPLOYED,
    Phase.IN_EDUCATION,
    Phase.JOB_SEARCH,
    Phase.ENGAGEMENT,
    Phase.JOB_ENDED,
    Phase.REFERRED,
    Phase.PAUSED,
    Phase.TRANSITIONED,
    Phase.CLOSED,
)
WORKSPACE_FILTERS: dict[str, frozenset[Phase] | None] = {"active": ON_CASELOAD, "ended": ENDED, "all": None}
WORKSPACE_FILTER_LABELS = {"active": _l("Active courses"), "ended": _l("Ended courses"), "all": _l("All")}


@bp.get("/jobcenter")
@login_required
def workspace():
    """The caseworker's citizens with their job, hours and benefit (each as the consents allow)."""
    if current_user.role != Role.JOBCENTER:
        from flask import abort

        abort(404)
    today = local_today(utcnow())
    show = request.args.get("show", "active")
    if show not in WORKSPACE_FILTERS:
        show = "active"
    query = select(IpsCase).where(case_filter(current_user))
    phases = WORKSPACE_FILTERS[show]
    if phases is not None:
        query = query.where(IpsCase.phase.in_(phases))
    # Those in work or on the way first, ended courses last; within a phase by case number.
    cases = sorted(db.session.scalars(query.limit(500)).all(), key=lambda c: (WORKSPACE_ORDER.index(c.phase), c.id))
    ids = [c.id for c in cases]
    jobs: dict[int, Placement] = {}
    for p in db.session.scalars(
        select(Placement).where(Placement.case_id.in_(ids), Placement.end_date.is_(None)).order_by(Placement.start_date)
    ):
        jobs[p.case_id] = p  # the latest running one
    benefits: dict[int, BenefitFact] = {}
    for b in db.session.scalars(
        select(BenefitFact)
        .where(BenefitFact.case_id.in_(ids), (BenefitFact.kind == BenefitKind.BENEFIT) | BenefitFact.kind.is_(None))
        .order_by(BenefitFact.created_at)
    ):
        benefits[b.case_id] = b
    rows, pairs = [], []
    for case in cases:
        access = access_for(current_user, case, today)
        if access is None:
            continue
        job = jobs.get(case.id) if access.can_read(Part.PLACEMENTS) else None
        rows.append(
            {"case": case, "job": job, "sees_job": access.can_read(Part.PLACEMENTS), "benefit": benefits.get(case.id)}
        )
        pairs += [(case.id, Part.IDENTITY), (case.id, Part.PHASE), (case.id, Part.BENEFIT_FACTS)]
        if access.can_read(Part.PLACEMENTS):
            pairs.append((case.id, Part.PLACEMENTS))
    audit_pairs(current_user, pairs, AccessAction.READ)
    return render_template("jobcenter.html", rows=rows, show=show, filters=WORKSPACE_FILTER_LABELS)


__all__ = ["bp", "last_team_meeting", "next_team_meeting", "team_meeting_due"]

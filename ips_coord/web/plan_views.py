"""The shared plan on the case page: goals in the citizen's words, actions with owners and
dates, parallel interventions, the job's supports, progress ratings, the participation
agreement and the invitation to the citizen's own view. Each part is shown and each form
accepted only as the access policy allows; writes go through services/plan.py."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .. import labels
from ..access import authorize
from ..access.policy import Access
from ..clock import utcnow
from ..extensions import db
from ..i18n import translate
from ..models import (
    CaseEvent,
    CitizenNote,
    IpsCase,
    ParallelIntervention,
    PlanAction,
    PlanGoal,
    ProgressRating,
    SupportChange,
)
from ..notifications.tasks import wake_delivery
from ..reports.progress import case_trend, rating_round
from ..services import ServiceError
from ..services import citizen_access as access_svc
from ..services import plan as plan_svc
from ..services.case_state import current_placement
from ..workflows.phases import Event, HistoryEntry, Part, Phase, Relation
from ..workflows.plan import CURRENT_INSTRUMENT, INTERVENTIONS, SUPPORT_FIELDS, PlanOwner, SupportField
from .case_forms import _c
from .case_sections import FORM_SECTION, flash_in, form_or_closed, is_open
from .forms import DecimalNumberField, EmptyForm, SafeForm, WholeNumberField

bp = Blueprint("plan", __name__)

# A network person owns an action from the network page, where the person and the consent are chosen.
OWNER_CHOICES = _c({k: v for k, v in labels.PLAN_OWNERS.items() if k != PlanOwner.NETWORK})


class StaffGoalForm(SafeForm):
    text = TextAreaField(_l("Goals in the citizen's own words (written on their behalf)"),
                         validators=[DataRequired(), Length(max=5000)])


class ActionForm(SafeForm):
    text = StringField(_l("Action"), validators=[DataRequired(), Length(max=1000)])
    owner = SelectField(_l("Owner"), choices=OWNER_CHOICES)
    due_date = DateField(_l("Due date"), validators=[Optional()])


class InterventionForm(SafeForm):
    name = StringField(_l("Intervention (e.g. CTI, ACT, peer support)"), validators=[DataRequired(), Length(max=100)])
    start_date = DateField(_l("Start date"), validators=[InputRequired()])


class EndInterventionForm(SafeForm):
    end_date = DateField(_l("End date"), validators=[InputRequired()])


def _support_text(field: SupportField) -> StringField:
    return StringField(labels.SUPPORTS[field], validators=[Optional(), Length(max=1000)])


class SupportsForm(SafeForm):
    mentor = _support_text(SupportField.MENTOR)
    mentor_hours = DecimalNumberField(labels.SUPPORTS[SupportField.MENTOR_HOURS],
                                      validators=[Optional(), NumberRange(0, 60)])
    personal_assistance = _support_text(SupportField.PERSONAL_ASSISTANCE)
    aids = _support_text(SupportField.AIDS)
    flexjob_terms = _support_text(SupportField.FLEXJOB_TERMS)
    adjustments = _support_text(SupportField.ADJUSTMENTS)


class ParticipationForm(SafeForm):
    agreed_on = DateField(_l("The citizen agreed to take part on"), validators=[InputRequired()])


def _rating_form() -> type[SafeForm]:
    fields = {dim.value: WholeNumberField(labels.DIMENSIONS[dim], validators=[
        InputRequired(), NumberRange(CURRENT_INSTRUMENT.low, CURRENT_INSTRUMENT.high)])
        for dim in CURRENT_INSTRUMENT.dimensions}
    return type("StaffRatingForm", (SafeForm,), fields)


StaffRatingForm = _rating_form()


def _of_case(model, case, *order):
    return db.session.scalars(select(model).where(model.case_id == case.id).order_by(*order)).all()


def plan_context(case: IpsCase, access: Access, forms: dict[str, Any]) -> tuple[dict[str, Any], set[Part]]:
    """What the case page shows of the plan for this reader, and the parts it shows."""
    now = utcnow()
    ctx: dict[str, Any] = {"OWNER_LABELS": labels.PLAN_OWNERS, "SUPPORT_LABELS": labels.SUPPORTS,
                 "DIMENSIONS": labels.DIMENSIONS,
                 "instrument": CURRENT_INSTRUMENT, "intervention_names": INTERVENTIONS}
    shown: set[Part] = set()
    if access.can_read(Part.SHARED_PLAN):
        shown.add(Part.SHARED_PLAN)
        ctx["plan_goals"] = _of_case(PlanGoal, case, PlanGoal.version.desc())
        ctx["plan_actions"] = _of_case(PlanAction, case, PlanAction.done_at.is_not(None), PlanAction.due_date,
                                       PlanAction.id)
        # Recorded with the enrolment, or afterwards on its own.
        ctx["participation"] = next((e for e in db.session.scalars(select(CaseEvent).where(
            CaseEvent.case_id == case.id, CaseEvent.event.in_((HistoryEntry.PARTICIPATION_AGREED, Event.ENROL)))
            .order_by(CaseEvent.seq.desc())) if (e.data or {}).get("citizen_agreed")), None)
    if access.can_write(Part.SHARED_PLAN):
        latest = ctx["plan_goals"][0].text if ctx.get("plan_goals") else ""
        ctx["plan_goal_form"] = forms.get("plan_goal") or form_or_closed(
            "plan", lambda: StaffGoalForm(formdata=None, text=latest))
        ctx["plan_action_form"] = forms.get("plan_action") or form_or_closed("plan", lambda: ActionForm(formdata=None))
    if access.can_write(Part.PHASE) and access.relation in (Relation.CONSULTANT, Relation.TEAM_CONSULTANT):
        ctx["participation_form"] = forms.get("participation") or form_or_closed(
            "plan", lambda: ParticipationForm(formdata=None, agreed_on=now.date()))
        ctx["can_invite"] = case.consultant_id == current_user.id and bool(case.citizen.email)
    if access.can_read(Part.PARALLEL_INTERVENTIONS):
        shown.add(Part.PARALLEL_INTERVENTIONS)
        ctx["interventions"] = _of_case(ParallelIntervention, case, ParallelIntervention.start_date.desc())
        if access.can_write(Part.PARALLEL_INTERVENTIONS):
            ctx["intervention_form"] = (forms.get("intervention") or form_or_closed(
                "interventions", lambda: InterventionForm(formdata=None, start_date=now.date())))
            failed = forms.get("end_intervention")
            ctx["end_forms"] = {
                i.id: failed if failed is not None and failed._prefix == f"e{i.id}-"
                else EndInterventionForm(formdata=None, prefix=f"e{i.id}", end_date=now.date())
                for i in ctx["interventions"] if i.end_date is None} if is_open("interventions") else {}
    if access.can_read(Part.PLACEMENTS) and case.phase in (Phase.EMPLOYED, Phase.IN_EDUCATION):
        placement = current_placement(case)
        ctx["support_placement"] = placement
        if placement is not None and access.can_write(Part.PLACEMENTS):
            ctx["supports_form"] = forms.get("supports") or form_or_closed(
                "supports", lambda: SupportsForm(formdata=None, data=placement.supports or {}))
            ctx["support_history"] = db.session.scalars(select(SupportChange).where(
                SupportChange.placement_id == placement.id).order_by(SupportChange.id.desc()).limit(10)).all()
    if access.can_read(Part.PROGRESS):
        shown.add(Part.PROGRESS)
        ratings = _of_case(ProgressRating, case, ProgressRating.rated_at)
        ctx["ratings"] = ratings
        ctx["rating_round"] = rating_round(case.id, ratings)
        ctx["trend"] = case_trend(ratings, _("Citizen"), _("Consultant"), _("Progress over time (average, 1-10)")) \
            if ratings else None
        if access.can_write(Part.PROGRESS):
            ctx["rating_form"] = forms.get("rating") or form_or_closed("rating", lambda: StaffRatingForm(formdata=None))
    if access.can_read(Part.CONTACT_NOTES):
        ctx["citizen_notes"] = db.session.scalars(select(CitizenNote).where(CitizenNote.case_id == case.id)
                                                  .order_by(CitizenNote.created_at.desc()).limit(5)).all()
    return ctx, shown


def _render(case_id: int, part: str, key: str, form, save, anchor: str = "plan", write: bool = True):
    from .case_page import _attach_error, render_case

    case, access = authorize(current_user, case_id, part, write)
    if not form.validate_on_submit():
        return render_case(case, access, 400, **{key: form})
    try:
        save(case, form)
    except ServiceError as exc:
        _attach_error(form, exc)
        db.session.expire_all()
        return render_case(db.session.get_one(IpsCase, case_id), access, exc.status, **{key: form})
    flash_in(_("Saved."), "ok", FORM_SECTION.get(key, key))
    return redirect(url_for("case_page.detail", case_id=case_id) + f"#{anchor}")


@bp.post("/cases/<id:case_id>/plan/goal")
@login_required
def save_goal(case_id: int):
    return _render(case_id, Part.SHARED_PLAN, "plan_goal", StaffGoalForm(),
                   lambda c, f: plan_svc.save_goal(c, f.text.data, actor=current_user))


@bp.post("/cases/<id:case_id>/plan/actions")
@login_required
def add_action(case_id: int):
    return _render(case_id, Part.SHARED_PLAN, "plan_action", ActionForm(), lambda c, f: plan_svc.add_action(
        c, text=f.text.data, owner=f.owner.data, due_date=f.due_date.data, actor=current_user))


@bp.post("/cases/<id:case_id>/plan/actions/<id:action_id>/done")
@login_required
def action_done(case_id: int, action_id: int):
    authorize(current_user, case_id, Part.SHARED_PLAN, True)
    action = db.session.get(PlanAction, action_id)
    if action is None or action.case_id != case_id:
        abort(404)
    if EmptyForm().validate_on_submit() and action.done_at is None:
        plan_svc.complete_action(action, actor=current_user)
        flash_in(_("Marked as done."), "ok", "plan")
    return redirect(url_for("case_page.detail", case_id=case_id) + "#plan")


@bp.post("/cases/<id:case_id>/plan/interventions")
@login_required
def start_intervention(case_id: int):
    return _render(case_id, Part.PARALLEL_INTERVENTIONS, "intervention", InterventionForm(),
                   lambda c, f: plan_svc.start_intervention(c, current_user, name=f.name.data,
                                                            start_date=f.start_date.data),
                   anchor="interventions")


@bp.post("/cases/<id:case_id>/plan/interventions/<id:intervention_id>/end")
@login_required
def end_intervention(case_id: int, intervention_id: int):
    authorize(current_user, case_id, Part.PARALLEL_INTERVENTIONS, True, log=False)
    row = db.session.get(ParallelIntervention, intervention_id)
    if row is None or row.case_id != case_id:
        abort(404)
    return _render(case_id, Part.PARALLEL_INTERVENTIONS, "end_intervention",
                   EndInterventionForm(prefix=f"e{intervention_id}"),
                   lambda c, f: plan_svc.end_intervention(row, current_user, end_date=f.end_date.data),
                   anchor="interventions")


@bp.post("/cases/<id:case_id>/plan/supports")
@login_required
def save_supports(case_id: int):
    def save(c, f):
        values: dict[str, Any] = {k: getattr(f, k).data for k in SUPPORT_FIELDS}
        if values.get(SupportField.MENTOR_HOURS) is not None:  # the form's Decimal, as the JSON number it is kept as
            values[SupportField.MENTOR_HOURS] = float(values[SupportField.MENTOR_HOURS])
        plan_svc.update_supports(c, current_user, values)
    return _render(case_id, Part.PLACEMENTS, "supports", SupportsForm(), save, anchor="supports")


@bp.post("/cases/<id:case_id>/plan/progress")
@login_required
def rate(case_id: int):
    return _render(case_id, Part.PROGRESS, "rating", StaffRatingForm(), lambda c, f: plan_svc.record_rating(
        c, {d: f[d].data for d in CURRENT_INSTRUMENT.dimensions}, actor=current_user), anchor="progress")


@bp.post("/cases/<id:case_id>/plan/participation")
@login_required
def participation(case_id: int):
    return _render(case_id, Part.PHASE, "participation", ParticipationForm(),
                   lambda c, f: plan_svc.record_participation(c, current_user, agreed_on=f.agreed_on.data))


@bp.post("/cases/<id:case_id>/plan/invite")
@login_required
def invite(case_id: int):
    """The consultant sends the citizen a signed, expiring, single-use link to their own view."""
    case, _access = authorize(current_user, case_id, Part.PHASE, True)
    if EmptyForm().validate_on_submit():
        try:
            access_svc.create_invitation(
                case, current_user, current_app.config["SECRET_KEY"],
                # The token rides after "#": no server or proxy log sees it (static/fragment_token.js).
                lambda token: current_app.config["BASE_URL"] + url_for("citizen.invitation") + "#" + token,
                str(get_locale() or "da"))
        except ServiceError as exc:
            flash(translate(exc.message), "warning")
            return redirect(url_for("case_page.detail", case_id=case_id) + "#plan")
        wake_delivery()
        flash(_("The invitation is sent to the citizen's e-mail address."), "ok")
    return redirect(url_for("case_page.detail", case_id=case_id) + "#plan")

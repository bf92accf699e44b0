"""The shared plan on the case page: goals in the citizen's words, actions with owners and
dates, parallel interventions, the job's supports, progress ratings, the participation
agreement and the invitation to the citizen's own view. Each part is shown and each form
accepted only as the access policy allows; writes go through services/plan.py."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import authorize
from ..extensions import db
from ..i18n import translate
from ..models import IpsCase, ParallelIntervention, PlanAction
from ..notifications.tasks import wake_delivery
from ..services import ServiceError
from ..services import citizen_access as access_svc
from ..services import plan as plan_svc
from ..workflows.phases import Part
from ..workflows.plan import CURRENT_INSTRUMENT, SUPPORT_FIELDS, SupportField
from .case_page import attach_error, render_case
from .case_sections import FORM_SECTION, flash_in
from .forms import EmptyForm
from .plan_parts import (  # the forms, named here for the pages that accept them
    ActionForm,
    EndInterventionForm,
    InterventionForm,
    ParticipationForm,
    StaffGoalForm,
    StaffRatingForm,
    SupportsForm,
)

bp = Blueprint("plan", __name__)


def _render(case_id: int, part: str, key: str, form, save, anchor: str = "plan", write: bool = True):
    case, access = authorize(current_user, case_id, part, write)
    if not form.validate_on_submit():
        return render_case(case, access, 400, **{key: form})
    try:
        save(case, form)
    except ServiceError as exc:
        attach_error(form, exc)
        db.session.expire_all()
        return render_case(db.session.get_one(IpsCase, case_id), access, exc.status, **{key: form})
    flash_in(_("Saved."), "ok", FORM_SECTION.get(key, key))
    return redirect(url_for("case_page.detail", case_id=case_id) + f"#{anchor}")


@bp.post("/cases/<id:case_id>/plan/goal")
@login_required
def save_goal(case_id: int):
    return _render(
        case_id,
        Part.SHARED_PLAN,
        "plan_goal",
        StaffGoalForm(),
        lambda c, f: plan_svc.save_goal(c, f.text.data, actor=current_user),
    )


@bp.post("/cases/<id:case_id>/plan/actions")
@login_required
def add_action(case_id: int):
    return _render(
        case_id,
        Part.SHARED_PLAN,
        "plan_action",
        ActionForm(),
        lambda c, f: plan_svc.add_action(
            c, text=f.text.data, owner=f.owner.data, due_date=f.due_date.data, actor=current_user
        ),
    )


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
    return _render(
        case_id,
        Part.PARALLEL_INTERVENTIONS,
        "intervention",
        InterventionForm(),
        lambda c, f: plan_svc.start_intervention(c, current_user, name=f.name.data, start_date=f.start_date.data),
        anchor="interventions",
    )


@bp.post("/cases/<id:case_id>/plan/interventions/<id:intervention_id>/end")
@login_required
def end_intervention(case_id: int, intervention_id: int):
    authorize(current_user, case_id, Part.PARALLEL_INTERVENTIONS, True, log=False)
    row = db.session.get(ParallelIntervention, intervention_id)
    if row is None or row.case_id != case_id:
        abort(404)
    return _render(
        case_id,
        Part.PARALLEL_INTERVENTIONS,
        "end_intervention",
        EndInterventionForm(prefix=f"e{intervention_id}"),
        lambda c, f: plan_svc.end_intervention(row, current_user, end_date=f.end_date.data),
        anchor="interventions",
    )


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
    return _render(
        case_id,
        Part.PROGRESS,
        "rating",
        StaffRatingForm(),
        lambda c, f: plan_svc.record_rating(
            c, {d: f[d].data for d in CURRENT_INSTRUMENT.dimensions}, actor=current_user
        ),
        anchor="progress",
    )


@bp.post("/cases/<id:case_id>/plan/participation")
@login_required
def participation(case_id: int):
    return _render(
        case_id,
        Part.PHASE,
        "participation",
        ParticipationForm(),
        lambda c, f: plan_svc.record_participation(c, current_user, agreed_on=f.agreed_on.data),
    )


@bp.post("/cases/<id:case_id>/plan/invite")
@login_required
def invite(case_id: int):
    """The consultant sends the citizen a signed, expiring, single-use link to their own view."""
    case, _access = authorize(current_user, case_id, Part.PHASE, True)
    if EmptyForm().validate_on_submit():
        try:
            access_svc.create_invitation(
                case,
                current_user,
                current_app.config["SECRET_KEY"],
                # The token rides after "#": no server or proxy log sees it (static/fragment_token.js).
                lambda token: current_app.config["BASE_URL"] + url_for("citizen.invitation") + "#" + token,
                str(get_locale() or "da"),
            )
        except ServiceError as exc:
            flash(translate(exc.message), "warning")
            return redirect(url_for("case_page.detail", case_id=case_id) + "#plan")
        wake_delivery()
        flash(_("The invitation is sent to the citizen's e-mail address."), "ok")
    return redirect(url_for("case_page.detail", case_id=case_id) + "#plan")

"""The shared plan's part of the case page: its forms and what the page shows of it to each
reader (goals in the citizen's words, actions with owners and dates, parallel interventions, the
job's supports, progress ratings, the participation agreement). The case page renders it;
web/plan_views.py accepts its forms."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .. import labels
from ..access.policy import Access
from ..clock import utcnow
from ..extensions import db
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
from ..reports.progress import case_trend, rating_round
from ..services.case_state import current_placement, running_placement
from ..workflows.phases import Event, HistoryEntry, Part, Phase, Relation
from ..workflows.plan import CURRENT_INSTRUMENT, INTERVENTIONS, PlanOwner, SupportField
from .case_forms import _c
from .case_sections import form_or_closed, is_open, shown_rows
from .forms import DecimalNumberField, SafeForm, WholeNumberField

# A network person owns an action from the network page, where the person and the consent are chosen.
OWNER_CHOICES = _c({k: v for k, v in labels.PLAN_OWNERS.items() if k != PlanOwner.NETWORK})


class StaffGoalForm(SafeForm):
    text = TextAreaField(
        _l("Goals in the citizen's own words (written on their behalf)"), validators=[DataRequired(), Length(max=5000)]
    )


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
    mentor_hours = DecimalNumberField(
        labels.SUPPORTS[SupportField.MENTOR_HOURS], validators=[Optional(), NumberRange(0, 60)]
    )
    personal_assistance = _support_text(SupportField.PERSONAL_ASSISTANCE)
    aids = _support_text(SupportField.AIDS)
    flexjob_terms = _support_text(SupportField.FLEXJOB_TERMS)
    adjustments = _support_text(SupportField.ADJUSTMENTS)


class ParticipationForm(SafeForm):
    agreed_on = DateField(_l("The citizen agreed to take part on"), validators=[InputRequired()])


def _rating_form() -> type[SafeForm]:
    fields = {
        dim.value: WholeNumberField(
            labels.DIMENSIONS[dim],
            validators=[InputRequired(), NumberRange(CURRENT_INSTRUMENT.low, CURRENT_INSTRUMENT.high)],
        )
        for dim in CURRENT_INSTRUMENT.dimensions
    }
    return type("StaffRatingForm", (SafeForm,), fields)


StaffRatingForm = _rating_form()


def plan_context(
    case: IpsCase, access: Access, forms: dict[str, Any], rows: dict[str, Any]
) -> tuple[dict[str, Any], set[Part]]:
    """What the case page shows of the plan for this reader, and the parts it shows. `rows`: what
    the case page read already (the history when its reader reads it, the open follow-ups)."""
    now = utcnow()
    ctx: dict[str, Any] = {
        "OWNER_LABELS": labels.PLAN_OWNERS,
        "SUPPORT_LABELS": labels.SUPPORTS,
        "DIMENSIONS": labels.DIMENSIONS,
        "instrument": CURRENT_INSTRUMENT,
        "intervention_names": INTERVENTIONS,
    }
    shown: set[Part] = set()
    if access.can_read(Part.SHARED_PLAN):
        shown.add(Part.SHARED_PLAN)
        ctx["plan_goals"] = shown_rows(PlanGoal, case.id, PlanGoal.version.desc(), entities=True)
        ctx["plan_actions"] = shown_rows(
            PlanAction, case.id, PlanAction.done_at.is_not(None), PlanAction.due_date, PlanAction.id
        )
        # Recorded with the enrolment, or afterwards on its own.
        agreed = (HistoryEntry.PARTICIPATION_AGREED, Event.ENROL)
        events = rows.get("events")
        if events is None:
            events = db.session.scalars(
                select(CaseEvent)
                .where(CaseEvent.case_id == case.id, CaseEvent.event.in_(agreed))
                .order_by(CaseEvent.seq.desc())
            )
        ctx["participation"] = next(
            (e for e in events if e.event in agreed and (e.data or {}).get("citizen_agreed")), None
        )
    if access.can_write(Part.SHARED_PLAN):
        latest = ctx["plan_goals"][0].text if ctx.get("plan_goals") else ""
        ctx["plan_goal_form"] = forms.get("plan_goal") or form_or_closed(
            "plan", lambda: StaffGoalForm(formdata=None, text=latest)
        )
        ctx["plan_action_form"] = forms.get("plan_action") or form_or_closed("plan", lambda: ActionForm(formdata=None))
    if access.can_write(Part.PHASE) and access.relation in (Relation.CONSULTANT, Relation.TEAM_CONSULTANT):
        ctx["participation_form"] = forms.get("participation") or form_or_closed(
            "plan", lambda: ParticipationForm(formdata=None, agreed_on=now.date())
        )
        ctx["can_invite"] = case.consultant_id == current_user.id and bool(case.citizen.email)
    if access.can_read(Part.PARALLEL_INTERVENTIONS):
        shown.add(Part.PARALLEL_INTERVENTIONS)
        ctx["interventions"] = shown_rows(ParallelIntervention, case.id, ParallelIntervention.start_date.desc())
        if access.can_write(Part.PARALLEL_INTERVENTIONS):
            ctx["intervention_form"] = forms.get("intervention") or form_or_closed(
                "interventions", lambda: InterventionForm(formdata=None, start_date=now.date())
            )
            failed = forms.get("end_intervention")
            ctx["end_forms"] = (
                {
                    i.id: failed
                    if failed is not None and failed._prefix == f"e{i.id}-"
                    else EndInterventionForm(formdata=None, prefix=f"e{i.id}", end_date=now.date())
                    for i in ctx["interventions"]
                    if i.end_date is None
                }
                if is_open("interventions")
                else {}
            )
    if access.can_read(Part.PLACEMENTS) and case.phase in (Phase.EMPLOYED, Phase.IN_EDUCATION):
        placement = running_placement(rows["placements"]) if "placements" in rows else current_placement(case)
        ctx["support_placement"] = placement
        if placement is not None and access.can_write(Part.PLACEMENTS):
            ctx["supports_form"] = forms.get("supports") or form_or_closed(
                "supports", lambda: SupportsForm(formdata=None, data=placement.supports or {})
            )
            ctx["support_history"] = db.session.scalars(
                select(SupportChange)
                .where(SupportChange.placement_id == placement.id)
                .order_by(SupportChange.id.desc())
                .limit(10)
            ).all()
    if access.can_read(Part.PROGRESS):
        shown.add(Part.PROGRESS)
        ratings = shown_rows(ProgressRating, case.id, ProgressRating.rated_at, entities=True)
        ctx["ratings"] = ratings
        ctx["rating_round"] = rating_round(case.id, ratings, rows.get("open_follow_ups"))
        ctx["trend"] = (
            case_trend(ratings, _("Citizen"), _("Consultant"), _("Progress over time (average, 1-10)"))
            if ratings
            else None
        )
        if access.can_write(Part.PROGRESS):
            ctx["rating_form"] = forms.get("rating") or form_or_closed("rating", lambda: StaffRatingForm(formdata=None))
    if access.can_read(Part.CONTACT_NOTES):
        ctx["citizen_notes"] = shown_rows(CitizenNote, case.id, CitizenNote.created_at.desc(), limit=5)
    return ctx, shown

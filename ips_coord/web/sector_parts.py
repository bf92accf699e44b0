"""The other sectors' parts of the case page: psychiatry's admissions, the jobcenter's benefit
facts and decisions, and the running job's hours and pay, with their forms; what each reader
sees of them. The case page renders them; web/sector_pages.py accepts their forms."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from .. import labels
from ..access.policy import Access
from ..clock import local_today, utcnow
from ..extensions import db
from ..models import Admission, BenefitFact, IpsCase
from ..services.case_state import current_placement, running_placement
from ..workflows.phases import Part, Phase, Role
from .case_sections import form_or_closed, is_open, shown_rows
from .forms import DecimalNumberField, SafeForm


def _choices(words):
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(code, label) for code, label in words.items()]


class DecisionForm(SafeForm):
    kind = SelectField(_l("Kind of decision"), choices=_choices(labels.BENEFIT_KINDS), validators=[DataRequired()])
    benefit = StringField(_l("Decision or benefit"), validators=[DataRequired(), Length(max=100)])
    outcome = SelectField(
        _l("Outcome"), choices=[*_choices({"": "–"}), *_choices(labels.DECISION_OUTCOMES)], validators=[Optional()]
    )
    hours = DecimalNumberField(_l("Hours a week"), validators=[Optional(), NumberRange(0, 80)])
    on_date = DateField(_l("Date of the decision"), validators=[Optional()])
    next_date = DateField(_l("Next date (reassessment or meeting)"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def fields_given(self) -> dict[str, Any]:
        return {
            "benefit": self.benefit.data,
            "note": self.note.data or None,
            "kind": self.kind.data,
            "outcome": self.outcome.data or None,
            "on_date": self.on_date.data,
            "next_date": self.next_date.data,
            "hours": float(self.hours.data) if self.hours.data is not None else None,
        }


class JobTermsForm(SafeForm):
    hours_per_week = DecimalNumberField(_l("New hours per week"), validators=[Optional(), NumberRange(0, 80)])
    hourly_pay = DecimalNumberField(_l("New pay per hour (kr.)"), validators=[Optional(), NumberRange(0, 10_000)])


def sectors_context(
    case: IpsCase, access: Access, forms: dict[str, Any], rows: dict[str, Any] | None = None
) -> tuple[dict[str, Any], set[Part]]:
    """What the case page shows of admissions, the jobcenter's decisions and the running job's
    terms, and the parts that shows (for the access log). `rows`: what the case page read
    already (its placements, when its reader reads them)."""
    ctx: dict[str, Any] = {}
    shown: set[Part] = set()
    today = local_today(utcnow())
    sees_reason = access.can_read(Part.SHARED_HEALTH_INFO)
    if sees_reason or access.can_read(Part.FOLLOW_UPS):
        ctx["admissions"] = shown_rows(Admission, case.id, Admission.admitted_on.desc(), Admission.id.desc())
        ctx["admission_reasons"] = sees_reason
        shown.add(Part.SHARED_HEALTH_INFO if sees_reason else Part.FOLLOW_UPS)
    if access.can_write(Part.SHARED_HEALTH_INFO) and current_user.role == Role.PSYCHIATRY:
        ctx["treatment_url"] = url_for("sector_pages.treatment", case_id=case.id)
    if access.can_write(Part.BENEFIT_FACTS):
        ctx["decision_form"] = forms.get("decision") or form_or_closed(
            "decision", lambda: DecisionForm(formdata=None, on_date=today)
        )
        # Each recorded decision can be corrected where it is listed (its own prefixed form), when
        # the decisions' section is open or a correction failed.
        if is_open("decision") or forms.get("decision_edit") is not None:
            ctx["decision_edit_forms"] = {
                b.id: forms.get("decision_edit")
                if forms.get("decision_edit_id") == b.id
                else DecisionForm(formdata=None, prefix=f"d{b.id}", obj=b)
                for b in db.session.scalars(select(BenefitFact).where(BenefitFact.case_id == case.id))
            }
    if access.can_write(Part.PLACEMENTS) and case.phase == Phase.EMPLOYED:
        read = (rows or {}).get("placements")
        placement = running_placement(read) if read is not None else current_placement(case)
        if placement is not None:
            ctx["running_job"] = placement
            ctx["terms_form"] = forms.get("terms") or form_or_closed("terms", lambda: JobTermsForm(formdata=None))
    return ctx, shown

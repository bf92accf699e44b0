"""Forms for every record on the case page. Labels are translated; choices come from ips_coord.labels."""

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .. import labels
from ..access.policy import HEALTH_CATEGORIES
from ..workflows.phases import Party, PlacementType
from .forms import DecimalNumberField, SafeForm, WholeNumberField, coerce_id


def _c(words: Mapping[Any, Any], only: Iterable[str] | None = None) -> list[SelectChoice]:
    """Choices from a labels table (all of it, or the codes in `only`, in that order).
    WTForms 3.3 wants SelectChoice objects, not (value, label) tuples."""
    return [SelectChoice(code, words[code]) for code in (words if only is None else only)]


CLOSE_REASONS = _c({**labels.CLOSE_REASONS, **labels.FORBIDDEN_CLOSE_REASONS})
END_REASONS = _c(labels.END_REASONS)
PLACEMENT_TYPES = _c(
    labels.PLACEMENT_TYPES,
    (
        PlacementType.ORDINARY_JOB,
        PlacementType.FLEXJOB,
        PlacementType.EDUCATION,
        PlacementType.INTERNSHIP,
        PlacementType.WAGE_SUBSIDY,
    ),
)
STEP_TYPES = _c(
    labels.PLACEMENT_TYPES,
    (PlacementType.INTERNSHIP, PlacementType.WAGE_SUBSIDY, PlacementType.SHELTERED, PlacementType.OTHER),
)
CONTACT_KINDS = _c(labels.CONTACT_KINDS)
LOCATIONS = _c(labels.LOCATIONS)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TransitionForm(SafeForm):
    event = HiddenField(validators=[DataRequired()])
    version = WholeNumberField(validators=[InputRequired()])
    reason = SelectField(_l("Reason"), choices=CLOSE_REASONS, validators=[Optional()])
    psychiatry_contact_id = SelectField(_l("Psychiatry contact"), coerce=coerce_id, validators=[Optional()])
    employer_name = StringField(_l("Employer or school"), validators=[Optional(), Length(max=200)])
    job_title = StringField(_l("Job title"), validators=[Optional(), Length(max=200)])
    placement_type = SelectField(_l("Type"), choices=PLACEMENT_TYPES, validators=[Optional()])
    hours_per_week = DecimalNumberField(_l("Hours per week"), validators=[Optional(), NumberRange(0, 80)])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    benefits_counselling_offered = BooleanField(_l("Benefits counselling offered"))
    citizen_agreed = BooleanField(_l("The citizen has agreed to take part"))
    # The citizen's consents to the parties the workflow notifies, recorded with the enrolment.
    consent_psychiatry = BooleanField(
        _l(
            "The citizen consents: psychiatry is told of the course (start meeting, "
            "job, education, endings) and sees the employment progress"
        )
    )
    consent_jobcenter = BooleanField(_l("The citizen consents: the jobcenter sees jobs, education and the shared plan"))
    end_reason = SelectField(_l("Why it ended"), choices=END_REASONS, validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    resume_date = DateField(_l("Planned resume date"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


# Which fields each event's form shows.
EVENT_FIELDS = {
    "enrol": ["psychiatry_contact_id", "citizen_agreed", "consent_psychiatry", "consent_jobcenter", "note"],
    "re_enter": ["psychiatry_contact_id", "consent_psychiatry", "consent_jobcenter", "note"],
    "start_job": [
        "employer_name",
        "job_title",
        "placement_type",
        "hours_per_week",
        "start_date",
        "benefits_counselling_offered",
    ],
    "start_education": ["employer_name", "start_date", "benefits_counselling_offered"],
    "end_job": ["end_reason", "end_date", "note"],
    "end_education": ["end_reason", "end_date", "note"],
    "pause": ["resume_date", "note"],
    "close": ["reason", "note"],
}


class ContactForm(SafeForm):
    kind = SelectField(_l("Kind"), choices=CONTACT_KINDS)
    occurred_at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    location = SelectField(_l("Where"), choices=LOCATIONS)
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=5000)])
    # One of the team's conversation guides, or none (0); the service checks it is the team's.
    guide_id = SelectField(_l("Conversation guide used"), coerce=coerce_id, default=0, validate_choice=False)

    def with_guides(self, guides) -> "ContactForm":
        self.guide_id.choices = [(0, "–"), *((g.id, g.title) for g in guides)]
        return self


PURPOSES = _c(labels.CONTACT_PURPOSES)


class EmployerContactForm(SafeForm):
    employer_name = StringField(_l("Employer"), validators=[DataRequired(), Length(max=200)])
    person_id = SelectField(_l("Who was met"), coerce=coerce_id, validators=[Optional()])
    purpose = SelectField(_l("Purpose"), choices=[SelectChoice("", "–"), *PURPOSES], validators=[Optional()])
    occurred_at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    face_to_face = BooleanField(_l("Face to face"), default=True)
    location = SelectField(_l("Where"), choices=LOCATIONS)
    # A searchable field: a name, a case number or a line of the datalist ("Alma Engtoft (IPS-000121)").
    case_id = StringField(_l("For citizen (optional)"), validators=[Optional(), Length(max=200)])
    outcome = TextAreaField(_l("Outcome"), validators=[Optional(), Length(max=2000)])
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=500)])
    next_step_due = DateField(_l("Next step by"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class ReviewForm(SafeForm):
    held_at = DateTimeLocalField(_l("Held"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    clinician_present = BooleanField(_l("Clinician took part"))
    what_worked = TextAreaField(_l("What worked"), validators=[Optional(), Length(max=5000)])
    what_did_not = TextAreaField(_l("What did not work"), validators=[Optional(), Length(max=5000)])
    adjust_hours = StringField(_l("Adjust hours"), validators=[Optional(), Length(max=1000)])
    adjust_tasks = StringField(_l("Adjust tasks"), validators=[Optional(), Length(max=1000)])
    adjust_mentor = StringField(_l("Mentor"), validators=[Optional(), Length(max=1000)])
    adjust_aids = StringField(_l("Aids"), validators=[Optional(), Length(max=1000)])
    adjust_disclosure = StringField(_l("Disclosure"), validators=[Optional(), Length(max=1000)])
    job_preferences = TextAreaField(
        _l("Updated job preferences (career profile)"), validators=[Optional(), Length(max=5000)]
    )


class ProfileForm(SafeForm):
    wishes_and_dreams = TextAreaField(
        _l("Wishes and dreams, in the citizen's words"), validators=[Optional(), Length(max=5000)]
    )
    job_preferences = TextAreaField(_l("Job preferences"), validators=[Optional(), Length(max=5000)])
    work_history = TextAreaField(_l("Work history"), validators=[Optional(), Length(max=5000)])
    education = TextAreaField(_l("Education"), validators=[Optional(), Length(max=5000)])
    strengths = TextAreaField(_l("Strengths"), validators=[Optional(), Length(max=5000)])
    support_needs = TextAreaField(_l("Support needs"), validators=[Optional(), Length(max=5000)])
    disclosure = SelectField(_l("Disclosure to the employer"), choices=_c(labels.DISCLOSURES))
    relatives_involved = TextAreaField(_l("Relatives and network involved"), validators=[Optional(), Length(max=2000)])


class ConsentForm(SafeForm):
    from_party = SelectField(
        _l("From"), choices=_c(labels.PARTIES, (Party.PSYCHIATRY, Party.IPS_TEAM, Party.JOBCENTER))
    )
    to_party = SelectField(_l("To"), choices=_c(labels.PARTIES, (Party.IPS_TEAM, Party.PSYCHIATRY, Party.JOBCENTER)))
    categories = MultiCheckboxField(
        _l("What may be shared"), choices=_c(labels.CATEGORIES), validators=[DataRequired()]
    )
    purpose = StringField(_l("Purpose"), validators=[DataRequired(), Length(min=3, max=500)])
    given_at = DateField(_l("Given on"), validators=[InputRequired()])
    expires_at = DateField(_l("Expires on (optional)"), validators=[Optional()])


class WithdrawConsentForm(SafeForm):
    """Withdrawing stops sharing at once: say who asked, and confirm."""

    requested_by = SelectField(_l("Who asked for the withdrawal"), choices=_c(labels.WITHDRAWAL_REQUESTERS))
    confirm = BooleanField(
        _l("Yes, withdraw the consent: sharing under it stops at once"),
        validators=[DataRequired(_l("Confirm the withdrawal."))],
    )


class SharedHealthInfoForm(SafeForm):
    category = SelectField(_l("Category"), choices=_c(labels.CATEGORIES, HEALTH_CATEGORIES))
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=5000)])
    confirm_unseen = BooleanField(_l("Save it even though the IPS team cannot see it under the current consents"))


class ReferralForm(SafeForm):
    first_name = StringField(_l("First name"), validators=[DataRequired(), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[DataRequired(), Length(max=100)])
    birth_year = WholeNumberField(_l("Birth year"), validators=[Optional(), NumberRange(1900, 2100)])
    cpr = StringField(
        _l("CPR number"),
        validators=[Optional(), Length(max=20)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    municipality = StringField(_l("Municipality"), validators=[Optional(), Length(max=100)])
    own_goal = TextAreaField(_l("The citizen's own goal, in their words"), validators=[Optional(), Length(max=2000)])
    ips_team_id = SelectField(_l("IPS team"), coerce=coerce_id, validators=[DataRequired()])
    psychiatry_contact_id = SelectField(_l("Psychiatry contact"), coerce=coerce_id, validators=[Optional()])
    jobcenter_caseworker_id = SelectField(_l("Jobcenter caseworker"), coerce=coerce_id, validators=[Optional()])
    out_of_work = BooleanField(_l("Out of work at referral"), default=True)
    referral_reason = SelectField(
        _l("Why is the citizen referred?"),
        choices=[SelectChoice("", "–"), *_c(labels.REFERRAL_REASONS)],
        validators=[Optional()],
    )


class StepForm(SafeForm):
    """Internship, wage subsidy, sheltered work: steps toward employer contact, never the goal."""

    type = SelectField(_l("Type"), choices=STEP_TYPES)
    employer_name = StringField(_l("Employer"), validators=[DataRequired(), Length(max=200)])
    start_date = DateField(_l("Start date"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[Optional()])

"""Forms of the citizen's own view (plain words; Danish by default)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from .. import labels
from ..workflows.plan import CURRENT_INSTRUMENT
from .forms import SafeForm, WholeNumberField


class InvitationForm(SafeForm):
    # From the link's fragment, put here by static/fragment_token.js; sent in the POST body only.
    token = HiddenField(validators=[DataRequired(), Length(max=500)])


class CitizenEmailForm(SafeForm):
    email = EmailField(_l("Your e-mail address"), validators=[DataRequired(), Length(max=254)])


class CitizenCodeForm(SafeForm):
    code = StringField(_l("The code from the e-mail"), validators=[DataRequired(), Length(min=6, max=6)])


class GoalForm(SafeForm):
    text = TextAreaField(_l("My goals, in my own words"), validators=[DataRequired(), Length(max=5000)])


class NoteForm(SafeForm):
    text = TextAreaField(_l("What I want to talk about next time"), validators=[DataRequired(), Length(max=5000)])


class WithdrawForm(SafeForm):
    confirm = BooleanField(_l("Yes, I want to withdraw this consent. Sharing under it stops at once."))


def _rating_form() -> type[SafeForm]:
    fields = {
        dim.value: WholeNumberField(
            labels.DIMENSIONS[dim],
            validators=[InputRequired(), NumberRange(CURRENT_INSTRUMENT.low, CURRENT_INSTRUMENT.high)],
        )
        for dim in CURRENT_INSTRUMENT.dimensions
    }
    return type("RatingForm", (SafeForm,), fields)


RatingForm = _rating_form()

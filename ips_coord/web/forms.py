from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from ..validation import INT4_MAX, decimal_number, whole_number
from .guards import unstorable


class _Catalogue:
    """WTForms' own messages ("This field is required.") from the app's catalogue: WTForms ships
    no Danish, so the Danish for them is in messages.po."""

    def gettext(self, string):
        from flask_babel import get_translations

        return get_translations().gettext(string)

    def ngettext(self, singular, plural, n):
        from flask_babel import get_translations

        return get_translations().ngettext(singular, plural, n)


CATALOGUE = _Catalogue()
# Flask-WTF's CSRF messages are plain strings; marked here so the catalogue holds them.
CSRF_MESSAGES = (
    _l("The CSRF token is missing."),
    _l("The CSRF session token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
    _l("The CSRF tokens do not match."),
)


class WholeNumberField(IntegerField):
    """An integer field read by the one parser (validation.whole_number): ASCII digits only and
    within the column's range (PostgreSQL integer unless told), so "²", "٣" or 20 digits are a
    message next to the field, never a 500 from int() or from the database."""

    def __init__(self, label=None, validators=None, minimum: int = -INT4_MAX - 1, maximum: int = INT4_MAX, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.minimum, self.maximum = minimum, maximum

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        number = whole_number(valuelist[0], minimum=self.minimum, maximum=self.maximum)
        if number is None:
            raise ValueError(self.gettext("Not a valid integer value."))  # the form is invalid: data unused
        self.data = number


class DecimalNumberField(DecimalField):
    """A decimal field read by validation.decimal_number: "7.5" or "7,5"; "NaN", "sNaN", "1e999"
    or "٣" are a message next to the field (decimal.Decimal takes them, and NumberRange then
    fails on a signalling NaN)."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        number = decimal_number(valuelist[0])
        if number is None:
            raise ValueError(self.gettext("Not a valid decimal value."))
        self.data = number


def coerce_id(value) -> int:
    """SelectField's coerce for ids (0 stands for "none" in some lists): ValueError, which the
    field shows as an invalid choice, for anything else."""
    number = whole_number(value, minimum=0, maximum=INT4_MAX)
    if number is None:
        raise ValueError(value)
    return number


class SafeForm(FlaskForm):
    """Every form: text the database cannot store (a NUL character) is an error on its field."""

    class Meta:
        def get_translations(self, form):
            return CATALOGUE

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:
            csrf.errors = [CATALOGUE.gettext(e) if isinstance(e, str) else e for e in csrf.errors]
        for field in self:
            values = field.data if isinstance(field.data, list) else [field.data]
            if any(isinstance(v, str) and unstorable(v) for v in values):
                field.errors = [*field.errors, _l("Contains a character that cannot be stored (NUL).")]
                ok = False
        return ok


class LoginForm(SafeForm):
    # No format check: any wrong address simply fails to log in, with the one message.
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class LanguageForm(SafeForm):
    lang = StringField(validators=[AnyOf(["da", "en"])])


class QuickContactForm(SafeForm):
    """Where a one-click contact took place (community work counts for fidelity)."""

    location = StringField(validators=[AnyOf(["community", "office", "phone", "video"])], default="community")
    note = StringField(_l("Note (optional)"), validators=[Length(max=500)])


class EmptyForm(SafeForm):
    """A form with only the CSRF token, for POST buttons (logout...)."""

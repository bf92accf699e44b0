from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from .guards import unstorable


class SafeForm(FlaskForm):
    """Every form: text the database cannot store (a NUL character) is an error on its field."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
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


class EmptyForm(SafeForm):
    """A form with only the CSRF token, for POST buttons (logout...)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, Length


class LoginForm(FlaskForm):
    # No format check: any wrong address simply fails to log in, with the one message.
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class LanguageForm(FlaskForm):
    lang = StringField(validators=[AnyOf(["da", "en"])])


class QuickContactForm(FlaskForm):
    """Where a one-click contact took place (community work counts for fidelity)."""

    location = StringField(validators=[AnyOf(["community", "office", "phone", "video"])], default="community")


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons (logout...)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    # No format check: any wrong address simply fails to log in, with the one message.
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class LanguageForm(FlaskForm):
    lang = SelectField(choices=[("da", "Dansk"), ("en", "English")])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for POST buttons (logout...)."""

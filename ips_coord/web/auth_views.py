from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ..auth import authenticate
from ..extensions import db
from .forms import EmptyForm, LanguageForm, LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: no open redirect through ?next=.
    if not target or urlsplit(target).netloc or urlsplit(target).scheme or not target.startswith("/"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            # Same message for an unknown user and a wrong password.
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            session.clear()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("cases.index"))
    return render_template("login.html", form=form), 200 if request.method == "GET" or form.errors == {} else 400


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.lang.data
        if current_user.is_authenticated:
            current_user.locale = form.lang.data  # remembered for emails and the next login
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("cases.index"))

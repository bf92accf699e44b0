"""A staff user's own account: change the password, the personal calendar feed, and the
forgotten-password pages (signed, expiring, single-use link by e-mail).

The reset link carries its token in the URL's fragment (`/password/reset#<token>`): a browser
never sends a fragment to the server, so the token appears in no request line, access log or
Referer. static/fragment_token.js moves it into the form, and it arrives in the POST body only.

The calendar feed (`/calendar/<key>.ics`) is for Outlook and other calendar programs, which
cannot log in: the secret address is the credential. It lists the user's open follow-ups by
case number and kind only (no citizen's name, no health data) and is audited like a case list.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from icalendar import Calendar, Event
from sqlalchemy import select
from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from .. import labels
from ..access.audit import audit_many, shows_no_citizen_data
from ..auth import start_session
from ..clock import to_local, utcnow
from ..extensions import db, limiter
from ..i18n import translate
from ..models import FollowUp
from ..models.case import case_reference
from ..notifications.tasks import wake_delivery
from ..services import ServiceError, calendar_feed, passwords
from ..workflows.phases import FollowUpStatus, Part
from .forms import EmptyForm, SafeForm
from .guards import no_sooner_than

bp = Blueprint("account", __name__)
FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=365)
FEED_LIMIT = 500


class ChangePasswordForm(SafeForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class ForgotForm(SafeForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetForm(SafeForm):
    token = HiddenField(validators=[Length(max=500)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


def _field_error(form, exc: ServiceError) -> None:
    target = getattr(form, exc.field, None) if exc.field else None
    (target.errors if target is not None and isinstance(target.errors, list) else form.form_errors).append(
        translate(exc.message)
    )


def _page(status: int = 200, *, form: ChangePasswordForm | None = None, feed_url: str | None = None):
    return render_template(
        "account.html",
        form=form or ChangePasswordForm(formdata=None),
        feed=calendar_feed.feed_of(current_user),
        feed_url=feed_url,
        empty_form=EmptyForm(),
    ), status


@bp.get("/account")
@login_required
@shows_no_citizen_data  # the user's own account
def index():
    return _page()


@bp.post("/account/password")
@login_required
def change_password():
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _page(400, form=form)
    try:
        passwords.change_password(current_user, form.current_password.data, form.new_password.data)
    except ServiceError as exc:
        _field_error(form, exc)
        return _page(exc.status, form=form)
    # Every session of the account has ended; this device carries on in a new one.
    user = current_user._get_current_object()  # werkzeug's proxy: login_user needs the object
    session.clear()
    session.permanent = True
    start_session(user)
    login_user(user)
    session["seen"] = utcnow().timestamp()
    flash(_("Your password is changed. You are logged out on your other devices."), "ok")
    return redirect(url_for("account.index"))


def _feed_url(key: str) -> str:
    return current_app.config["BASE_URL"] + url_for("account.calendar", key=key)


@bp.post("/account/calendar")
@login_required
def new_calendar_key():
    if not EmptyForm().validate_on_submit():
        abort(400)
    key = calendar_feed.new_key(current_user)
    flash(_("Your calendar address is ready. Copy it now: it is shown only this once."), "ok")
    return _page(feed_url=_feed_url(key))  # shown once, like an API token, never stored in the clear


@bp.post("/account/calendar/revoke")
@login_required
def revoke_calendar():
    if EmptyForm().validate_on_submit() and calendar_feed.revoke(current_user):
        flash(_("The calendar address is revoked. Calendars that use it get nothing more."), "ok")
    return redirect(url_for("account.index") + "#calendar")


@bp.get("/calendar/<key>.ics")
@limiter.limit("120 per hour")
def calendar(key: str):
    """The user's open follow-ups as an iCalendar feed: all-day events by case number and kind."""
    user = calendar_feed.user_for_key(key)
    if user is None:
        abort(404)
    now = utcnow()
    rows = db.session.scalars(
        select(FollowUp)
        .where(
            FollowUp.assignee_id == user.id,
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.due_at >= now - FEED_PAST,
            FollowUp.due_at <= now + FEED_AHEAD,
        )
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(FEED_LIMIT)
    ).all()
    cal = Calendar()
    cal.add("prodid", "-//ips-coord//calendar feed//DA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "IPS")
    base = current_app.config["BASE_URL"]
    with force_locale(user.locale or "da"):
        for fu in rows:
            reference = case_reference(fu.case_id)
            event = Event()
            event.add("uid", f"follow-up-{fu.id}@ips-coord")
            # A calendar service reads this: kinds that tell of treatment by the neutral word.
            event.add("summary", f"{reference}: {labels.outward_follow_up_kind(fu.kind)}")
            event.add("dtstart", to_local(fu.due_at).date())
            event.add("dtend", to_local(fu.due_at).date() + timedelta(days=1))
            event.add("dtstamp", now)
            event.add("url", f"{base}/cases/{fu.case_id}")
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    audit_many(user, sorted({fu.case_id for fu in rows}), Part.FOLLOW_UPS)  # seen in a list: a read of each
    return Response(
        cal.to_ical(),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": "inline; filename=ips.ics",
            "Cache-Control": "private, no-store",
            "Referrer-Policy": "no-referrer",
        },
    )


# --- Forgotten password ----------------------------------------------------------------------
@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
@shows_no_citizen_data  # a form for an e-mail address
def forgot():
    if not current_app.config.get("LOCAL_PASSWORDS", True):
        abort(404)  # no passwords here: the organisation's identity provider signs staff in
    form = ForgotForm()
    if form.validate_on_submit():
        # The same answer, in the same time, whether the address is known or not.
        started = time.monotonic()
        passwords.request_reset(
            form.email.data,
            current_app.config["SECRET_KEY"],
            lambda token: current_app.config["BASE_URL"] + url_for("account.reset") + "#" + token,
        )
        wake_delivery()
        flash(_("If the address belongs to an account, a link is on its way. It works once, for 1 hour."), "ok")
        no_sooner_than(started)
        return redirect(url_for("auth.login"))
    return render_template("password_forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"])
@shows_no_citizen_data  # a form for a new password; the token arrives in the POST body only
def reset():
    form = ResetForm()
    if form.validate_on_submit():
        try:
            passwords.reset_password(form.token.data or "", current_app.config["SECRET_KEY"], form.new_password.data)
        except ServiceError as exc:
            _field_error(form, exc)
            return render_template("password_reset.html", form=form), exc.status
        flash(_("Your new password is saved. Log in with it."), "ok")
        return redirect(url_for("auth.login"))
    return render_template("password_reset.html", form=form), 400 if form.errors else 200

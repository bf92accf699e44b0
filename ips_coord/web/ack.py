"""The acknowledge link in psychiatry's emails: no login, signed, expiring, single use.

GET shows what is being acknowledged with one button; the POST records it. A GET never
changes anything, so mail scanners that open links cannot acknowledge on someone's behalf.
"""
from flask import Blueprint, render_template

from ..access.audit import audit_many
from ..access.policy import HISTORY
from ..extensions import db
from ..models import User
from ..notifications.ack import AckError, notification_for_token
from ..services.notifications import acknowledge
from .forms import EmptyForm

bp = Blueprint("ack", __name__)


@bp.route("/ack/<token>", methods=["GET", "POST"])
def acknowledge_page(token: str):
    try:
        row = notification_for_token(token)
    except AckError as exc:
        status = 410 if exc.reason == "expired" else 404
        return render_template("ack.html", state=exc.reason, row=None, form=None), status
    form = EmptyForm()
    if form.validate_on_submit():
        state = "done" if acknowledge(row) else "already"
        return render_template("ack.html", state=state, row=row, form=None)
    state = "already" if row.acknowledged_at else "confirm"
    # The signed link stands for its recipient: showing the case's job ending is their read.
    audit_many(db.session.get(User, row.recipient_id), [row.case_id], HISTORY)
    return render_template("ack.html", state=state, row=row, form=form)

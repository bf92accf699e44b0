"""The acknowledge link in psychiatry's emails: no login, signed, expiring, single use.

The link is `/ack#<token>`: the token rides after "#", which a browser never sends, so it is in
no request line, proxy or access log (static/fragment_token.js moves it into a form). The page
POSTs it at once to learn what it acknowledges and shows that with one button; only pressing the
button records the acknowledgement, so a mail scanner that opens links acknowledges nothing.
"""

from flask import Blueprint, render_template
from wtforms import HiddenField
from wtforms.validators import AnyOf, DataRequired, Length

from ..access.audit import audit_many, shows_no_citizen_data
from ..extensions import db
from ..models import User
from ..notifications.ack import AckError, notification_for_token
from ..services.notifications import acknowledge
from ..workflows.phases import Part
from .forms import SafeForm

bp = Blueprint("ack", __name__)


class AckForm(SafeForm):
    token = HiddenField(validators=[DataRequired(), Length(max=500)])
    # "show" asks what the link acknowledges (sent by the page itself); "ack" is the person's click.
    step = HiddenField(validators=[AnyOf(["show", "ack"])], default="show")


@bp.get("/ack")
@shows_no_citizen_data  # a form that picks the token out of the link; nothing about the case yet
def acknowledge_page():
    return render_template("ack.html", state="open", row=None, form=AckForm(formdata=None))


@bp.post("/ack")
def acknowledge_post():
    form = AckForm()
    if not form.validate_on_submit():
        return render_template("ack.html", state="invalid", row=None, form=None), 400
    try:
        row = notification_for_token(form.token.data)
    except AckError as exc:
        status = 410 if exc.reason == "expired" else 404
        return render_template("ack.html", state=exc.reason, row=None, form=None), status
    if form.step.data == "ack":
        state = "done" if acknowledge(row) else "already"
        return render_template("ack.html", state=state, row=row, form=None)
    state = "already" if row.acknowledged_at else "confirm"
    # The signed link stands for its recipient: showing the case's job ending is their read.
    audit_many(db.session.get(User, row.recipient_id), [row.case_id], Part.HISTORY)
    form.step.data = "ack"
    return render_template("ack.html", state=state, row=row, form=form)


@bp.route("/ack/<token>", methods=["GET", "POST"])
@shows_no_citizen_data  # never reads its value
def retired_link(token: str):
    """Links of e-mails sent before the token moved after "#". Their tokens sat in access logs, so
    they are signed for another purpose and never accepted: the page says where to acknowledge."""
    del token
    return render_template("ack.html", state="retired", row=None, form=None), 410

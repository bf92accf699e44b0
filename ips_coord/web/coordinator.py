"""The coordinator's pages. Here: notifications that could not be delivered, and escalations."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, update

from ..clock import utcnow
from ..extensions import db
from ..models import IpsCase, Notification, User
from ..workflows.phases import NotificationStatus, Role
from .forms import EmptyForm

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


@bp.before_request
@login_required
def _coordinators_only():
    if current_user.role != Role.COORDINATOR:
        abort(404)


def _team_notifications():
    team_cases = select(IpsCase.id).where(IpsCase.ips_team_id == current_user.organisation_id)
    team_users = select(User.id).where(User.organisation_id == current_user.organisation_id)
    return select(Notification).where(
        (Notification.case_id.in_(team_cases)) | (Notification.recipient_id.in_(team_users)))


@bp.get("/notifications")
def notifications():
    failed = db.session.scalars(_team_notifications().where(Notification.status == NotificationStatus.FAILED)
                                .order_by(Notification.created_at.desc()).limit(200)).all()
    unacknowledged = db.session.scalars(_team_notifications().where(
        Notification.requires_ack.is_(True), Notification.acknowledged_at.is_(None),
        Notification.status == NotificationStatus.SENT, Notification.kind != "ack_reminder")
        .order_by(Notification.created_at).limit(200)).all()
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({n.recipient_id for n in failed + unacknowledged})))}
    return render_template("coordinator_notifications.html", failed=failed, unacknowledged=unacknowledged,
                           users=users, form=EmptyForm())


@bp.post("/notifications/<id:notification_id>/retry")
def retry(notification_id: int):
    form = EmptyForm()
    row = db.session.scalar(_team_notifications().where(Notification.id == notification_id))
    if row is None:
        abort(404)
    if form.validate_on_submit() and row.status == NotificationStatus.FAILED:
        db.session.execute(update(Notification).where(Notification.id == row.id,
                                                      Notification.status == NotificationStatus.FAILED)
                           .values(status=NotificationStatus.PENDING, next_attempt_at=utcnow(), attempts=0))
        db.session.commit()
        flash(_("The e-mail will be sent again."), "ok")
    return redirect(url_for("coordinator.notifications"))

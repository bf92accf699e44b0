"""The coordinator's pages. Here: notifications that could not be delivered, and escalations."""
import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select, update

from ..clock import utcnow
from ..extensions import db
from ..models import FollowUp, IpsCase, Notification, User
from ..reports.country import ACTIVE_PHASES, CASELOAD_LIMIT, country_overview
from ..reports.fidelity import fidelity
from ..reports.outcomes import METRICS, outcomes, svg_line
from ..workflows.phases import FollowUpStatus, NotificationStatus, OrgKind, Role
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


def is_national(user) -> bool:
    return user.organisation is not None and user.organisation.kind == OrgKind.NATIONAL


@bp.get("")
def overview():
    """Caseload per consultant against 20, phases, overdue follow-ups, escalations, notifications."""
    if is_national(current_user):
        return redirect(url_for("coordinator.country"))
    team = current_user.organisation_id
    now = utcnow()
    consultants = db.session.scalars(select(User).where(User.role == Role.IPS_CONSULTANT,
                                                        User.organisation_id == team).order_by(User.name)).all()
    caseload = dict(db.session.execute(
        select(IpsCase.consultant_id, func.count()).where(IpsCase.ips_team_id == team,
                                                          IpsCase.phase.in_(ACTIVE_PHASES))
        .group_by(IpsCase.consultant_id)).all())
    overdue = dict(db.session.execute(
        select(FollowUp.assignee_id, func.count()).join(IpsCase, IpsCase.id == FollowUp.case_id)
        .where(IpsCase.ips_team_id == team, FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_at < now)
        .group_by(FollowUp.assignee_id)).all())
    phases = dict(db.session.execute(select(IpsCase.phase, func.count()).where(IpsCase.ips_team_id == team)
                                     .group_by(IpsCase.phase)).all())
    escalations = db.session.execute(
        select(FollowUp, IpsCase).join(IpsCase, IpsCase.id == FollowUp.case_id)
        .where(IpsCase.ips_team_id == team, FollowUp.status == FollowUpStatus.OPEN,
               FollowUp.escalated_at.is_not(None)).order_by(FollowUp.escalated_at.desc()).limit(100)).all()
    unacknowledged = db.session.scalar(select(func.count()).select_from(_team_notifications().where(
        Notification.requires_ack, Notification.acknowledged_at.is_(None),
        Notification.status == NotificationStatus.SENT, Notification.kind != "ack_reminder").subquery()))
    failed = db.session.scalar(select(func.count()).select_from(
        _team_notifications().where(Notification.status == NotificationStatus.FAILED).subquery()))
    rows = [{"user": u, "caseload": caseload.get(u.id, 0), "overdue": overdue.get(u.id, 0)} for u in consultants]
    return render_template("coordinator_overview.html", rows=rows, limit=CASELOAD_LIMIT, phases=phases,
                           escalations=escalations, unacknowledged=unacknowledged, failed=failed, now=now,
                           total=sum(phases.values()))


@bp.get("/country")
def country():
    """Every team in the country, aggregates only (a national coordinator's page)."""
    if not is_national(current_user):
        abort(404)
    return render_template("coordinator_country.html", now=utcnow(), **country_overview(utcnow()))


@bp.get("/reports")
def reports():
    """Outcomes per quarter under a chosen, named metric, trends and the fidelity panel."""
    metric = request.args.get("metric", "ipsec-v1")
    if metric not in METRICS:
        metric = "ipsec-v1"
    now = utcnow()
    rows = outcomes(current_user.organisation_id, now.date(), metric)
    labels = [r["quarter"][2:] for r in rows]
    charts = {
        "rate": svg_line([r["employment_rate"] for r in rows], labels, _("Employment rate (percent)")),
        "starts": svg_line([r["job_starts"] for r in rows], labels, _("Job starts")),
    }
    return render_template("coordinator_reports.html", rows=rows, metric=METRICS[metric], metrics=METRICS,
                           charts=charts, fidelity=fidelity(current_user.organisation_id, now))


@bp.get("/reports/outcomes.csv")
def outcomes_csv():
    metric = request.args.get("metric", "ipsec-v1")
    rows = outcomes(current_user.organisation_id, utcnow().date(), metric if metric in METRICS else "ipsec-v1")
    columns = ["quarter", "metric", "served", "employed", "employment_rate", "first_job_starts", "job_starts",
               "flexjob_starts", "education_starts", "job_endings", "early_endings",
               "median_days_to_first_employer_contact"]
    return _csv("outcomes.csv", columns, [[r[c] for c in columns] for r in rows])


@bp.get("/caseload.csv")
def caseload_csv():
    team = current_user.organisation_id
    cases = db.session.execute(select(IpsCase, User).outerjoin(User, User.id == IpsCase.consultant_id)
                               .where(IpsCase.ips_team_id == team).order_by(IpsCase.id)).all()
    return _csv("caseload.csv", ["reference", "phase", "consultant", "referred", "enrolled", "last_contact"],
                [[c.reference, c.phase, u.name if u else "", c.referred_at.date(), c.enrolled_at.date() if c.enrolled_at
                  else "", c.last_contact_at.date() if c.last_contact_at else ""] for c, u in cases])


def _csv(name, columns, rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/notifications")
def notifications():
    failed = db.session.scalars(_team_notifications().where(Notification.status == NotificationStatus.FAILED)
                                .order_by(Notification.created_at.desc()).limit(200)).all()
    unacknowledged = db.session.scalars(_team_notifications().where(
        Notification.requires_ack, Notification.acknowledged_at.is_(None),
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

"""The coordinator's pages. Here: notifications that could not be delivered, and escalations."""

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..access.audit import REFUSED, audit, audit_many, audit_pairs, shows_no_citizen_data
from ..clock import local_today, to_local, utcnow
from ..extensions import db
from ..i18n import decimal, percent, translate
from ..labels import CSV_HEADINGS, END_REASONS, FOLLOW_UP_KINDS, PHASES, SERVICE_SCOPES
from ..models import AccessLog, FollowUp, IpsCase, Notification, User
from ..models.case import case_reference
from ..reports.country import country_figures
from ..reports.fidelity import fidelity, team_consultants
from ..reports.job_development import contact_figures, job_development, report_since
from ..reports.outcomes import METRICS, outcomes, team_rows
from ..reports.progress import svg_lines
from ..reports.referrals import notification_counts, team_notification
from ..services import ServiceError, integrations
from ..services.activities import merge_referral
from ..services.followups import moves_per_consultant
from ..services.notifications import send_again
from ..workflows.constants import CASELOAD_LIMIT
from ..workflows.phases import (
    ACTIVE,
    ON_CASELOAD,
    AccessAction,
    AuditPart,
    FollowUpStatus,
    NotificationKind,
    NotificationStatus,
    OrgKind,
    Part,
    Role,
)
from . import spreadsheet
from .formatting import local_date, metric_name, quarter_label
from .forms import EmptyForm
from .guards import query_id, roles_only

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


bp.before_request(roles_only({Role.COORDINATOR}))


def _team_notifications():
    return select(Notification).where(team_notification(current_user.organisation_id))


def is_national(user) -> bool:
    return user.organisation is not None and user.organisation.kind == OrgKind.NATIONAL


@bp.get("")
def overview():
    """Caseload per consultant against 20, phases, overdue follow-ups, escalations, notifications."""
    if is_national(current_user):
        return redirect(url_for("coordinator.country"))
    team = current_user.organisation_id
    now = utcnow()
    consultants = db.session.scalars(
        select(User).where(User.role == Role.IPS_CONSULTANT, User.organisation_id == team).order_by(User.name)
    ).all()
    # The team's cases counted once, per consultant and phase: the caseloads and the phase table.
    caseload: dict[int | None, int] = {}
    phases: dict[str, int] = {}
    for consultant, phase, n in db.session.execute(
        select(IpsCase.consultant_id, IpsCase.phase, func.count())
        .where(IpsCase.ips_team_id == team)
        .group_by(IpsCase.consultant_id, IpsCase.phase)
    ):
        phases[phase] = phases.get(phase, 0) + n
        if phase in ON_CASELOAD:
            caseload[consultant] = caseload.get(consultant, 0) + n
    overdue = {
        assignee: n
        for assignee, n in db.session.execute(
            select(FollowUp.assignee_id, func.count())
            .join(IpsCase, IpsCase.id == FollowUp.case_id)
            .where(IpsCase.ips_team_id == team, FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_at < now)
            .group_by(FollowUp.assignee_id)
        )
    }
    # Plain rows: the list shows a kind, a date and a case of up to 100 escalations.
    escalations: list[Any] = list(
        db.session.execute(
            select(FollowUp.kind, FollowUp.escalated_at, IpsCase.id.label("case_id"), IpsCase.consultant_id)
            .join(IpsCase, IpsCase.id == FollowUp.case_id)
            .where(
                IpsCase.ips_team_id == team, FollowUp.status == FollowUpStatus.OPEN, FollowUp.escalated_at.is_not(None)
            )
            .order_by(FollowUp.escalated_at.desc())
            .limit(100)
        ).tuples()
    )
    unacknowledged, failed, missing_consents = notification_counts(team)
    # Filtered to one consultant's cases on request (compared here, never sent to the database).
    esc_for = request.args.get("escalations_for", type=int)
    if esc_for not in {u.id for u in consultants}:
        esc_for = None
    all_escalations = len(escalations)
    if esc_for is not None:
        escalations = [e for e in escalations if e.consultant_id == esc_for]
    names = {u.id: u.name for u in consultants}
    moves = moves_per_consultant(team, now - timedelta(days=90))  # deadlines moved, follow-ups handed over
    rows = [
        {
            "user": u,
            "caseload": caseload.get(u.id, 0),
            "overdue": overdue.get(u.id, 0),
            "moved": moves.get(u.id, {}).get("later", 0),
            "handed": moves.get(u.id, {}).get("handed", 0),
        }
        for u in consultants
    ]
    duplicates = _possible_duplicates()
    from .assignment import overview_context  # the queue of unassigned referrals

    queue = overview_context()
    # The user itself, not the proxy: the audit reads its id once per row.
    audit_pairs(
        current_user._get_current_object(),
        [(e.case_id, Part.FOLLOW_UPS) for e in escalations]
        + [(d["case_id"], Part.IDENTITY) for d in duplicates]
        + [(cid, Part.IDENTITY) for d in duplicates for cid, _ref in d["candidates"]],
    )
    active = sum(n for phase, n in phases.items() if phase in ACTIVE)  # as the fidelity panel counts them
    return render_template(
        "coordinator_overview.html",
        rows=rows,
        active=active,
        limit=CASELOAD_LIMIT,
        phases=phases,
        escalations=escalations,
        unacknowledged=unacknowledged,
        failed=failed,
        now=now,
        total=sum(phases.values()),
        duplicates=duplicates,
        refusals=recent_refusals(team),
        form=EmptyForm(),
        pending_tokens=integrations.awaiting_approval(current_user),
        SCOPES=SERVICE_SCOPES,
        missing_consents=missing_consents,
        **queue,
        # Up to 100 escalations, as shown; one url_for for all.
        escalation_rows=_escalation_rows(escalations, names),
        case_path=url_for("case_page.detail", case_id=1)[:-1],
        esc_for=esc_for,
        all_escalations=all_escalations,
        consultant_names=names,
    )


def _escalation_rows(escalations, names: dict[int, str]) -> list[tuple[int, str, str, str, str]]:
    """Each escalation as the list shows it: case id, reference, kind, "since 03.12.2026" and the
    consultant. Words translated and days formatted once each, not once per row."""
    nobody = _("no consultant")
    kinds: dict[str, str] = {}
    days: dict = {}
    rows = []
    for e in escalations:
        if e.kind not in kinds:
            kinds[e.kind] = str(FOLLOW_UP_KINDS.get(e.kind, e.kind))
        day = to_local(e.escalated_at).date()
        if day not in days:
            days[day] = _("since %(d)s", d=local_date(day))
        rows.append(
            (e.case_id, case_reference(e.case_id), kinds[e.kind], days[day], names.get(e.consultant_id, nobody))
        )
    return rows


@bp.post("/service-tokens/<id:token_id>/approve")
def approve_token(token_id: int):
    """The second pair of eyes on a service token for the coordinator's own organisation: the
    approver's half is shown this once."""
    return _decide_token(token_id, approve=True)


@bp.post("/service-tokens/<id:token_id>/reject")
def reject_token(token_id: int):
    return _decide_token(token_id, approve=False)


def _decide_token(token_id: int, approve: bool):
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if approve:
            half, row = integrations.approve_service_token(current_user, token_id)
            return render_template("token_approved.html", half=half, row=row)
        integrations.reject_service_token(current_user, token_id)
    except ServiceError as exc:
        if exc.status in (403, 404):
            abort(404)  # another organisation's token does not exist for this coordinator
        flash(translate(exc.message), "error")
        return redirect(url_for("coordinator.overview"))
    flash(_("The service token is rejected."), "ok")
    return redirect(url_for("coordinator.overview"))


def _possible_duplicates() -> list[dict]:
    """Referrals that may be a citizen already known (told to this coordinator): the new case and
    the earlier cases in this team for the same name, to merge. Other teams' cases are counted only."""
    notes = db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == current_user.id, Notification.kind == NotificationKind.POSSIBLE_DUPLICATE)
        .order_by(Notification.created_at.desc())
        .limit(50)
    ).all()
    wanted = {cid for n in notes for cid in (n.data or {}).get("candidate_citizen_ids") or []}
    cases_of: dict[int, list] = {}
    merged: set[int] = set()
    if wanted:  # no candidates (the usual day): nothing to read
        for cid, citizen_id, team in db.session.execute(
            select(IpsCase.id, IpsCase.citizen_id, IpsCase.ips_team_id)
            .where(IpsCase.citizen_id.in_(wanted))
            .order_by(IpsCase.id)
        ):
            cases_of.setdefault(citizen_id, []).append((cid, team))
        merged = set(
            db.session.scalars(
                select(IpsCase.id).where(IpsCase.id.in_([n.case_id for n in notes]), IpsCase.citizen_id.in_(wanted))
            )
        )
    out = []
    for n in notes:
        if n.case_id in merged:
            continue  # already merged into one of the candidates
        earlier = [
            c
            for citizen in (n.data or {}).get("candidate_citizen_ids") or []
            for c in cases_of.get(citizen, [])
            if c[0] != n.case_id
        ]
        if n.case_id is None:
            continue
        out.append(
            {
                "case_id": n.case_id,
                "reference": case_reference(n.case_id),
                "created_at": n.created_at,
                "candidates": [
                    (cid, case_reference(cid)) for cid, team in earlier if team == current_user.organisation_id
                ],
                "elsewhere": sum(1 for _cid, team in earlier if team != current_user.organisation_id),
            }
        )
    return out


@bp.post("/cases/<id:case_id>/merge/<id:into_case_id>")
def merge(case_id: int, into_case_id: int):
    """Merge a referral into the citizen of an earlier case of the team (from the overview)."""
    case, into = db.session.get(IpsCase, case_id), db.session.get(IpsCase, into_case_id)
    team = current_user.organisation_id
    if case is None or into is None or case.ips_team_id != team or into.ips_team_id != team:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            merge_referral(case, into, current_user)
        except ServiceError as exc:
            flash(translate(exc.message), "error")
        else:
            audit_pairs(current_user, [(case.id, Part.IDENTITY), (into.id, Part.IDENTITY)], action=AccessAction.WRITE)
            flash(
                _("Merged: %(ref)s is now on the same citizen as %(into)s.", ref=case.reference, into=into.reference),
                "ok",
            )
    return redirect(url_for("coordinator.overview"))


PROBING_OUTCOMES = (401, 403, 404)


def recent_refusals(team_id: int | None, days: int = 14, limit: int = 50):
    """Refused attempts (403/404) of the last days: on this team's cases or by this team's users,
    or everywhere (team_id None, the privacy officer). Probing shows up here."""
    since = utcnow() - timedelta(days=days)
    # No right to it (or a service token refused at the door); a write refused for a wrong field or
    # a stale version is in the case's own log, not here.
    query = (
        select(AccessLog, User)
        .outerjoin(User, User.id == AccessLog.user_id)
        .where(
            AccessLog.action == REFUSED,
            AccessLog.created_at >= since,
            or_(AccessLog.outcome.is_(None), AccessLog.outcome.in_(PROBING_OUTCOMES)),
        )
    )
    if team_id is not None:
        query = query.outerjoin(IpsCase, IpsCase.id == AccessLog.case_id).where(
            or_(IpsCase.ips_team_id == team_id, User.organisation_id == team_id)
        )
    return db.session.execute(query.order_by(AccessLog.created_at.desc(), AccessLog.id.desc()).limit(limit)).all()


@bp.get("/country")
@shows_no_citizen_data  # aggregates per team
def country():
    """Every team in the country, aggregates only (a national coordinator's page)."""
    if not is_national(current_user):
        abort(404)
    now = utcnow()
    figures, computed_at = country_figures(now, timedelta(minutes=current_app.config["ROLLUP_MAX_AGE_MINUTES"]))
    age = max(0, int((now - computed_at).total_seconds() // 60)) if computed_at is not None else None
    shown: dict[float | None, str] = {}

    def number(value: float | None) -> str:
        """A team's figure the reader's way, formatted once per distinct value (teams share many)."""
        if value not in shown:
            shown[value] = decimal(value) if value is not None else "–"
        return shown[value]

    return render_template(
        "coordinator_country.html",
        now=now,
        computed_at=computed_at,
        age_minutes=age,
        every=current_app.config["ROLLUP_MINUTES"],
        number=number,
        **figures,
    )


def _report_consultant() -> User | None:
    """The consultant the reports are narrowed to (?consultant=<id>, one of the team's), or None."""
    chosen = query_id("consultant")
    if chosen is None:
        return None
    user = db.session.get(User, chosen)
    if user is None or user.organisation_id != current_user.organisation_id or user.role != Role.IPS_CONSULTANT:
        abort(404)
    return user


def _metric() -> str:
    metric = request.args.get("metric", "ipsec-v1")
    return metric if metric in METRICS else "ipsec-v1"


BENCHMARKS = (31, 41, 50)  # IPS employment rate: minimum, average, excellent (percent)


@bp.get("/reports")
@shows_no_citizen_data  # aggregates per quarter
def reports():
    """Outcomes per quarter under a chosen, named metric (the team's or one consultant's),
    trends and the fidelity panel."""
    metric = _metric()
    consultant = _report_consultant()
    now = utcnow()
    team_id = current_user.organisation_id
    # The team's cases and placements, read once for every figure on the page.
    team = team_rows(team_id) if team_id is not None else None
    rows = outcomes(team_id, local_today(now), metric, consultant_id=consultant.id if consultant else None, rows=team)
    labels = [quarter_label(r["quarter"], two_lines=True) for r in rows]
    partial = {"partial_last": bool(rows and rows[-1]["partial"]), "partial_label": _("(running)")}
    charts = {
        "rate": svg_lines(
            [(_("Employment rate"), "#0b5cad", [r["employment_rate"] for r in rows])],
            labels,
            _("Employment rate (percent)"),
            low=0,
            high=100,
            guides=tuple((b, percent(b, 0)) for b in BENCHMARKS),
            percent_axis=True,
            **partial,
        ),
        "starts": svg_lines(
            [(_("Job starts"), "#0b5cad", [r["job_starts"] for r in rows])], labels, _("Job starts"), **partial
        ),
    }
    consultants = team_consultants(team_id)
    # The employer contacts, counted once for the job-development table and the fidelity items.
    contacts = contact_figures(team_id, report_since(now.date()), now)
    from .citizen_reports import voice_panel

    return render_template(
        "coordinator_reports.html",
        rows=rows,
        metric=METRICS[metric],
        metrics=METRICS,
        charts=charts,
        fidelity=fidelity(team_id, now, team, consultants, contacts),
        consultant=consultant,
        consultants=consultants,
        development=job_development(team_id, now.date(), contacts=contacts),
        **voice_panel(team_id, now.date(), team),
    )


OUTCOME_COLUMNS = [
    "quarter",
    "metric",
    "served",
    "employed",
    "employment_rate",
    "first_job_starts",
    "job_starts",
    "flexjob_starts",
    "education_starts",
    "job_endings",
    "early_endings",
    "median_days_to_first_employer_contact",
]


def _outcome_table():
    """The outcomes table of the reports page (the same filters) as headings and rows."""
    metric = _metric()
    consultant = _report_consultant()
    rows = outcomes(
        current_user.organisation_id, local_today(utcnow()), metric, consultant_id=consultant.id if consultant else None
    )
    cell = {"quarter": lambda v: quarter_label(v), "metric": lambda v: metric_name(METRICS[v]) if v in METRICS else v}
    body = [[cell.get(c, lambda v: v)(r[c]) for c in OUTCOME_COLUMNS] for r in rows]
    return [CSV_HEADINGS[c] for c in OUTCOME_COLUMNS], body


def _fidelity_table():
    result = fidelity(current_user.organisation_id, utcnow())
    headings = [_("Item"), _("Score"), _("Figure"), _("Anchor")]
    body = [
        [f"{i['item']}. {translate(i['name'])}", i["score"], translate(i["figure"]), translate(i["anchor"])]
        for i in result["items"]
    ]
    body.append([_("Data-scored subtotal"), result["subtotal"], f"/ {result['max']}", ""])
    return headings, body


@bp.get("/reports/outcomes.csv")
@shows_no_citizen_data  # aggregates per quarter
def outcomes_csv():
    return spreadsheet.csv_response(spreadsheet.dated_name(_("results"), "csv"), *_outcome_table())


@bp.get("/reports/outcomes.xlsx")
@shows_no_citizen_data  # aggregates per quarter
def outcomes_xlsx():
    headings, body = _outcome_table()
    return spreadsheet.xlsx_response(
        spreadsheet.dated_name(_("results"), "xlsx"), _("Outcomes"), headings, body, more=_outcome_more_tables()
    )


DEVELOPMENT_COLUMNS = (
    ("employers_engaged", _l("Employers engaged")),
    ("contacts", _l("Face-to-face employer contacts")),
    ("developing_contacts", _l("Beyond a first meeting")),
    ("openings_learned", _l("Openings learned")),
    ("openings_filled", _l("Openings filled")),
    ("suggestions", _l("Suggestions")),
    ("hired", _l("Hired through a suggestion")),
)


def _outcome_more_tables():
    """The other tables the reports page shows: job endings by reason, and job development."""
    rows = outcomes(
        current_user.organisation_id,
        local_today(utcnow()),
        _metric(),
        consultant_id=(c.id if (c := _report_consultant()) else None),
    )
    reasons = sorted({reason for r in rows for reason in r["endings_by_reason"]})
    causes = (
        [_("Quarter")] + [str(END_REASONS.get(k, k)) for k in reasons],
        [[quarter_label(r["quarter"])] + [r["endings_by_reason"].get(k, 0) for k in reasons] for r in rows],
    )
    development = job_development(current_user.organisation_id, utcnow().date())
    keys = [k for k, _label in DEVELOPMENT_COLUMNS]
    dev = (
        [_("Quarter")] + [str(label) for _k, label in DEVELOPMENT_COLUMNS],
        [
            [quarter_label(d["quarter"])] + [d[k] if isinstance(d[k], int) else len(d[k]) for k in keys]
            for d in development
        ],
    )
    return [(_("Endings by reason"), *causes), (_("Job development per quarter"), *dev)]


@bp.get("/reports/fidelity.csv")
@shows_no_citizen_data  # team scores
def fidelity_csv():
    return spreadsheet.csv_response(spreadsheet.dated_name(_("fidelity"), "csv"), *_fidelity_table())


@bp.get("/reports/fidelity.xlsx")
@shows_no_citizen_data  # team scores
def fidelity_xlsx():
    return spreadsheet.xlsx_response(spreadsheet.dated_name(_("fidelity"), "xlsx"), _("Fidelity"), *_fidelity_table())


def _caseload_table():
    team = current_user.organisation_id
    cases = db.session.execute(
        select(IpsCase, User)
        .outerjoin(User, User.id == IpsCase.consultant_id)
        .where(IpsCase.ips_team_id == team)
        .order_by(IpsCase.id)
    ).all()
    # Batched INSERTs of 1000 rows; the user itself, not the proxy (its id is read once per row).
    audit_many(current_user._get_current_object(), [c.id for c, _u in cases], Part.PHASE)
    headers = [CSV_HEADINGS[c] for c in ("reference", "phase", "consultant", "referred", "enrolled", "last_contact")]
    # Dates as dates (Copenhagen calendar): a date cell in XLSX, dd.mm.yyyy in CSV.
    return headers, [
        [
            c.reference,
            PHASES.get(c.phase, c.phase),
            u.name if u else "",
            to_local(c.referred_at).date(),
            to_local(c.enrolled_at).date() if c.enrolled_at else None,
            to_local(c.last_contact_at).date() if c.last_contact_at else None,
        ]
        for c, u in cases
    ]


@bp.get("/caseload.csv")
def caseload_csv():
    return spreadsheet.csv_response(spreadsheet.dated_name(_("caseload"), "csv"), *_caseload_table())


@bp.get("/caseload.xlsx")
def caseload_xlsx():
    return spreadsheet.xlsx_response(spreadsheet.dated_name(_("caseload"), "xlsx"), _("Caseload"), *_caseload_table())


@bp.get("/notifications")
def notifications():
    failed = list(
        db.session.scalars(
            _team_notifications()
            .where(Notification.status == NotificationStatus.FAILED)
            .order_by(Notification.created_at.desc())
            .limit(200)
        )
    )
    # Maybe delivered: the mail server confirmed too late, twice. Not failed: it may have arrived.
    uncertain = list(
        db.session.scalars(
            _team_notifications()
            .where(Notification.status == NotificationStatus.UNCERTAIN)
            .order_by(Notification.created_at.desc())
            .limit(200)
        )
    )
    unacknowledged = list(
        db.session.scalars(
            _team_notifications().where(Notification.unacknowledged()).order_by(Notification.created_at).limit(200)
        )
    )
    users = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_({n.recipient_id for n in failed + uncertain + unacknowledged}))
        )
    }
    audit_many(current_user, {n.case_id for n in failed + uncertain + unacknowledged if n.case_id}, Part.HISTORY)
    return render_template(
        "coordinator_notifications.html",
        failed=failed,
        uncertain=uncertain,
        unacknowledged=unacknowledged,
        users=users,
        form=EmptyForm(),
    )


@bp.post("/notifications/<id:notification_id>/retry")
def retry(notification_id: int):
    """Send a failed e-mail again (the same Message-ID); refused for one sent or on its way."""
    form = EmptyForm()
    row = db.session.scalar(_team_notifications().where(Notification.id == notification_id))
    if row is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    status = send_again(row.id, utcnow())
    if status is None:
        audit(current_user, row.case_id, AccessAction.WRITE, AuditPart.NOTIFICATION)
        flash(_("The e-mail will be sent again."), "ok")
        return redirect(url_for("coordinator.notifications"))
    audit(current_user, row.case_id, AccessAction.REFUSED, AuditPart.NOTIFICATION)
    if status == NotificationStatus.SENT:
        flash(_("This e-mail has already been delivered, so it is not sent again."), "error")
    else:
        flash(_("This e-mail is already on its way and is not sent again."), "error")
    return notifications(), 409

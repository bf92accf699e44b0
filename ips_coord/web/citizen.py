"""The citizen's own view: sign-in without a staff account, and their own case on a phone.

A citizen session is its own kind (`session["citizen_sid"]`, a `CitizenSession` row): Flask-
Login never sees it, so every staff page and the API answer it as signed out; and every page
here refuses a staff session. A citizen sees only their own cases: any other id is 404. Every
page logs what it showed and every change what it changed, with the citizen as the actor.
"""
from __future__ import annotations

from functools import wraps
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    json,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from ..access import policy as P
from ..access.audit import audit_citizen, for_the_citizen, shows_no_citizen_data
from ..access.export import export_citizen
from ..citizen_oidc import oidc_client
from ..clock import utcnow
from ..extensions import db, limiter
from ..models import (
    AccessLog,
    CitizenNote,
    Consent,
    FollowUp,
    IpsCase,
    ParallelIntervention,
    Placement,
    PlanAction,
    PlanGoal,
    ProgressRating,
    User,
)
from ..notifications.citizen_mail import send_code
from ..reports.progress import case_trend
from ..services import ServiceError
from ..services import citizen_access as access_svc
from ..services import plan as plan_svc
from ..workflows.phases import FollowUpKind, FollowUpStatus
from ..workflows.plan import CURRENT_INSTRUMENT
from .citizen_forms import (
    DIMENSIONS,
    SUPPORT_LABELS,
    CitizenCodeForm,
    CitizenEmailForm,
    GoalForm,
    NoteForm,
    RatingForm,
    WithdrawForm,
)
from .forms import EmptyForm
from .labels import CATEGORIES, PARTIES, PHASES, ROLES

bp = Blueprint("citizen", __name__, url_prefix="/citizen")
LOCAL = ZoneInfo("Europe/Copenhagen")

# What happens next, in plain words, per phase.
NEXT_STEP = {
    "referred": _l("You have been referred to IPS. An IPS consultant will contact you to talk about whether "
                   "you want to take part."),
    "engagement": _l("You and your consultant get to know each other, write down what you want, and hold a "
                     "start meeting with your contact in psychiatry."),
    "job_search": _l("You and your consultant look for a job or an education that fits what you want. Your "
                     "consultant visits employers."),
    "employed": _l("You have a job. Your consultant keeps in touch for as long as you want support."),
    "in_education": _l("You are in education. Your consultant keeps in touch for as long as you want support."),
    "job_ended": _l("Your job has ended. You and your consultant look at what worked and what to change, "
                    "then carry on."),
    "paused": _l("Your course is paused. Your consultant will get in touch again."),
    "transitioned": _l("You manage without IPS support now. You can always come back."),
    "closed": _l("Your IPS course has ended. You can always come back."),
}
# Follow-ups a citizen takes part in, said plainly. Others are the staff's own work.
MEETINGS = {
    FollowUpKind.JOINT_START_MEETING: _l("Start meeting with you, your consultant and psychiatry"),
    FollowUpKind.JOB_START_CONTACT: _l("Your consultant contacts you after your start"),
    FollowUpKind.WEEKLY_CONTACT: _l("Talk with your consultant"),
    FollowUpKind.MONTHLY_CONTACT: _l("Talk with your consultant"),
    FollowUpKind.JOB_ENDING_CONTACT: _l("Your consultant contacts you"),
    FollowUpKind.JOB_ENDING_REVIEW: _l("Meeting: what worked, what to change"),
    FollowUpKind.PAUSED_OUTREACH: _l("Your consultant contacts you"),
    FollowUpKind.PROGRESS_RATING: _l("You and your consultant look at your progress"),
}
OWNERS = {"ips_team": _l("IPS consultant"), "psychiatry": _l("Psychiatry"), "jobcenter": _l("Jobcenter"),
          "social_psychiatry": _l("Social psychiatry"), "citizen": _l("You")}
# The parts of the record, as the citizen reads them in "who has read my record". Health and
# benefit parts are named only as "your record": a label must not tell what is held.
READ_PARTS = {P.IDENTITY: _l("your course"), P.PHASE: _l("your course"), P.PROFILE: _l("your career profile"),
              P.PLACEMENTS: _l("your jobs and education"), P.PLAN: _l("your plan"),
              P.FOLLOW_UPS: _l("your appointments"), P.CONSENTS: _l("your consents"),
              P.PROGRESS: _l("your progress"), P.NOTES: _l("notes from your conversations")}


def local(dt):
    return dt.astimezone(LOCAL) if dt is not None else None


# --- The citizen session ---------------------------------------------------------------------
@bp.before_request
def _load_citizen():
    g.citizen = None
    sid = session.get("citizen_sid")
    if not isinstance(sid, str):
        return None
    now = utcnow().timestamp()
    seen = session.get("citizen_seen")
    if seen is not None and now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        access_svc.end_session(sid)
        session.clear()
        flash(_("You were signed out after a period without activity."), "info")
        return None
    g.citizen = access_svc.session_citizen(sid)
    if g.citizen is not None:
        session["citizen_seen"] = now
    return None


def citizen_required(view):
    """Only a signed-in citizen; a staff session is not one (404, nothing here is for staff)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated:
            abort(404)
        if g.get("citizen") is None:
            return redirect(url_for("citizen.login"))
        return view(*args, **kwargs)
    return wrapped


def _own_case(case_id: int) -> IpsCase:
    """The citizen's own case, or 404 (logged as a refusal) for any other id."""
    case = db.session.get(IpsCase, case_id)
    if case is None or case.citizen_id != g.citizen.id:
        audit_citizen(g.citizen.id, None, ["route"], "refused", target=f"case {case_id}", outcome=404)
        abort(404)
    return case


def _begin(citizen, method: str):
    session.clear()  # no staff login survives into a citizen session, and none comes back
    session.permanent = True
    session["citizen_sid"] = access_svc.start_session(citizen, method)
    session["citizen_seen"] = utcnow().timestamp()
    audit_citizen(citizen.id, None, ["sign_in"], "write", target=method)
    return redirect(url_for("citizen.home"))


# --- Sign-in ---------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"])
@shows_no_citizen_data  # the sign-in form
def login():
    if current_app.config.get("CITIZEN_AUTH") == "oidc":
        return render_template("citizen_login.html", oidc=True, form=None)
    form = CitizenEmailForm()
    if form.validate_on_submit():
        found = access_svc.request_code(form.email.data)
        if found is not None:
            citizen, code = found
            send_code(citizen.email, code, str(get_locale() or "da"))
        session["citizen_login_email"] = form.email.data.strip().lower()
        # The same answer whether the address is known or not.
        flash(_("If the address is on record, a code is on its way. It works for 15 minutes."), "ok")
        return redirect(url_for("citizen.code"))
    return render_template("citizen_login.html", form=form, oidc=False), 400 if form.errors else 200


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"])
@shows_no_citizen_data  # the code form, with the address the visitor typed themself
def code():
    email = session.get("citizen_login_email")
    if not isinstance(email, str):
        return redirect(url_for("citizen.login"))
    form = CitizenCodeForm()
    if form.validate_on_submit():
        citizen = access_svc.verify_code(email, form.code.data)
        if citizen is not None:
            return _begin(citizen, "email_code")
        form.code.errors.append(_("The code is wrong or has expired. Ask for a new one."))
    return render_template("citizen_code.html", form=form, email=email), 400 if form.errors else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@shows_no_citizen_data  # a button; nothing about the invited citizen
def invitation(token: str):
    """A consultant's invitation link. Opening it shows a button; only pressing it uses the link,
    so a mail scanner that follows links does not use it up."""
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        citizen = access_svc.redeem_invitation(token, current_app.config["SECRET_KEY"])
        if citizen is not None:
            return _begin(citizen, "invitation")
        flash(_("The link has expired or has been used. Ask for a code by e-mail instead."), "warning")
        return redirect(url_for("citizen.login"))
    return render_template("citizen_invitation.html", form=form)


@bp.get("/login/oidc")
@shows_no_citizen_data  # a redirect to the identity broker
def oidc_start():
    client = oidc_client(current_app)
    if client is None:
        abort(404)
    return client.authorize_redirect(url_for("citizen.oidc_callback", _external=True))


@bp.get("/login/oidc/callback")
@shows_no_citizen_data  # signs in and redirects
def oidc_callback():
    client = oidc_client(current_app)
    if client is None:
        abort(404)
    try:
        token = client.authorize_access_token()
    except Exception:  # noqa: BLE001 - any broker error is a failed sign-in, never a 500
        flash(_("The sign-in did not succeed. Try again."), "warning")
        return redirect(url_for("citizen.login"))
    claims = token.get("userinfo") or {}
    citizen = access_svc.citizen_by_email(str(claims.get(current_app.config["OIDC_EMAIL_CLAIM"]) or ""))
    if citizen is None:
        flash(_("We could not find your IPS course. Ask your consultant."), "warning")
        return redirect(url_for("citizen.login"))
    return _begin(citizen, "oidc")


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit():
        sid = session.get("citizen_sid")
        if isinstance(sid, str):
            access_svc.end_session(sid)
        session.clear()
    return redirect(url_for("citizen.login"))


# --- The citizen's own case ------------------------------------------------------------------
@bp.get("")
@for_the_citizen
@citizen_required
def home():
    case_id = db.session.scalar(select(IpsCase.id).where(IpsCase.citizen_id == g.citizen.id)
                                .order_by(IpsCase.referred_at.desc(), IpsCase.id.desc()).limit(1))
    if case_id is None:
        abort(404)
    return redirect(url_for("citizen.case", case_id=case_id))


def _who_read(case: IpsCase) -> list[dict]:
    """Staff who read or changed the record, newest first, one line per person, day and part."""
    rows = db.session.execute(
        select(AccessLog.user_id, User.name, User.role, AccessLog.part, AccessLog.action,
               func.max(AccessLog.created_at).label("at"))
        .join(User, User.id == AccessLog.user_id)
        .where(AccessLog.case_id == case.id, AccessLog.action.in_(("read", "write")))
        .group_by(AccessLog.user_id, User.name, User.role, AccessLog.part, AccessLog.action)
        .order_by(func.max(AccessLog.created_at).desc()).limit(200)).all()
    seen: dict[tuple, dict] = {}
    for r in rows:
        label = str(READ_PARTS.get(r.part, _("your record")))
        key = (r.user_id, local(r.at).date(), r.action)
        entry = seen.setdefault(key, {"name": r.name, "role": ROLES.get(r.role, r.role), "at": local(r.at),
                                      "action": r.action, "parts": []})
        if label not in entry["parts"]:
            entry["parts"].append(label)
    return list(seen.values())[:60]


def render_case(case: IpsCase, status: int = 200, **forms):
    now = utcnow()
    goals = db.session.scalars(select(PlanGoal).where(PlanGoal.case_id == case.id)
                               .order_by(PlanGoal.version.desc())).all()
    ratings = db.session.scalars(select(ProgressRating).where(ProgressRating.case_id == case.id)
                                 .order_by(ProgressRating.rated_at)).all()
    meetings = db.session.scalars(select(FollowUp).where(
        FollowUp.case_id == case.id, FollowUp.status == FollowUpStatus.OPEN,
        FollowUp.kind.in_(list(MEETINGS))).order_by(FollowUp.due_at).limit(10)).all()
    consents = db.session.scalars(select(Consent).where(Consent.case_id == case.id)
                                  .order_by(Consent.given_at.desc(), Consent.id.desc())).all()
    ctx = {
        "case": case, "now": now, "local": local, "next_step": NEXT_STEP.get(case.phase, ""),
        "meetings": [(MEETINGS[FollowUpKind(f.kind)], local(f.due_at)) for f in meetings],
        "goals": goals,
        "actions": db.session.scalars(select(PlanAction).where(PlanAction.case_id == case.id)
                                      .order_by(PlanAction.done_at.is_not(None), PlanAction.due_date,
                                                PlanAction.id)).all(),
        "interventions": db.session.scalars(select(ParallelIntervention).where(ParallelIntervention.case_id == case.id)
                                            .order_by(ParallelIntervention.start_date.desc())).all(),
        "placement": db.session.scalar(
            select(Placement).where(Placement.case_id == case.id, Placement.end_date.is_(None),
                                    Placement.type.in_(("ordinary_job", "flexjob", "education")))
            .order_by(Placement.start_date.desc()).limit(1)),
        "notes": db.session.scalars(select(CitizenNote).where(CitizenNote.case_id == case.id)
                                    .order_by(CitizenNote.created_at.desc()).limit(5)).all(),
        "consents": consents, "ratings": ratings,
        "trend": case_trend(ratings, _("You"), _("Your consultant"), _("Progress over time (average, 1-10)"))
        if ratings else None,
        "latest_own": next((r for r in reversed(ratings) if r.rater == "citizen"), None),
        "who_read": _who_read(case), "owners": OWNERS, "dimensions": DIMENSIONS, "instrument": CURRENT_INSTRUMENT,
        "parties": PARTIES, "categories": CATEGORIES, "phases": PHASES, "SUPPORT_LABELS": SUPPORT_LABELS,
        "goal_form": forms.get("goal") or GoalForm(formdata=None, text=goals[0].text if goals else ""),
        "note_form": forms.get("note") or NoteForm(formdata=None),
        "rating_form": forms.get("rating") or RatingForm(formdata=None),
        "withdraw_forms": {c.id: (forms.get("withdraw") if forms.get("withdraw_id") == c.id else None)
                           or WithdrawForm(formdata=None, prefix=f"w{c.id}") for c in consents},
        "empty_form": EmptyForm(),
    }
    audit_citizen(g.citizen.id, case.id, [P.IDENTITY, P.PHASE, P.PLAN, P.INTERVENTIONS, P.PLACEMENTS, P.FOLLOW_UPS,
                                          P.CONSENTS, P.PROGRESS, P.ACCESS_LOG])
    return render_template("citizen_case.html", **ctx), status


@bp.get("/cases/<id:case_id>")
@for_the_citizen
@citizen_required
def case(case_id: int):
    return render_case(_own_case(case_id))


def _post(case_id: int, form, key: str, save, part: str, anchor: str):
    case = _own_case(case_id)
    if not form.validate_on_submit():
        return render_case(case, 400, **{key: form})
    try:
        save(case, form)
    except ServiceError as exc:
        target = getattr(form, exc.field, None) if exc.field else None
        (target.errors if target is not None and isinstance(target.errors, list) else form.form_errors).append(
            _(exc.message))
        db.session.expire_all()
        return render_case(db.session.get(IpsCase, case_id), exc.status, **{key: form})
    audit_citizen(g.citizen.id, case_id, [part], "write")
    flash(_("Saved."), "ok")
    return redirect(url_for("citizen.case", case_id=case_id) + f"#{anchor}")


@bp.post("/cases/<id:case_id>/goal")
@citizen_required
def save_goal(case_id: int):
    return _post(case_id, GoalForm(), "goal", lambda c, f: plan_svc.save_goal(c, f.text.data, citizen=g.citizen),
                 P.PLAN, "goals")


@bp.post("/cases/<id:case_id>/note")
@citizen_required
def add_note(case_id: int):
    return _post(case_id, NoteForm(), "note", lambda c, f: plan_svc.add_citizen_note(c, g.citizen, f.text.data),
                 P.NOTES, "note")


@bp.post("/cases/<id:case_id>/progress")
@citizen_required
def rate(case_id: int):
    def save(c, f):
        plan_svc.record_rating(c, {d: f[d].data for d in CURRENT_INSTRUMENT.dimensions}, citizen=g.citizen)
    return _post(case_id, RatingForm(), "rating", save, P.PROGRESS, "progress")


@bp.post("/cases/<id:case_id>/consents/<id:consent_id>/withdraw")
@citizen_required
def withdraw(case_id: int, consent_id: int):
    case = _own_case(case_id)
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        audit_citizen(g.citizen.id, None, ["route"], "refused", target=f"consent {consent_id}", outcome=404)
        abort(404)
    form = WithdrawForm(prefix=f"w{consent_id}")
    if not form.validate_on_submit():
        return render_case(case, 400, withdraw=form, withdraw_id=consent_id)
    try:
        access_svc.withdraw_own_consent(consent, g.citizen, confirmed=form.confirm.data)
    except ServiceError as exc:
        (form.confirm.errors if exc.field == "confirm" else form.form_errors).append(_(exc.message))
        db.session.expire_all()
        return render_case(db.session.get(IpsCase, case_id), exc.status, withdraw=form, withdraw_id=consent_id)
    audit_citizen(g.citizen.id, case_id, [P.CONSENTS], "write")
    flash(_("The consent is withdrawn. Sharing under it has stopped."), "ok")
    return redirect(url_for("citizen.case", case_id=case_id) + "#consents")


@bp.get("/export.json")
@for_the_citizen
@citizen_required
def export():
    """All the citizen's data (GDPR art. 15), as a file to keep."""
    data = export_citizen(g.citizen.id, reader=None)
    if data is None:
        abort(404)
    pairs = [c["id"] for c in data["cases"]]
    for case_id in pairs:
        audit_citizen(g.citizen.id, case_id, [P.EXPORT], "read", reason="the citizen's own download")
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": "attachment; filename=mine-data.json"})

"""The citizen's own view: sign-in without a staff account, and their own case on a phone.

A citizen session is its own kind (`session["citizen_sid"]`, a `CitizenSession` row): Flask-
Login never sees it, so every staff page and the API answer it as signed out; and every page
here refuses a staff session. A citizen sees only their own cases: any other id is 404. Every
page logs what it showed and every change what it changed, with the citizen as the actor.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date
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
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from .. import labels
from ..access.audit import audit_citizen, for_the_citizen, shows_no_citizen_data
from ..access.export import citizen_download
from ..citizen_oidc import Identity, Refusal, identity_from, oidc_client
from ..clock import to_local, utcnow
from ..extensions import db, limiter
from ..i18n import translate
from ..models import (
    AccessLog,
    Citizen,
    CitizenNote,
    Consent,
    FollowUp,
    IpsCase,
    Organisation,
    ParallelIntervention,
    Placement,
    PlanAction,
    PlanGoal,
    ProgressRating,
    User,
)
from ..notifications.tasks import wake_delivery
from ..reports.progress import case_trend, rating_round
from ..sealed import open_cpr
from ..services import ServiceError, throttle
from ..services import citizen_access as access_svc
from ..services import plan as plan_svc
from ..workflows.phases import COMPETITIVE_TYPES, AccessAction, AuditPart, FollowUpKind, FollowUpStatus, Part
from ..workflows.plan import CURRENT_INSTRUMENT, PlanOwner, SignInMethod, WrittenBy
from .citizen_download import document as download_document
from .citizen_forms import (
    CitizenCodeForm,
    CitizenEmailForm,
    GoalForm,
    InvitationForm,
    NoteForm,
    RatingForm,
    WithdrawForm,
)
from .forms import EmptyForm
from .guards import no_sooner_than

bp = Blueprint("citizen", __name__, url_prefix="/citizen")
LOCAL = ZoneInfo("Europe/Copenhagen")


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
        audit_citizen(
            g.citizen.id, None, [AuditPart.ROUTE], AccessAction.REFUSED, target=f"case {case_id}", outcome=404
        )
        abort(404)
    return case


def _begin(citizen: Citizen, method: SignInMethod) -> ResponseReturnValue:
    session.clear()  # no staff login survives into a citizen session, and none comes back
    session.permanent = True
    session["citizen_sid"] = access_svc.start_session(citizen, method)
    session["citizen_seen"] = utcnow().timestamp()
    audit_citizen(citizen.id, None, [AuditPart.SIGN_IN], AccessAction.WRITE, target=method)
    return redirect(url_for("citizen.home"))


# --- Sign-in ---------------------------------------------------------------------------------
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per 15 minutes", methods=["POST"])
@shows_no_citizen_data  # the sign-in form
def login():
    if current_app.config.get("CITIZEN_AUTH") == SignInMethod.OIDC:
        return render_template("citizen_login.html", oidc=True, form=None)
    form = CitizenEmailForm()
    if form.validate_on_submit():
        # The same answer, in the same time, whether the address is known or not.
        started = time.monotonic()
        try:
            access_svc.request_code(form.email.data, str(get_locale() or "da"))
        except throttle.Throttled as exc:
            no_sooner_than(started)
            form.email.errors.append(translate(exc.message))
            return render_template("citizen_login.html", form=form, oidc=False), 429, _retry_after(exc)
        wake_delivery()  # the citizen is waiting: the worker sends it now, not at the next sweep
        session["citizen_login_email"] = form.email.data.strip().lower()
        flash(_("If the address is on record, a code is on its way. It works for 15 minutes."), "ok")
        no_sooner_than(started)
        return redirect(url_for("citizen.code"))
    return render_template("citizen_login.html", form=form, oidc=False), 400 if form.errors else 200


def _retry_after(exc: throttle.Throttled) -> dict[str, str]:
    return {"Retry-After": str(max(1, int((exc.until - utcnow()).total_seconds()) + 1))}


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit("30 per 15 minutes", methods=["POST"])
@shows_no_citizen_data  # the code form, with the address the visitor typed themself
def code():
    email = session.get("citizen_login_email")
    if not isinstance(email, str):
        return redirect(url_for("citizen.login"))
    form = CitizenCodeForm()
    if form.validate_on_submit():
        try:
            citizen = access_svc.verify_code(email, form.code.data)
        except throttle.Throttled as exc:
            form.code.errors.append(translate(exc.message))
            return render_template("citizen_code.html", form=form, email=email), 429, _retry_after(exc)
        if citizen is not None:
            return _begin(citizen, SignInMethod.EMAIL_CODE)
        form.code.errors.append(_("The code is wrong or has expired. Ask for a new one."))
    return render_template("citizen_code.html", form=form, email=email), 400 if form.errors else 200


@bp.route("/invitation", methods=["GET", "POST"])
@shows_no_citizen_data  # a button; nothing about the invited citizen
def invitation():
    """A consultant's invitation link, `/citizen/invitation#<token>`: the token rides after "#", so
    it is in no request line or log, and arrives in the POST body. Opening the link shows a
    button; only pressing it uses the link, so a mail scanner that follows links does not use it up."""
    form = InvitationForm()
    if request.method == "POST":
        citizen = None
        if form.validate_on_submit():
            citizen = access_svc.redeem_invitation(form.token.data, current_app.config["SECRET_KEY"])
        if citizen is not None:
            return _begin(citizen, SignInMethod.INVITATION)
        flash(_("The link has expired or has been used. Ask for a code by e-mail instead."), "warning")
        return redirect(url_for("citizen.login"))
    return render_template("citizen_invitation.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@shows_no_citizen_data  # never reads its value
def retired_invitation(token: str):
    """Links of e-mails sent before the token moved after "#". Their tokens sat in access logs, so
    they are signed for another purpose and never accepted: the citizen is asked to sign in."""
    del token
    flash(_("This link is from an older e-mail and no longer works. Ask for a code by e-mail instead."), "warning")
    return redirect(url_for("citizen.login"))


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
    outcome = _oidc_identity(client)
    if isinstance(outcome, Refusal):
        refusal = outcome
    else:
        citizen = access_svc.citizen_by_identity(outcome.subject, outcome.cpr)
        if citizen is not None:
            return _begin(citizen, SignInMethod.OIDC)
        refusal = Refusal.NO_CASE if outcome.cpr is not None else Refusal.NO_CPR
    flash(str(_OIDC_REFUSALS[refusal]), "warning")
    return redirect(url_for("citizen.login"))


def _oidc_identity(client) -> Identity | Refusal:
    """The broker's answer checked end to end: state (once: a replayed callback finds none),
    the code exchanged with the PKCE verifier, the id_token's signature, issuer, audience, nonce
    and expiry, then the UserInfo endpoint for the claims."""
    try:
        issuer = client.load_server_metadata().get("issuer")
        if "iss" in request.args and request.args["iss"] != issuer:  # RFC 9207: another provider's answer
            return Refusal.FAILED
        token = client.authorize_access_token()
        userinfo = client.userinfo(token=token)
    except Exception:  # noqa: BLE001 - any broker error is a failed sign-in, never a 500
        return Refusal.FAILED
    return identity_from(token.get("userinfo") or {}, userinfo or {}, current_app.config)


_OIDC_REFUSALS = {
    Refusal.FAILED: _l("The sign-in did not succeed. Try again."),
    Refusal.NO_CPR: _l(
        "The sign-in service did not tell us your CPR number, so we cannot see who you are. "
        "Try again, or ask your consultant."
    ),
    Refusal.UNVERIFIED: _l(
        "The sign-in service has not verified your CPR number, so we cannot sign you in. Ask your consultant."
    ),
    Refusal.INVALID_CPR: _l(
        "The sign-in service sent a CPR number we cannot read, so we cannot sign you in. Ask your consultant."
    ),
    Refusal.NO_CASE: _l("We could not find your IPS course. Ask your consultant."),
}


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
    case_id = db.session.scalar(
        select(IpsCase.id)
        .where(IpsCase.citizen_id == g.citizen.id)
        .order_by(IpsCase.referred_at.desc(), IpsCase.id.desc())
        .limit(1)
    )
    if case_id is None:
        abort(404)
    return redirect(url_for("citizen.case", case_id=case_id))


def _who_read(case: IpsCase) -> list[dict]:
    """Staff who read or changed the record, newest first: one line per person and day, with the
    time of their last look, their role and organisation once, what they read and what they wrote."""
    day = func.date(AccessLog.created_at)
    rows = db.session.execute(
        select(
            AccessLog.user_id,
            User.name,
            User.role,
            User.organisation_id,
            AccessLog.part,
            AccessLog.action,
            func.max(AccessLog.created_at).label("at"),
        )
        .join(User, User.id == AccessLog.user_id)
        .where(AccessLog.case_id == case.id, AccessLog.action.in_((AccessAction.READ, AccessAction.WRITE)))
        .group_by(AccessLog.user_id, User.name, User.role, User.organisation_id, AccessLog.part, AccessLog.action, day)
        .order_by(func.max(AccessLog.created_at).desc())
        .limit(400)
    ).all()
    orgs = (
        {
            o.id: o.name
            for o in db.session.scalars(
                select(Organisation).where(Organisation.id.in_({r.organisation_id for r in rows if r.organisation_id}))
            )
        }
        if rows
        else {}
    )
    seen: dict[tuple, dict] = {}
    for r in rows:
        label = str(labels.PARTS_FOR_CITIZEN.get(r.part, _("your record")))
        key = (r.user_id, local(r.at).date())
        entry = seen.setdefault(
            key,
            {
                "name": r.name,
                "role": labels.ROLES.get(r.role, r.role),
                "organisation": orgs.get(r.organisation_id),
                "at": local(r.at),
                "read": [],
                "wrote": [],
            },
        )
        entry["at"] = max(entry["at"], local(r.at))
        bucket = entry["wrote" if r.action == AccessAction.WRITE else "read"]
        if label not in bucket:
            bucket.append(label)
    return sorted(seen.values(), key=lambda e: e["at"], reverse=True)[:60]


def coming_up(
    meetings: Sequence[FollowUp], actions: Sequence[PlanAction], today: date | None = None
) -> list[tuple[date | None, str]]:
    """The citizen's meetings and their own open plan actions in one list by date (Copenhagen
    days); actions without a date last. Nothing dated before today: what has passed is not coming
    (an own action past its date shows its status in the plan)."""
    items: list[tuple[date | None, str]] = [
        (local(f.due_at).date(), str(labels.CITIZEN_MEETINGS[f.kind])) for f in meetings
    ]
    items += [
        (a.due_date, f"{_('You')}: {a.text}") for a in actions if a.owner == PlanOwner.CITIZEN and a.done_at is None
    ]
    if today is not None:
        items = [item for item in items if item[0] is None or item[0] >= today]
    return sorted(items, key=lambda item: (item[0] is None, item[0] or date.min))


def render_case(case: IpsCase, status: int = 200, **forms):
    now = utcnow()
    goals = db.session.scalars(
        select(PlanGoal).where(PlanGoal.case_id == case.id).order_by(PlanGoal.version.desc())
    ).all()
    ratings = db.session.scalars(
        select(ProgressRating).where(ProgressRating.case_id == case.id).order_by(ProgressRating.rated_at)
    ).all()
    # The open meetings, the progress rating's among them (its round is read from the same rows);
    # a case has a handful open at a time.
    open_meetings = db.session.scalars(
        select(FollowUp)
        .where(
            FollowUp.case_id == case.id,
            FollowUp.status == FollowUpStatus.OPEN,
            FollowUp.kind.in_(sorted({*labels.CITIZEN_MEETINGS, FollowUpKind.PROGRESS_RATING})),
        )
        .order_by(FollowUp.due_at)
    ).all()
    meetings = [f for f in open_meetings if f.kind in labels.CITIZEN_MEETINGS][:10]
    consents = db.session.scalars(
        select(Consent).where(Consent.case_id == case.id).order_by(Consent.given_at.desc(), Consent.id.desc())
    ).all()
    actions = db.session.scalars(
        select(PlanAction)
        .where(PlanAction.case_id == case.id)
        .order_by(PlanAction.done_at.is_not(None), PlanAction.due_date, PlanAction.id)
    ).all()
    rating_due = rating_round(case.id, list(ratings), list(open_meetings))
    today = to_local(now).date()  # the Copenhagen calendar day
    ctx = {
        "case": case,
        "now": now,
        "local": local,
        "next_step": labels.NEXT_STEPS.get(case.phase, ""),
        "coming": coming_up(meetings, actions, today),
        "local_today": today,
        "goals": goals,
        "actions": actions,
        "rating_due": rating_due if rating_due is not None and rating_due.citizen_should_rate(now) else None,
        "interventions": db.session.scalars(
            select(ParallelIntervention)
            .where(ParallelIntervention.case_id == case.id)
            .order_by(ParallelIntervention.start_date.desc())
        ).all(),
        "placement": db.session.scalar(
            select(Placement)
            .where(Placement.case_id == case.id, Placement.end_date.is_(None), Placement.type.in_(COMPETITIVE_TYPES))
            .order_by(Placement.start_date.desc())
            .limit(1)
        ),
        "notes": db.session.scalars(
            select(CitizenNote).where(CitizenNote.case_id == case.id).order_by(CitizenNote.created_at.desc()).limit(5)
        ).all(),
        "consents": consents,
        "ratings": ratings,
        "trend": case_trend(ratings, _("You"), _("Your consultant"), _("Progress over time (average, 1-10)"))
        if ratings
        else None,
        "latest_own": next((r for r in reversed(ratings) if r.rater == WrittenBy.CITIZEN), None),
        "who_read": _who_read(case),
        "owners": labels.PLAN_OWNERS_FOR_CITIZEN,
        "dimensions": labels.DIMENSIONS,
        "instrument": CURRENT_INSTRUMENT,
        "parties": labels.PARTIES,
        "categories": labels.CATEGORIES_FOR_CITIZEN,
        "consent_words": labels.CONSENTS_FOR_CITIZEN,
        "phases": labels.PHASES,
        "SUPPORT_LABELS": labels.SUPPORTS,
        "goal_form": forms.get("goal") or GoalForm(formdata=None, text=goals[0].text if goals else ""),
        "note_form": forms.get("note") or NoteForm(formdata=None),
        "rating_form": forms.get("rating") or RatingForm(formdata=None),
        "withdraw_forms": {
            c.id: (forms.get("withdraw") if forms.get("withdraw_id") == c.id else None)
            or WithdrawForm(formdata=None, prefix=f"w{c.id}")
            for c in consents
        },
        "empty_form": EmptyForm(),
        "own_cpr": open_cpr(g.citizen.cpr_encrypted),  # the citizen sees their own number in full
    }
    audit_citizen(
        g.citizen.id,
        case.id,
        [
            Part.IDENTITY,
            Part.PHASE,
            Part.SHARED_PLAN,
            Part.PARALLEL_INTERVENTIONS,
            Part.PLACEMENTS,
            Part.FOLLOW_UPS,
            Part.CONSENTS,
            Part.PROGRESS,
            Part.ACCESS_LOG,
        ],
    )
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
            translate(exc.message)
        )
        db.session.expire_all()
        return render_case(db.session.get_one(IpsCase, case_id), exc.status, **{key: form})
    audit_citizen(g.citizen.id, case_id, [part], AccessAction.WRITE)
    flash(_("Saved."), "ok")
    return redirect(url_for("citizen.case", case_id=case_id) + f"#{anchor}")


@bp.post("/cases/<id:case_id>/goal")
@citizen_required
def save_goal(case_id: int):
    return _post(
        case_id,
        GoalForm(),
        "goal",
        lambda c, f: plan_svc.save_goal(c, f.text.data, citizen=g.citizen),
        Part.SHARED_PLAN,
        "goals",
    )


@bp.post("/cases/<id:case_id>/note")
@citizen_required
def add_note(case_id: int):
    return _post(
        case_id,
        NoteForm(),
        "note",
        lambda c, f: plan_svc.add_citizen_note(c, g.citizen, f.text.data),
        Part.CONTACT_NOTES,
        "note",
    )


@bp.post("/cases/<id:case_id>/progress")
@citizen_required
def rate(case_id: int):
    def save(c, f):
        plan_svc.record_rating(c, {d: f[d].data for d in CURRENT_INSTRUMENT.dimensions}, citizen=g.citizen)

    return _post(case_id, RatingForm(), "rating", save, Part.PROGRESS, "progress")


@bp.post("/cases/<id:case_id>/consents/<id:consent_id>/withdraw")
@citizen_required
def withdraw(case_id: int, consent_id: int):
    case = _own_case(case_id)
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.case_id != case.id:
        audit_citizen(
            g.citizen.id, None, [AuditPart.ROUTE], AccessAction.REFUSED, target=f"consent {consent_id}", outcome=404
        )
        abort(404)
    form = WithdrawForm(prefix=f"w{consent_id}")
    if not form.validate_on_submit():
        return render_case(case, 400, withdraw=form, withdraw_id=consent_id)
    try:
        access_svc.withdraw_own_consent(consent, g.citizen, confirmed=form.confirm.data)
    except ServiceError as exc:
        (form.confirm.errors if exc.field == "confirm" else form.form_errors).append(translate(exc.message))
        db.session.expire_all()
        return render_case(db.session.get_one(IpsCase, case_id), exc.status, withdraw=form, withdraw_id=consent_id)
    audit_citizen(g.citizen.id, case_id, [Part.CONSENTS], AccessAction.WRITE)
    flash(_("The consent is withdrawn. Sharing under it has stopped."), "ok")
    return redirect(url_for("citizen.case", case_id=case_id) + "#consents")


def _own_download():
    data = citizen_download(g.citizen.id)
    if data is None:
        abort(404)
    for case in data["cases"]:
        audit_citizen(g.citizen.id, case["id"], [Part.EXPORT], AccessAction.READ, reason="the citizen's own download")
    return data


@bp.get("/my-data")
@for_the_citizen
@citizen_required
def my_data():
    """All the citizen's data (GDPR art. 15) as a document to read and print."""
    return render_template("citizen_download.html", **download_document(_own_download()))


@bp.get("/export.json")
@for_the_citizen
@citizen_required
def export():
    """All the citizen's data (GDPR art. 15), as a machine-readable file to keep."""
    data = _own_download()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": "attachment; filename=mine-data.json"}
    )

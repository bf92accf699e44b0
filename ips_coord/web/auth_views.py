from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..access.audit import shows_no_citizen_data
from ..auth import LoginDelayed, authenticate, end_session, start_session
from ..clock import utcnow
from ..extensions import limiter
from ..services import accounts
from ..staff_oidc import rule_for, staff_client, subject_and_groups
from .forms import EmptyForm, LanguageForm, LoginForm
from .guards import safe_next

bp = Blueprint("auth", __name__)


def _login_failed(response) -> bool:
    # Only failed attempts count against the limits; a good login is never slowed down.
    return request.method == "POST" and response.status_code != 302


# Per client address (behind a proxy: the address PROXY_HOPS reports). The per-account delay
# lives on the account (see ips_coord.auth.authenticate), so it cannot become a lasting lock-out.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], deduct_when=_login_failed, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("cases.home"))
    form = LoginForm()
    if not current_app.config.get("LOCAL_PASSWORDS", True):
        # Passwords are switched off: the organisation's identity provider is the only way in.
        return render_template("login.html", form=None, idp=True), 200 if request.method == "GET" else 400
    if form.validate_on_submit():
        try:
            user = authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except LoginDelayed as exc:
            seconds = max(1, int((exc.until - utcnow()).total_seconds()) + 1)
            form.password.errors.append(
                _("Too many failed attempts for this account. Try again in %(seconds)s seconds.", seconds=seconds)
            )
            return render_template("login.html", form=form), 429, {"Retry-After": str(seconds)}
        if user is None:
            # Same message for an unknown user and a wrong password.
            form.password.errors.append(_("Wrong e-mail or password."))
        else:
            session.clear()
            session.permanent = True  # expires after SESSION_IDLE_MINUTES without a request
            start_session(user)
            login_user(user)
            session["seen"] = utcnow().timestamp()
            return redirect(safe_next(request.args.get("next")) or url_for("cases.home"))
    return (
        render_template("login.html", form=form, idp=staff_client(current_app) is not None),
        200 if request.method == "GET" or form.errors == {} else 400,
    )


@bp.get("/login/idp")
@shows_no_citizen_data  # a redirect to the identity provider
def idp_start():
    client = staff_client(current_app)
    if client is None:
        abort(404)
    return client.authorize_redirect(url_for("auth.idp_callback", _external=True))


_IDP_REFUSALS = {
    "failed": _l("The sign-in did not succeed. Try again."),
    "unknown": _l("Your account at your organisation is not linked to a user here. Ask your administrator."),
    "no_group": _l("You are not in a group that gives access here. Ask your administrator."),
}


@bp.get("/login/idp/callback")
@shows_no_citizen_data  # signs a staff member in and redirects
def idp_callback():
    """The provider's answer: state, PKCE verifier, id_token (signature, issuer, audience, nonce,
    expiry) and UserInfo checked; the user by the stable subject, the role and organisation by
    the group table; anything else refused with the reason."""
    client = staff_client(current_app)
    if client is None:
        abort(404)
    refusal, user, id_token = "failed", None, None
    try:
        issuer = client.load_server_metadata().get("issuer")
        if request.args.get("iss", issuer) != issuer:
            raise ValueError("another provider")
        token = client.authorize_access_token()
        answer = subject_and_groups(
            token.get("userinfo") or {},
            client.userinfo(token=token) or {},
            current_app.config["STAFF_OIDC_GROUPS_CLAIM"],
        )
        id_token = token.get("id_token")
    except Exception:  # noqa: BLE001 - any provider error is a failed sign-in, never a 500
        answer = None
    if answer is not None:
        subject, groups = answer
        rule = rule_for(groups, current_app.extensions["staff_oidc_groups"])
        if rule is None:
            refusal = "no_group"
        else:
            user = accounts.staff_for_subject(subject, rule.role, rule.organisation)
            refusal = "unknown"
    if user is None:
        flash(str(_IDP_REFUSALS[refusal]), "warning")
        return redirect(url_for("auth.login"))
    session.clear()
    session.permanent = True
    start_session(user)
    login_user(user)
    session["seen"] = utcnow().timestamp()
    session["idp_id_token"] = id_token  # the hint for the provider's logout
    return redirect(url_for("cases.home"))


@bp.post("/logout")
@login_required
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        id_token = session.get("idp_id_token")
        end_session()
        logout_user()
        session.clear()
        end_point = _end_session_endpoint() if id_token else None
        if end_point:
            # RP-initiated logout: the provider ends its own session too, then sends the user back.
            return redirect(
                end_point
                + "?"
                + urlencode(
                    {
                        "id_token_hint": id_token,
                        "client_id": current_app.config["STAFF_OIDC_CLIENT_ID"],
                        "post_logout_redirect_uri": url_for("auth.login", _external=True),
                    }
                )
            )
    return redirect(url_for("auth.login"))


def _end_session_endpoint() -> str | None:
    """The provider's logout address, if it has one (and answers: a provider that is down does
    not keep anyone from logging out here)."""
    client = staff_client(current_app)
    try:
        return client.load_server_metadata().get("end_session_endpoint") if client is not None else None
    except Exception:  # noqa: BLE001 - the local logout has happened; the provider's is a courtesy
        return None


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """Ends every session of this user, on every device."""
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You are logged out on all devices."), "ok")
    return redirect(url_for("auth.login"))


def too_many_logins():
    """The login page again, saying why (rendered for a 429 on /login)."""
    form = LoginForm()
    form.password.errors = [_("Too many failed attempts. Wait a few minutes and try again.")]
    return make_response(render_template("login.html", form=form), 429)


# How far the idle timeout's mark may lag behind the last request: a session ends between
# SESSION_IDLE_MINUTES minus this and SESSION_IDLE_MINUTES after it.
SEEN_RESOLUTION_SECONDS = 60


@bp.before_app_request
def _idle_timeout():
    """Server-side idle timeout: the cookie's expiry alone is up to the browser."""
    if not current_user.is_authenticated or request.headers.get("Authorization", "").startswith("Bearer "):
        return None
    now = utcnow().timestamp()
    seen = session.get("seen")
    if seen is not None and now - seen > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        end_session()
        logout_user()
        session.clear()
        if request.path.startswith("/api/") or request.endpoint in ("auth.login", "static", "health.healthz"):
            return None  # the API answers 401 by itself; the login form just carries on
        flash(_("You were logged out after a period without activity."), "info")
        return redirect(url_for("auth.login", next=request.path))
    if seen is None or now - seen >= SEEN_RESOLUTION_SECONDS:
        session["seen"] = now  # marks the session modified: the cookie is signed and sent again
    return None


@bp.post("/language")
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.lang.data
        if current_user.is_authenticated:
            accounts.set_locale(current_user, form.lang.data)  # remembered for emails and the next login
    return redirect(safe_next(request.form.get("next")) or url_for("cases.home"))

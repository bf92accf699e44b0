"""Staff authentication: session login (Flask-Login) and personal API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import bindparam, select
from werkzeug.security import check_password_hash, generate_password_hash

from .access.policy import consent_terms, terms_from
from .clock import utcnow
from .extensions import db, login_manager
from .models import ApiToken, IpsCase, User, UserSession
from .services import accounts, inbox, integrations, throttle
from .services.accounts import TOKEN_PREFIX, hash_password, password_hash_method  # noqa: F401  (re-exported)
from .validation import record_id
from .workflows.phases import Role


@lru_cache
def _dummy_hash(method: str) -> str:
    """A fixed hash to compare against when the user does not exist, so both failures cost the same."""
    return generate_password_hash("not-a-real-password", method=method)


_dummy_hash("scrypt")  # the production method's, made at import as before


class LoginDelayed(Exception):
    """The account must wait before the next attempt (too many wrong passwords in a row)."""

    def __init__(self, until: datetime):
        super().__init__(until.isoformat())
        self.until = until


# A cap on failures per e-mail address across every client address, so many addresses together
# cannot guess for long; reaching it makes the address wait out the hour.
ACCOUNT_FAILURES_PER_HOUR = 100
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def authenticate(email: str, password: str, address: str = "") -> User | None:
    """The user for a right e-mail and password, None otherwise.

    Failures are counted per e-mail address typed and client address (behind a proxy, the
    client's as PROXY_HOPS reports it), whether or not an account has that address: after
    LOGIN_FREE_FAILURES wrong passwords in a row from one client address, that address waits
    LOGIN_DELAY_SECONDS for that e-mail, doubling per further failure up to LOGIN_DELAY_MAX_SECONDS.
    Attempts made while it waits are refused without checking the password and without growing
    the delay. The owner signing in from their own address is not held up by someone else's
    failures; only ACCOUNT_FAILURES_PER_HOUR failures from all addresses together make every
    address wait for the rest of the hour. An unknown address goes through the same steps
    (a dummy password check included), so its answers and their timing are the same.
    """
    now = utcnow()
    typed = (email or "").strip().lower()
    pair, account = throttle.key("staff-login", typed, address), throttle.key("staff-login-all", typed)
    wait = max(
        (t for t in (throttle.waiting_until(pair, now), throttle.waiting_until(account, now)) if t), default=None
    )
    if wait is not None:
        raise LoginDelayed(wait)
    user = db.session.scalar(select(User).where(User.email == typed))
    right = check_password_hash(
        user.password_hash if user is not None else _dummy_hash(password_hash_method()), password
    )
    if user is None or not right or not user.active or user.role == Role.INTEGRATION:
        _count_failure(pair, account, now)
        return None
    throttle.clear(pair)
    return user


def _count_failure(pair: str, account: str, now: datetime) -> None:
    cfg = current_app.config
    throttle.add(
        pair,
        now,
        DAY,
        free=cfg["LOGIN_FREE_FAILURES"] - 1,
        delay=timedelta(seconds=cfg["LOGIN_DELAY_SECONDS"]),
        max_delay=timedelta(seconds=cfg["LOGIN_DELAY_MAX_SECONDS"]),
    )
    throttle.add(account, now, HOUR, free=ACCOUNT_FAILURES_PER_HOUR - 1)


def start_session(user: User) -> None:
    """Record a new browser session; its id goes into the (signed) cookie."""
    session["sid"] = accounts.start_session(user)


def end_session() -> None:
    """Logging out ends the session here: the cookie, even if copied, no longer logs anyone in."""
    sid = session.get("sid")
    if sid:
        accounts.end_session(sid)


def create_token(user: User, name: str) -> tuple[str, ApiToken]:
    """Create (and commit) a personal API token that expires after API_TOKEN_DAYS; the plain
    token is returned once and never stored."""
    return accounts.create_token(user, name, days=current_app.config["API_TOKEN_DAYS"])


TOKEN_COLUMNS = (
    ApiToken.id,
    ApiToken.revoked_at,
    ApiToken.expires_at,
    ApiToken.last_used_at,
    ApiToken.scopes,
    ApiToken.approved_at,
    ApiToken.approval_hash,
)


def _path_case_id() -> int | None:
    """The case an API request names in its path, whose gate can ride on the token's statement."""
    case_id = (request.view_args or {}).get("case_id")
    return case_id if isinstance(case_id, int) and request.path.startswith("/api/") else None


def _token_rows(token_hash: str, case_id: int | None) -> list[Any]:
    """The token and its user; with a case id also the case, its citizen and its unwithdrawn
    consents' terms (what the access gate reads), in the same statement: one round trip, not two."""
    token, with_case = _token_statements(db.engine.dialect.name)
    if case_id is None:
        return list(db.session.execute(token, {"token_hash": token_hash}).all())
    return list(db.session.execute(with_case, {"token_hash": token_hash, "case_id": case_id}).all())


@lru_cache
def _token_statements(dialect: str) -> tuple[Any, Any]:
    """Built once: composing a statement costs more Python than running a cached one."""
    token = select(*TOKEN_COLUMNS, User).join(User, User.id == ApiToken.user_id)
    terms = consent_terms(dialect)
    with_case = (
        select(*TOKEN_COLUMNS, User, IpsCase, terms.c.terms.label("consent_terms"))
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(IpsCase, IpsCase.id == bindparam("case_id"))
        .outerjoin(terms, terms.c.case_id == IpsCase.id)
    )
    by_hash = ApiToken.token_hash == bindparam("token_hash")
    return token.where(by_hash), with_case.where(by_hash)


def user_for_token(token: str) -> User | None:
    now = utcnow()
    first, second = integrations.split_token(token)
    case_id = _path_case_id()
    rows = _token_rows(accounts.token_hash(first), case_id)
    found = rows[0] if rows else None
    if found is None or not found.User.active:
        return None
    if found.scopes is not None:
        # A service token needs both halves and a second person's approval; every refused use is
        # logged against its integration account (whose one token names creator and approver).
        refusal = _service_token_refusal(found, second, now)
        if refusal is not None:
            _refuse_service_token(found.User, *refusal)
            return None
    elif second is not None or found.revoked_at is not None or found.expires_at <= now:
        return None
    if case_id is not None:  # taken by the access gate (access/guard.py) instead of reading them again
        g.prefetched_case = (case_id, found.IpsCase, terms_from(found.consent_terms))
    row = found
    # A service token's scopes (None for a personal token): api/scopes.py holds requests to them.
    g.token_scopes = frozenset(row.scopes) if row.scopes is not None else None
    g.token_id = row.id
    # Record use at most every TOKEN_LAST_USED_MINUTES: a write per request would cost every request.
    stale = now - timedelta(minutes=current_app.config["TOKEN_LAST_USED_MINUTES"])
    if row.last_used_at is None or row.last_used_at < stale:
        accounts.record_token_use(row.id, now, stale)
    return found.User


# Why a service token is refused: (status, problem code, the access log's reason, detail).
TOKEN_NOT_APPROVED = (
    403,
    "token_not_approved",
    "not approved",
    "This service token has not been approved by a second person (the privacy officer or a "
    "coordinator of its organisation), so it does not work yet.",
)
TOKEN_INCOMPLETE = (
    401,
    "token_incomplete",
    "approver's half missing",
    "A service token is the creator's half and the approver's half joined with a dot; one half alone does not work.",
)
TOKEN_ENDED = (401, "unauthorized", "revoked or expired", "This service token is revoked or expired.")


def _service_token_refusal(row: Any, second: str | None, now: datetime) -> tuple[int, str, str, str] | None:
    if row.revoked_at is not None or row.expires_at <= now:
        return TOKEN_ENDED
    if row.approved_at is None:
        return TOKEN_NOT_APPROVED
    if not integrations.approval_matches(row, second):
        return TOKEN_INCOMPLETE
    return None


def _refuse_service_token(account: User, status: int, code: str, reason: str, detail: str) -> None:
    from .access.audit import audit_refusal
    from .workflows.phases import AuditPart

    g.refused_part = AuditPart.SERVICE_TOKEN
    g.token_refusal = (status, code, detail)  # the API answers with it (api/common.require_login)
    audit_refusal(account, status, reason=reason)


def _keep_current_user_loaded() -> None:
    """A commit expires every loaded row, the signed-in user's too, and the next `current_user.id`
    would read the user again (a BEGIN and a SELECT after every write). The user's values are
    what this session loaded or wrote, so they are put back, as committed, right after the commit."""
    from sqlalchemy import event, inspect
    from sqlalchemy.orm import InstanceState, Session
    from sqlalchemy.orm.attributes import set_committed_value

    @event.listens_for(Session, "after_commit")
    def _remember(sess):
        user = g.get("_login_user") if has_request_context() else None
        if not isinstance(user, User):
            return
        state: InstanceState[User] = inspect(user)
        if state.session_id != sess.hash_key or state.deleted or state.detached:
            return
        sess.info[_KEPT_USER] = (user, {k: state.dict[k] for k in state.mapper.column_attrs.keys() if k in state.dict})  # noqa: SIM118 - iterating the properties gives their values

    @event.listens_for(Session, "after_transaction_end")
    def _restore(sess, _transaction):
        kept = sess.info.pop(_KEPT_USER, None)
        if kept is None:
            return
        user, values = kept
        if inspect(user).session_id == sess.hash_key:
            for key, value in values.items():
                set_committed_value(user, key, value)


_KEPT_USER = "ips_current_user_values"
_kept = False


class BearerSkipsCookie(SecureCookieSessionInterface):
    """A request with a bearer token is signed in by the token alone (load_user ignores the
    cookie), so its cookie session is neither read nor re-signed and sent back."""

    def open_session(self, app, request):
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return self.session_class()  # empty and unmodified: save_session sets no cookie
        return super().open_session(app, request)


def init_auth(app) -> None:
    global _kept
    if not _kept:  # session events are per process, like the history guard
        _keep_current_user_loaded()
        _kept = True
    app.session_interface = BearerSkipsCookie()
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None  # an explicit token wins over a session cookie
        uid, _, generation = user_id.partition(":")
        number = record_id(uid)
        if number is None:
            return None
        # The session must still be open on the server (logout ends it there).
        sid = session.get("sid")
        if not isinstance(sid, str):
            return None
        # One statement for the user, their open session and the menu's unread count: every
        # page pays it, so it is one round trip rather than three.
        open_session = (
            select(UserSession.id)
            .where(UserSession.id == sid, UserSession.user_id == User.id, UserSession.ended_at.is_(None))
            .exists()
        )
        found = db.session.execute(
            select(User, inbox.unread_count_of(User.id)).where(User.id == number, open_session)
        ).first()
        # "Log out everywhere" bumps the generation, which invalidates every older session.
        if found is None or str(found[0].session_generation) != generation:
            return None
        if request.method in ("GET", "HEAD"):  # a write may change the count before its page renders
            g.inbox_unread = (found[0].id, found[1])
        return found[0]

    @login_manager.request_loader
    def load_user_from_request(request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return user_for_token(header[len("Bearer ") :].strip())

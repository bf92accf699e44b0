"""Staff authentication: session login (Flask-Login) and personal API tokens."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app, g, request, session
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .clock import utcnow
from .extensions import db, login_manager
from .models import ApiToken, User, UserSession
from .services import accounts, integrations
from .services.accounts import TOKEN_PREFIX, hash_password, password_hash_method  # noqa: F401  (re-exported)
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


def authenticate(email: str, password: str) -> User | None:
    """The user for a right e-mail and password, None otherwise.

    After LOGIN_FREE_FAILURES wrong passwords in a row the account waits LOGIN_DELAY_SECONDS, doubling per
    further failure up to LOGIN_DELAY_MAX_SECONDS. Attempts made while it waits are refused
    without checking the password and without growing the delay, so an attacker can make the
    owner wait at most one capped delay, and the right password works as soon as it has passed.
    """
    now = utcnow()
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(password_hash_method()), password)
        return None
    if user.login_delay_until is not None and user.login_delay_until > now:
        raise LoginDelayed(user.login_delay_until)
    if not check_password_hash(user.password_hash, password) or not user.active or user.role == Role.INTEGRATION:
        _count_failure(user, now)
        return None
    accounts.clear_login_failures(user)
    return user


def _count_failure(user: User, now: datetime) -> None:
    cfg = current_app.config
    accounts.count_login_failure(user, now, free_failures=cfg["LOGIN_FREE_FAILURES"],
                                 delay_seconds=cfg["LOGIN_DELAY_SECONDS"],
                                 max_delay_seconds=cfg["LOGIN_DELAY_MAX_SECONDS"])


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


def user_for_token(token: str) -> User | None:
    now = utcnow()
    first, second = integrations.split_token(token)
    found = db.session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                               .where(ApiToken.token_hash == accounts.token_hash(first))).first()
    if found is None or not found.User.active:
        return None
    row = found.ApiToken
    if row.scopes is not None:
        # A service token needs both halves and a second person's approval; every refused use is
        # logged against its integration account (whose one token names creator and approver).
        refusal = _service_token_refusal(row, second, now)
        if refusal is not None:
            _refuse_service_token(found.User, *refusal)
            return None
    elif second is not None or row.revoked_at is not None or row.expires_at <= now:
        return None
    # A service token's scopes (None for a personal token): api/scopes.py holds requests to them.
    g.token_scopes = frozenset(row.scopes) if row.scopes is not None else None
    g.token_id = row.id
    # Record use at most every TOKEN_LAST_USED_MINUTES: a write per request would cost every request.
    stale = now - timedelta(minutes=current_app.config["TOKEN_LAST_USED_MINUTES"])
    if row.last_used_at is None or row.last_used_at < stale:
        accounts.record_token_use(row.id, now, stale)
    return found.User


# Why a service token is refused: (status, problem code, the access log's reason, detail).
TOKEN_NOT_APPROVED = (403, "token_not_approved", "not approved",
                      "This service token has not been approved by a second person (the privacy officer or a "
                      "coordinator of its organisation), so it does not work yet.")
TOKEN_INCOMPLETE = (401, "token_incomplete", "approver's half missing",
                    "A service token is the creator's half and the approver's half joined with a dot; "
                    "one half alone does not work.")
TOKEN_ENDED = (401, "unauthorized", "revoked or expired", "This service token is revoked or expired.")


def _service_token_refusal(row: ApiToken, second: str | None, now: datetime) -> tuple[int, str, str, str] | None:
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


def init_auth(app) -> None:
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None  # an explicit token wins over a session cookie
        uid, _, generation = user_id.partition(":")
        if not uid.isdigit():
            return None
        user = db.session.get(User, int(uid))
        # "Log out everywhere" bumps the generation, which invalidates every older session.
        if user is None or str(user.session_generation) != generation:
            return None
        # The session must still be open on the server (logout ends it there).
        sid = session.get("sid")
        if not isinstance(sid, str) or db.session.scalar(
                select(UserSession.user_id).where(UserSession.id == sid, UserSession.ended_at.is_(None))) != user.id:
            return None
        return user

    @login_manager.request_loader
    def load_user_from_request(request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return user_for_token(header[len("Bearer "):].strip())

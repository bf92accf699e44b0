"""Staff authentication: session login (Flask-Login) and personal API tokens."""
from __future__ import annotations

import hashlib
import secrets

from flask import request

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .clock import utcnow
from .extensions import db, login_manager
from .models import ApiToken, User

TOKEN_PREFIX = "ipc_"
# A fixed hash to compare against when the user does not exist, so both failures cost the same.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt (werkzeug's default)


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[str, ApiToken]:
    """Create a personal API token; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token), prefix=token[:12], created_at=utcnow())
    db.session.add(row)
    return token, row


def user_for_token(token: str) -> User | None:
    found = db.session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                               .where(ApiToken.token_hash == _token_hash(token))).first()
    if found is None or found.ApiToken.revoked_at is not None or not found.User.active:
        return None
    return found.User


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
        return user

    @login_manager.request_loader
    def load_user_from_request(request):
        header = request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return None
        return user_for_token(header[len("Bearer "):].strip())

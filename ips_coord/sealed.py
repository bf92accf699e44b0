"""Secrets that must wait in the database for a moment: sealed, never in plain text.

A citizen's sign-in code, an invitation link and a forgotten-password link are e-mailed through
the outbox (a row, delivered by the worker at least once). Until the row is sent it holds the
secret Fernet-encrypted under a key derived from SECRET_KEY; when it is sent or fails, the
worker removes it. A database dump therefore holds no usable code or link, and no log line
ever names one (the worker logs the row's id and kind only).
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived(b"ips-coord outbox seal")))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(token: str) -> str | None:
    """The secret, or None if it was sealed under another SECRET_KEY or tampered with."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


# --- The CPR number at rest ------------------------------------------------------------------
# Sealed with authenticated encryption (Fernet: AES-128-CBC with HMAC-SHA256) under CPR_KEYS, a
# comma-separated list of Fernet keys: the first seals, every one opens, so a key is rotated by
# putting the new key first and running `flask cpr rotate` (re-seals every row), then dropping
# the old key. Beside it a keyed hash (HMAC-SHA256 under CPR_HMAC_KEY) finds a citizen by an
# exact number without opening any row. Without the settings both keys derive from SECRET_KEY.
def _derived(label: bytes, secret_key: str | None = None) -> bytes:
    """A key for one purpose, derived from SECRET_KEY (or the one given)."""
    secret = current_app.config["SECRET_KEY"] if secret_key is None else secret_key
    return hashlib.sha256(label + b"\0" + secret.encode()).digest()


def _cpr_fernet():
    return _cpr_fernet_of(str(current_app.config.get("CPR_KEYS") or ""), current_app.config["SECRET_KEY"])


@lru_cache(maxsize=4)
def _cpr_fernet_of(cpr_keys: str, secret_key: str):
    """Built once per key setting: a case read opens one number, a list dozens, and deriving the
    keys and building the ciphers cost more than opening one."""
    from cryptography.fernet import MultiFernet

    keys = [k.strip() for k in cpr_keys.split(",") if k.strip()]
    if not keys:
        keys = [base64.urlsafe_b64encode(_derived(b"ips-coord cpr seal", secret_key)).decode()]
    return MultiFernet([Fernet(k.encode()) for k in keys])


def seal_cpr(digits: str) -> str:
    return _cpr_fernet().encrypt(digits.encode()).decode()


def open_cpr(token: str | None) -> str | None:
    """The ten digits, or None (no number, or sealed under a key no longer configured)."""
    if not token:
        return None
    try:
        return _cpr_fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def reseal_cpr(token: str) -> str:
    """The same number sealed under the first (newest) key."""
    return _cpr_fernet().rotate(token.encode()).decode()


def cpr_hmac(digits: str) -> str:
    import hmac

    key = str(current_app.config.get("CPR_HMAC_KEY") or "").encode() or _derived(b"ips-coord cpr hmac")
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()

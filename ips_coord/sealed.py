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

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"ips-coord outbox seal\0" + current_app.config["SECRET_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(token: str) -> str | None:
    """The secret, or None if it was sealed under another SECRET_KEY or tampered with."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return None

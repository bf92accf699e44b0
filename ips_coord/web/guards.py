"""Checks on every request before any view sees it: what the database or the parser cannot take.

A JSON body nested deeper than MAX_JSON_DEPTH, a lone UTF-16 surrogate (JSON allows "\\udc00",
UTF-8 and PostgreSQL do not) or a NUL character anywhere in a JSON body or a query string is a
400 that names the field, never a 500 from deep inside a view.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from ..validation import INT4_MAX, record_id, whole_number

MAX_JSON_DEPTH = 32
# What PostgreSQL text cannot hold (NUL) and what UTF-8 cannot encode (lone surrogates).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Characters that must never reach a Location header (response splitting) or a path.
_CONTROL = re.compile("[\x00-\x1f\x7f\\\\]")


class BadInput(BadRequest):
    """A 400 that carries the field it is about (rendered by the API and web error handlers)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.data = {"message": message, "errors": {field: [message]}}


def unstorable(text: str) -> bool:
    return bool(_UNSTORABLE.search(text))


def _check_json(raw: bytes) -> None:
    try:
        body = json.loads(raw)
    except RecursionError:
        raise BadInput("_schema", _("The JSON body is nested too deeply.")) from None
    except ValueError:
        return  # not JSON at all: the view's parser says so in its own words
    # Iterative walk (a recursive one could itself overflow); the top-level key names the field.
    stack = [(body, 0, "_schema")]
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadInput("_schema", _("The JSON body is nested too deeply."))
        if isinstance(value, str):
            if unstorable(value):
                raise BadInput(field, _("Contains a character that cannot be stored (NUL or a lone surrogate)."))
        elif isinstance(value, dict):
            for key, item in value.items():
                name = key if depth == 0 else field
                if unstorable(key):
                    raise BadInput(field, _("Contains a character that cannot be stored (NUL or a lone surrogate)."))
                stack.append((item, depth + 1, name))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)


def check_request() -> None:
    """before_request: refuse input that no view could store."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge(_("The request is larger than %(size)s bytes.", size=limit))
    for name, value in request.args.items(multi=True):
        if unstorable(name) or unstorable(value):
            raise BadInput(name, _("Contains a character that cannot be stored (NUL or a lone surrogate)."))
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.is_json:
        raw = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH (413 above it)
        if raw:
            _check_json(raw)


def query_id(name: str) -> int | None:
    """The id in ?name=: None when it is absent or empty, a 400 naming the parameter for
    anything that is not an id (validation.whole_number is the one parser)."""
    raw = request.args.get(name, "")
    if not raw.strip():
        return None
    value = record_id(raw)
    if value is None:
        raise BadInput(name, _("Not a valid integer value."))
    return value


def query_page(name: str = "page", last: int = INT4_MAX) -> int:
    """A page number from ?page=, 1 to `last`: what cannot be read as one is the first page."""
    value = whole_number(request.args.get(name, ""), minimum=1, maximum=INT4_MAX) or 1
    return min(value, max(last, 1))


def no_sooner_than(started: float) -> None:
    """Hold a page that mails a secret (a sign-in code, a password link) until SIGN_IN_MIN_SECONDS
    after `started` (time.monotonic()): a fixed floor, so an address on record (a row, an e-mail
    queued) and an unknown one (nothing to write) answer in the same time."""
    left = current_app.config["SIGN_IN_MIN_SECONDS"] - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: no open redirect through ?next=."""
    if not target or not target.startswith("/") or target.startswith("//") or _CONTROL.search(target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def roles_only(roles: Iterable[str]) -> Callable[[], ResponseReturnValue | None]:
    """A blueprint's before_request for pages of some staff roles: signed out (a citizen session
    included) goes to the staff login, any other role gets 404. It checks every method alike:
    Flask-Login's login_required lets OPTIONS through unchecked, and a role check after it would
    then meet an anonymous user."""
    allowed = frozenset(roles)

    def guard() -> ResponseReturnValue | None:
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]  # set by init_app
        if getattr(current_user, "role", None) not in allowed:
            abort(404)
        return None

    return guard

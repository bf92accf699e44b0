"""Locale choice: ?lang=, then (API) Accept-Language, then the user's stored locale, then Danish."""
from flask import current_app, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang")
    if asked is not None and asked in languages:
        return asked
    if request.path.startswith("/api/") and request.accept_languages:
        # An API client says per request which language it wants its messages in.
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translate(text):
    """A `Text` (or any message string) in the request's language; other values unchanged."""
    from flask_babel import gettext

    from .text import Text

    if isinstance(text, Text):
        return gettext(text.msgid, **text.params)
    if isinstance(text, str) and text:
        return gettext(text)
    return text

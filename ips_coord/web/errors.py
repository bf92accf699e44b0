from flask import render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..labels import ERROR_PAGES
from .guards import BadInput


def error_text(code: int | None) -> tuple[str, str]:
    """The page's title and what the person can do, in words (werkzeug's names are English)."""
    status = code or 500
    title, hint = ERROR_PAGES.get(status, ERROR_PAGES[500] if status >= 500 else ERROR_PAGES[400])
    return str(title), str(hint)


def error_page(exc: HTTPException):
    """The page for an HTTP error outside /api/ (the app factory dispatches: see configure_error_pages)."""
    if exc.code == 429 and request.endpoint == "auth.login":
        from .auth_views import too_many_logins

        return too_many_logins()
    headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
    # Our own messages say what to change; werkzeug's generic texts are not shown.
    message = None
    if isinstance(exc, BadInput):
        message = exc.description
    elif isinstance(exc, RequestEntityTooLarge):
        message = _("What you sent is too large. Shorten the text and try again.")
    title, hint = error_text(exc.code)
    return render_template("error.html", error=exc, title=title, hint=hint, message=message), exc.code, headers

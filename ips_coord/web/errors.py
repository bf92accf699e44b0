from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .guards import BadInput


# Every error page in plain words (werkzeug's names are English), and what the person can do.
ERROR_TEXT = {
    400: (_l("Something in the request was not right"), _l("Go back, check what you filled in and try again.")),
    403: (_l("You do not have access"), _l("Your role does not give access to this page or case.")),
    404: (_l("The page was not found"),
          _l("The page or case does not exist, or you do not have access to it.")),
    405: (_l("That cannot be done here"), _l("Go back and use the page's buttons.")),
    409: (_l("Someone else changed it first"), _l("Open the page again and check before you save.")),
    413: (_l("Too much was sent"), _l("Shorten the text and try again.")),
    429: (_l("Too many requests"), _l("Wait a minute and try again.")),
    500: (_l("Something went wrong on our side"),
          _l("What you did may not have been saved. Try again in a moment; if it keeps happening, tell support.")),
}


def error_text(code):
    title, hint = ERROR_TEXT.get(code or 500, ERROR_TEXT[500] if (code or 500) >= 500 else ERROR_TEXT[400])
    return str(title), str(hint)


def register_error_pages(app):
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if request.path.startswith("/api/"):
            from ..api.errors import from_http_exception

            return from_http_exception(exc)
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

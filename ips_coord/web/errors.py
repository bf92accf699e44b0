from flask import render_template, request
from werkzeug.exceptions import HTTPException


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
        return render_template("error.html", error=exc), exc.code, headers

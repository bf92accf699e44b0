"""ips-coord: one shared IPS case record for consultant, psychiatry and jobcenter."""

from __future__ import annotations

import logging
import os
import re
import sys
import uuid
from datetime import timedelta

from flask import Flask, g, request

from config import ConfigError, load_config

from .clock import Clock, FileClock
from .extensions import babel, csrf, db, limiter, login_manager, migrate

log = logging.getLogger(__name__)


def create_app(config: dict | None = None, clock: Clock | None = None) -> Flask:
    """App factory. `config` overrides what the environment gives (tests pass a dict).

    Each step below is one concern; the order matters only where a step says so."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
        # Where the embedded SQLite file, the filesystem broker and the mailbox live.
        instance_path=os.environ.get("IPS_INSTANCE_PATH") or None,
    )
    configure_settings(app, config)
    configure_clock(app, clock)
    configure_database(app)
    configure_extensions(app)
    configure_request_hooks(app)
    configure_blueprints(app)
    configure_error_pages(app)
    configure_cli(app)
    configure_celery(app)
    return app


def app_or_exit() -> Flask:
    """Create the app, or stop with one line naming the wrong setting (wsgi, worker, `make run`)."""
    try:
        return create_app()
    except ConfigError as exc:
        print(f"ips-coord: configuration error: {exc}", file=sys.stderr)  # noqa: T201 - before any logging exists
        raise SystemExit(2) from None


def configure_settings(app: Flask, config: dict | None) -> None:
    """The environment's settings, then the caller's overrides; the embedded SQLite default."""
    settings = load_config((config or {}).get("ENV_NAME"))
    settings.update(config or {})
    app.config.from_mapping(settings)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        # Embedded default: SQLite in the instance folder.
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "ips_coord.sqlite")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: wait for a writer instead of failing at once (worker, beat and web share one file).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}
    app.permanent_session_lifetime = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")


def configure_clock(app: Flask, clock: Clock | None) -> None:
    """The one injectable clock: given, shared through CLOCK_FILE (tests across processes), or real."""
    if clock is None and app.config.get("CLOCK_FILE"):
        clock = FileClock(app.config["CLOCK_FILE"])
    app.extensions["ips_clock"] = clock or Clock()


def configure_database(app: Flask) -> None:
    """SQLAlchemy, the append-only guard on history, SQLite's pragmas and the migrations."""
    db.init_app(app)
    _guard_history()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)
        elif db.engine.dialect.driver == "psycopg":
            from .pg_cursor import use_lazy_descriptions

            use_lazy_descriptions(db.engine)
    from .models.case import include_object
    from .services.partitions import include_name

    migrate.init_app(
        app,
        db,
        render_as_batch=True,
        compare_type=True,
        directory=_migrations_dir(),
        include_name=include_name,
        include_object=include_object,
    )
    from . import models  # noqa: F401  (register tables with the metadata)

    _survive_database_restart(app)


def configure_extensions(app: Flask) -> None:
    """URL converters, the proxy, login, rate limits, CSRF and translations."""
    from .urls import IdConverter

    app.url_map.converters["id"] = IdConverter
    login_manager.init_app(app)
    if app.config.get("PROXY_HOPS"):
        # Behind a TLS proxy: take the client address and scheme from exactly that many hops of
        # X-Forwarded-*; anything a client adds beyond them is ignored.
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    limiter.init_app(app)
    csrf.init_app(app)
    from .i18n import install_template_gettext, select_locale

    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    from .auth import init_auth

    init_auth(app)
    from .citizen_oidc import init_citizen_auth

    init_citizen_auth(app)
    from .staff_oidc import init_staff_auth

    init_staff_auth(app)


def configure_request_hooks(app: Flask) -> None:
    """A request id on every request and response, the request guards, the security headers."""
    from .access.audit import register_read_audit

    _sync_once(app)
    register_read_audit(app)  # first: its after_request hook runs last, after every hook that logs
    from .services.unit_of_work import end_read_transaction

    # Runs before Flask-SQLAlchemy's teardown (registered earlier), whose ROLLBACK it saves.
    app.teardown_request(end_read_transaction)

    @app.before_request
    def _request_id():
        # Echoed in a header and log lines: only characters that cannot split either.
        given = re.sub(r"[^A-Za-z0-9._:-]", "", request.headers.get("X-Request-ID", ""))[:64]
        g.request_id = given or uuid.uuid4().hex

    from .web.guards import check_request

    app.before_request(check_request)

    @app.after_request
    def _headers(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            # Pages and API answers hold personal data: no browser or proxy may keep a copy.
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        return response


def _sync_once(app: Flask) -> None:
    """Flask asks inspect whether each hook and view is a coroutine on every call (some 30 a
    request); none of ours is, and the answer never changes: ask once per function."""
    from types import FunctionType

    known: dict = {}
    plain = app.ensure_sync

    def ensure_sync(func):
        if type(func) is not FunctionType:  # a bound method of a new view object each request: not kept
            return plain(func)
        found = known.get(func)
        if found is None:
            found = known[func] = plain(func)
        return found

    app.ensure_sync = ensure_sync  # type: ignore[method-assign]


def configure_blueprints(app: Flask) -> None:
    """The REST API and the pages (they share nothing but services/, access/ and workflows/)."""
    from .api import register_api
    from .web import register_web

    register_api(app)
    register_web(app)


def configure_error_pages(app: Flask) -> None:
    """One handler for every HTTP error: JSON under /api/, a page everywhere else. It lives
    here, above both, so that neither web/ nor api/ has to import the other."""
    from werkzeug.exceptions import HTTPException

    from .api.errors import from_http_exception
    from .web.errors import error_page

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code is None or exc.code >= 500:
            # The failure may have left the transaction aborted (PostgreSQL then refuses every
            # statement); the page still loads the user and logs, so start from a clean one.
            from .extensions import db

            db.session.rollback()
        if request.path.startswith("/api/"):
            return from_http_exception(exc)
        return error_page(exc)


def configure_cli(app: Flask) -> None:
    from .cli import register_cli

    register_cli(app)


def configure_celery(app: Flask) -> None:
    from .celery_app import celery_init_app

    celery_init_app(app)


def _migrations_dir() -> str:
    """An installed wheel carries the migrations inside the package; a checkout has them beside it."""
    packaged = os.path.join(os.path.dirname(__file__), "migrations")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


# The environ keys of a request that met a connection the database had dropped.
DISCONNECTED, RETRIED = "ips.db_disconnected", "ips.db_retried"


class _RetryReadOnDisconnect:
    """WSGI: a GET or HEAD that met a pooled connection PostgreSQL had dropped (a restart) runs
    once more, on the new connection SQLAlchemy then makes; the client sees only the second
    answer. A read is safe to run twice; its first run's response is thrown away unsent."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        held: list = []

        def hold(status, headers, exc_info=None):
            held[:] = [(status, headers, exc_info)]
            return _unused_write

        body = self.wsgi_app(environ, hold)
        if environ.pop(DISCONNECTED, False):
            if hasattr(body, "close"):
                body.close()
            return self.wsgi_app(environ, start_response)
        write = start_response(*held[0])
        del write
        return body


def _unused_write(_data):  # the WSGI write() callable: Flask never calls it
    raise RuntimeError("write() is not supported here")


def _survive_database_restart(app: Flask) -> None:
    """Without a ping before every checkout, the first statement on a connection the server
    dropped fails (SQLAlchemy then replaces every pooled connection). A read runs again once
    (_RetryReadOnDisconnect); any other request answers 503 with Retry-After (not a 500): its
    write may not have happened, and the client knows to send it again."""
    from sqlalchemy.exc import DBAPIError
    from werkzeug.exceptions import ServiceUnavailable

    app.wsgi_app = _RetryReadOnDisconnect(app.wsgi_app)  # type: ignore[method-assign]

    @app.errorhandler(DBAPIError)
    def _disconnected(exc: DBAPIError):
        if not exc.connection_invalidated:
            raise exc  # any other database error: the 500 it always was
        db.session.rollback()
        log.warning("database connection lost (%s %s); the pool reconnects", request.method, request.path)
        if request.method in ("GET", "HEAD") and not request.environ.get(RETRIED):
            request.environ[DISCONNECTED] = request.environ[RETRIED] = True
            return "", 503  # never sent: the request runs again
        unavailable = ServiceUnavailable(retry_after=1)
        response = app.handle_http_exception(unavailable)
        return response


_guarded = False


def _guard_history() -> None:
    """Install the append-only guard once per process."""
    global _guarded
    if not _guarded:
        from sqlalchemy.orm import Session

        from .access.audit import guard_append_only
        from .services.changes import record_changes
        from .services.unit_of_work import track_transactions

        guard_append_only(Session)
        record_changes(Session)
        track_transactions(Session)
        _guarded = True


def _sqlite_pragmas(engine) -> None:
    """WAL lets the web, the worker and the beat read while one of them writes."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()


__all__ = ["ConfigError", "app_or_exit", "create_app"]

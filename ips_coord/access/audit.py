"""The access log: every read and write of a case, appended and never changed.

A read request (GET, HEAD) gathers its read and refusal rows and writes them in one INSERT in
its own transaction, committed before the response leaves (commit_reads): never a read without
its row, and no second connection on the hot path. A request's write rows wait for its outcome
(commit_writes, after the view and on a connection of their own): a write that went through is
logged as `write`; one that was refused or failed (any status from 400 up: a field the schema or
the service refused, a stale version, a forbidden step, an error) as `refused` with the status
in `outcome`, so the log never claims a change that did not happen, and the attempt is still
logged even though the write rolled back. Every other row (refusals of other requests, the CLI
and the worker) is written on a connection of its own, committed at once, and the caller's
session is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC
from operator import itemgetter
from typing import Any, cast

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from ..clock import utcnow
from ..extensions import db
from ..models import AccessLog, User
from ..services.unit_of_work import in_autocommit, read_without_transaction
from ..workflows.phases import AccessAction, AuditPart, Part

AUDIT_BATCH = 1000  # rows SQLAlchemy sends as one INSERT (insertmanyvalues)


def _context() -> dict[str, Any]:
    if has_request_context():
        return {
            "view": request.endpoint or request.path[:100],
            "request_id": g.get("request_id"),
            "remote_addr": request.remote_addr,
        }
    return {"view": "cli", "request_id": None, "remote_addr": None}


def audit_many(
    user: User | None,
    case_ids: Iterable[int | None],
    part: str,
    action: str = AccessAction.READ,
    view: str | None = None,
    reason: str | None = None,
) -> None:
    """One row per case; seeing a case in a list is a read of it too."""
    _write(user, [(cid, part) for cid in case_ids], action, view, reason=reason)


def audit_parts(user: User | None, case_id: int, parts: Iterable[str], action: str = AccessAction.READ) -> None:
    """One row per part shown of one case (a page shows several), in one INSERT."""
    _write(user, [(case_id, part) for part in sorted(set(parts))], action)


def audit_pairs(user: User | None, pairs: Iterable[tuple[int, str]], action: str = AccessAction.READ) -> None:
    """Reads (or writes) of several parts on several cases, (case_id, part) pairs, in one INSERT."""
    _write(user, sorted(set(pairs)), action)


def _write(
    user: User | None, pairs: Iterable[tuple[int | None, str]], action: str, view: str | None = None, **extra: Any
) -> None:
    ctx = _context()
    if view:
        ctx["view"] = view
    now = utcnow()
    user_id = user.id if user else None  # once: `user` is often current_user, a proxy looked up on each use
    rows = [
        {
            "user_id": user_id,
            "case_id": cid,
            "action": action,
            "part": part,
            "created_at": now,
            "target": None,
            "outcome": None,
            "reason": None,
            "citizen_id": None,
            **ctx,
            **extra,
        }
        for cid, part in pairs
    ]
    if not rows:
        return
    if has_request_context() and action == AccessAction.WRITE:
        writes = g.get(WRITES)
        if writes is None:
            writes = []
            setattr(g, WRITES, writes)
        writes.extend(rows)  # written with the request's outcome (commit_writes)
        return
    deferred = g.get(READS) if has_request_context() else None
    if deferred is not None:
        deferred.extend(rows)
        return
    _insert_now(rows)


# What the rows of one request share: they differ in case, part and time only (a row per case
# shown, from one or more audit calls).
_SHARED = {
    "user_id": "integer",
    "action": "varchar",
    "view": "varchar",
    "request_id": "varchar",
    "remote_addr": "varchar",
    "target": "varchar",
    "outcome": "integer",
    "reason": "varchar",
    "citizen_id": "integer",
}
_shared_of = itemgetter(*_SHARED)
# In the driver's own placeholders, sent by exec_driver_sql: every read request runs it, and a
# constant statement needs none of SQLAlchemy's parameter processing.
_SHARED_VALUES = ", ".join(f"CAST(%({column})s AS {kind})" for column, kind in _SHARED.items())
_UNNEST_INSERT = (
    f"INSERT INTO access_log (case_id, part, created_at, {', '.join(_SHARED)})"  # noqa: S608  (constant names)
    f" SELECT u.case_id, u.part, u.created_at, {_SHARED_VALUES}"
    " FROM unnest(CAST(%(case_ids)s AS integer[]), CAST(%(parts)s AS varchar[]), CAST(%(times)s AS timestamp[]))"
    " AS u(case_id, part, created_at)"
)


def _insert_rows(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """One INSERT per group of rows that share all but case, part and time (a request's rows are
    one group). On PostgreSQL those three go as arrays: SQLAlchemy's multi-row INSERT binds and
    converts every value of every row in Python, ~1.4 ms for the 70 cases of a consultant's day
    against ~0.2 ms."""
    if conn.dialect.name != "postgresql":
        conn.execute(insert(ACCESS_LOG), rows[0] if len(rows) == 1 else rows)
        return
    groups: dict[tuple[Any, ...], tuple[list[int | None], list[str], list[str]]] = {}
    for row in rows:
        case_ids, parts, times = groups.setdefault(_shared_of(row), ([], [], []))
        case_ids.append(row["case_id"])
        parts.append(str(row["part"]))
        # Naive UTC, as UTCDateTime stores it.
        times.append(row["created_at"].astimezone(UTC).replace(tzinfo=None).isoformat())
    for shared, (case_ids, parts, times) in groups.items():
        params = dict(zip(_SHARED, shared, strict=True))
        params["action"] = str(params["action"])  # the enum's code, as the Code column stores it
        arrays = {"case_ids": pg_array(case_ids), "parts": pg_array(parts), "times": pg_array(times)}
        conn.exec_driver_sql(_UNNEST_INSERT, {**params, **arrays})


def pg_array(values: list[Any]) -> str:
    """A PostgreSQL array literal of the values (None is NULL, every other value quoted), cast by
    the statement. psycopg dumps a Python list element by element in Python: for the 70 rows of a
    consultant's day its three arrays cost 0.3 ms against 0.1 ms for three strings."""
    quoted = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' if v is not None else "NULL" for v in values)
    return "{" + ",".join(quoted) + "}"


def _insert_now(rows: list[dict[str, Any]]) -> None:
    """On a connection of its own, committed at once, whatever the caller's session does next."""
    if len(rows) <= AUDIT_BATCH:
        # One INSERT statement is atomic on its own: autocommit saves the BEGIN and COMMIT round trips.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            _insert_rows(conn, rows)
        return
    with db.engine.begin() as conn:
        _insert_rows(conn, rows)


# --- Reads: logged in the request's own transaction -----------------------------------------
ACCESS_LOG = cast(Table, AccessLog.__table__)
READS = "audit_reads"  # g's list of a read request's rows, written by commit_reads
WRITES = "audit_writes"  # g's list of a request's write rows, written by commit_writes with the outcome
READ_METHODS = ("GET", "HEAD")
FAILED = 400  # from this status on, a write did not happen


def _with_outcome(rows: list[dict[str, Any]], status: int) -> list[dict[str, Any]]:
    if status < FAILED:
        return rows
    return [{**row, "action": AccessAction.REFUSED, "outcome": status} for row in rows]


def commit_writes(response: Response) -> Response:
    """The request's write rows, as `write` when the write went through and as `refused` with
    the status when it did not."""
    rows = g.pop(WRITES, None)
    if rows:
        _insert_now(_with_outcome(rows, response.status_code))
    return response


def _writes_left(_exc: BaseException | None) -> None:
    """A request that ended in an exception with no response: its write rows as failed (500)."""
    rows = g.pop(WRITES, None)
    if rows:
        _insert_now(_with_outcome(rows, 500))


def gather_reads() -> None:
    if request.method in READ_METHODS:
        setattr(g, READS, [])
        if request.endpoint != "static":
            read_without_transaction()  # no BEGIN, no COMMIT: see services/unit_of_work.py


def commit_reads(response: Response) -> Response:
    """Runs after every other after_request hook (the refusal's row included). A failure here
    raises, and the client gets a 500 instead of what it was shown without a row."""
    rows = g.pop(READS, None)
    if rows is None:
        return response  # not a read request
    session = db.session()
    if in_autocommit():
        # Each statement is its own transaction: the INSERT is durable when it returns, and a
        # failed one raises (the client gets a 500). Nothing else to end: no round trip.
        if rows:  # on the connection: a Core INSERT needs none of the session's ORM steps
            _insert_rows(session.connection(), rows)
        return response
    if not rows:
        # A read that logged nothing ends its transaction with a COMMIT (nothing to write), not
        # the teardown's ROLLBACK: after a ROLLBACK psycopg drops every statement it prepared on
        # the connection (DEALLOCATE ALL) and the next request parses them all again.
        if session.in_transaction() and not (session.new or session.dirty or session.deleted):
            try:
                session.commit()
            except SQLAlchemyError:
                session.rollback()  # the view left the transaction failed: the teardown's ROLLBACK, now
        return response
    if db.session.new or db.session.dirty or db.session.deleted:
        db.session.rollback()  # a read request never writes by the ORM: nothing of it may ride along
    for attempt in (1, 2):  # the view may have left the transaction failed: once more in a fresh one
        try:
            _insert_rows(db.session.connection(), rows)  # Core: no ORM bulk machinery on the hot path
            db.session.commit()
            return response
        except Exception:
            db.session.rollback()  # and the error page that follows finds a usable session
            if attempt == 2:
                raise
    return response


def register_read_audit(app: Flask) -> None:
    """Registered before every other after_request hook, so it runs after all of them."""
    app.before_request(gather_reads)
    app.after_request(commit_reads)
    app.after_request(commit_writes)
    app.teardown_request(_writes_left)


def audit(user: User | None, case_id: int | None, action: str, part: str, view: str | None = None) -> None:
    audit_many(user, [case_id], part, action, view)


def audit_cpr_shown(user: User, case_id: int) -> None:
    """A user asked to see a citizen's full CPR number (the masked one is a read of identity)."""
    _write(user, [(case_id, Part.IDENTITY)], AccessAction.READ, target="cpr")


def audit_export(user: User | None, citizen_id: int, export: dict[str, Any], reason: str | None) -> None:
    """An export is a read of every part it holds, per case, with the reason stated (one INSERT);
    user None is an operator's export from the command line."""
    pairs: list[tuple[int | None, str]] = [(case["id"], part) for case in export["cases"] for part in case["parts"]]
    _write(user, pairs or [(None, Part.EXPORT)], AccessAction.READ, target=f"citizen {citizen_id}", reason=reason)


def audit_service_token(user: User, token_id: int, what: str) -> None:
    """A service token made, approved, rejected or revoked, by whom (no case: the privacy officer's
    list of the people behind each integration)."""
    _write(user, [(None, AuditPart.SERVICE_TOKEN)], AccessAction.WRITE, target=f"token {token_id}", reason=what)


def audit_citizen(
    citizen_id: int, case_id: int | None, parts: Iterable[str], action: str = AccessAction.READ, **extra: Any
) -> None:
    """What a citizen saw or did in their own view: rows with the citizen, and no staff user."""
    _write(None, [(case_id, part) for part in sorted(set(parts))], action, citizen_id=citizen_id, **extra)


# --- Refusals -------------------------------------------------------------------------------
REFUSED = AccessAction.REFUSED


def _refused_case(view_args: dict[str, Any]) -> tuple[int | None, str | None]:
    """The case (if it exists) and a description of the id a refused request named."""
    from ..models import Consent, FollowUp, IpsCase

    lookups = (
        ("case_id", IpsCase.id, IpsCase.id),
        ("consent_id", Consent.id, Consent.case_id),
        ("follow_up_id", FollowUp.id, FollowUp.case_id),
    )
    for arg, key, case_col in lookups:
        if arg in view_args:
            case_id = db.session.scalar(select(case_col).where(key == view_args[arg]))
            return case_id, f"{arg[:-3].replace('_', '-')} {view_args[arg]}"
    for arg, value in view_args.items():
        if arg.endswith("_id"):
            return None, f"{arg[:-3].replace('_', '-')} {value}"[:64]
    return None, None


def audit_refusal(user: User, status: int, reason: str | None = None) -> None:
    """A refused attempt (403/404) by a signed-in user, or a refused service token (its
    integration account): who, which route, which id, the outcome. Probing for records shows up
    on the coordinator's and the privacy officer's pages."""
    case_id, target = _refused_case(request.view_args or {})
    _write(
        user,
        [(case_id, g.get("refused_part") or AuditPart.ROUTE)],
        REFUSED,
        target=target,
        outcome=status,
        reason=reason,
    )


def register_refusal_audit(app: Flask) -> None:
    from flask_login import current_user

    @app.after_request
    def _log_refusal(response: Response) -> Response:
        # A refused write logs itself (commit_writes): one row per refused attempt.
        if (
            response.status_code in (403, 404)
            and request.endpoint not in (None, "static")
            and current_user.is_authenticated
            and not g.get(WRITES)
        ):
            audit_refusal(current_user._get_current_object(), response.status_code)
        return response


# --- Routes that show nothing about a citizen ---------------------------------------------
def shows_no_citizen_data(view: Callable[..., Any]) -> Callable[..., Any]:
    """Declare that a GET route shows nothing about any citizen (so it writes no read rows).
    tests/web/test_audit_routes.py holds every other GET route to logging what it showed."""
    view.shows_no_citizen_data = True  # type: ignore[attr-defined]  # a marker read by the audit test
    return view


def for_the_citizen(view: Callable[..., Any]) -> Callable[..., Any]:
    """Declare a GET route of the citizen's own view: it logs what it shows with the citizen as
    the reader (audit_citizen), and answers staff 404. tests/web/test_citizen_view.py holds these
    routes to that; test_audit_routes.py holds every staff route to logging its staff reads."""
    view.for_the_citizen = True  # type: ignore[attr-defined]  # a marker read by the tests
    return view


def is_for_the_citizen(view_function: Callable[..., Any]) -> bool:
    return bool(getattr(view_function, "for_the_citizen", False))


# GET routes of other modules (and libraries) that show nothing about a citizen, and why.
NO_CITIZEN_DATA_ENDPOINTS = {
    "static": "stylesheets",
    "api-docs.openapi_json": "the API description",
    "auth.login": "the login form",
    "api_tokens.Tokens": "the user's own API tokens",
    "health.healthz": "the service's health",
}


def declared_without_citizen_data(endpoint: str, view_function: Callable[..., Any]) -> bool:
    return bool(
        endpoint in NO_CITIZEN_DATA_ENDPOINTS
        or getattr(view_function, "shows_no_citizen_data", False)
        or getattr(getattr(view_function, "view_class", None), "shows_no_citizen_data", False)
    )


APPEND_ONLY = ("case_event", "access_log")
# Set on a session by the retention run alone, together with its history_override row.
HISTORY_OVERRIDE = "history_override"


def guard_append_only(session_cls: type[Session]) -> None:
    """No code path of the application may change or delete history (the database refuses too)."""
    from sqlalchemy import event

    @event.listens_for(session_cls, "before_flush")
    def _no_changes(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
        for obj in list(session.dirty) + list(session.deleted):
            if getattr(obj, "__tablename__", None) not in APPEND_ONLY:
                continue
            if obj in session.deleted or session.is_modified(obj):
                raise PermissionError(f"{obj.__tablename__} is append-only")

    @event.listens_for(session_cls, "do_orm_execute")
    def _no_bulk_changes(state: ORMExecuteState) -> None:
        if not (state.is_update or state.is_delete) or state.bind_mapper is None:
            return
        if state.session.info.get(HISTORY_OVERRIDE):  # the retention run (services/retention.py)
            return
        table = getattr(state.bind_mapper.local_table, "name", None)
        if table in APPEND_ONLY:
            raise PermissionError(f"{table} is append-only")

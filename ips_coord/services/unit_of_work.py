"""The one transaction idiom of the services (and so of the application's writes), and how a
request that only reads ends its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from ..extensions import db

AUTOCOMMIT = "ips_autocommit"  # session.info: the session reads on an autocommit connection
WROTE = "ips_wrote"  # session.info: the open transaction has written (a flush or a Core INSERT/UPDATE/DELETE)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """One transaction: committed at the end, rolled back on any error (nothing half-written)."""
    session = db.session()
    if AUTOCOMMIT in session.info:
        leave_autocommit(session)  # a write is atomic: it gets a real transaction
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def read_without_transaction() -> None:
    """A read request's statements run on an autocommit connection: no BEGIN and no COMMIT.
    Under READ COMMITTED every statement of a transaction takes its own snapshot anyway, so a
    read sees the same rows either way; and its access-log INSERT, one statement, is durable
    when it returns. A write later in the request leaves autocommit first (unit_of_work)."""
    session = db.session()
    if not session.in_transaction() and db.engine.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        session.info[AUTOCOMMIT] = session.autoflush
        session.autoflush = False  # a change made in memory is never written by a query's autoflush


def leave_autocommit(session: Session) -> None:
    """End the autocommit stretch (no round trip: there is no transaction to end) without
    expiring what it loaded: those rows are as fresh as any statement's snapshot."""
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = keep


def in_autocommit() -> bool:
    return AUTOCOMMIT in db.session().info


def only_read(session: Session) -> bool:
    """The open transaction wrote nothing and has nothing waiting to be written."""
    return not (session.info.get(WROTE) or session.new or session.dirty or session.deleted)


def end_read_transaction(exc: BaseException | None) -> None:
    """Teardown: a transaction that only read ends with COMMIT, not the ROLLBACK that
    Flask-SQLAlchemy's session removal sends, because after a ROLLBACK psycopg drops every
    statement it prepared on the connection (DEALLOCATE ALL) and the next request parses them
    all again. A transaction that wrote (a service failed half-way) is left to that ROLLBACK."""
    session = db.session()
    if exc is not None or not session.in_transaction() or AUTOCOMMIT in session.info or not only_read(session):
        return
    try:
        # The driver's COMMIT alone: nothing was written, so none of the session's commit steps
        # (flush, events, expiring every loaded row) has work to do; the session's close that
        # follows then finds the connection idle and sends nothing.
        session.connection().connection.dbapi_connection.commit()  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001  (whatever the driver raised, the transaction failed: roll it back)
        session.rollback()  # the transaction had failed: the ROLLBACK it would have had anyway


def track_transactions(session_cls: type[Session]) -> None:
    """Session events (once per process): note a transaction's writes, forget both marks when
    it ends, and refuse a flush on an autocommit connection (a write outside unit_of_work in a
    read request would not be atomic)."""
    from sqlalchemy import event

    @event.listens_for(session_cls, "after_flush")
    def _flushed(session: Session, _ctx: Any) -> None:
        session.info[WROTE] = True

    @event.listens_for(session_cls, "do_orm_execute")
    def _dml(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            state.session.info[WROTE] = True

    @event.listens_for(session_cls, "before_flush")
    def _not_in_autocommit(session: Session, _ctx: Any, _instances: Any) -> None:
        if AUTOCOMMIT in session.info:
            raise RuntimeError("a write in a read request outside unit_of_work (it would not be atomic)")

    @event.listens_for(session_cls, "after_transaction_end")
    def _ended(session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            session.info.pop(WROTE, None)
            if AUTOCOMMIT in session.info:
                session.autoflush = session.info.pop(AUTOCOMMIT)


__all__ = ["end_read_transaction", "in_autocommit", "read_without_transaction", "track_transactions", "unit_of_work"]

"""A psycopg cursor whose `description` costs nothing until somebody reads a column of it.

SQLAlchemy asks every cursor for its description after each statement, but once a statement's
compiled form is cached it only checks that there is one (`is None`): the result's columns come
from the cache. psycopg builds a Column object for every column on each such call (a decode and a
type look-up each), so a statement selecting three ORM entities (~70 columns) spent more Python
on its description than on its rows. Here the description is a sequence of the same Column
objects, made on first use: SQLAlchemy's first run of a statement (and anybody else) still sees
psycopg's own columns.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import psycopg
from psycopg import pq

_ROWS = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.SINGLE_TUPLE, pq.ExecStatus.TUPLES_CHUNK)


class _ResultAt:
    """What psycopg's Column reads of its cursor, kept as it was when the description was taken
    (the cursor may have run another statement by the time a column is read)."""

    __slots__ = ("_encoding", "adapters", "pgresult")

    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self.pgresult = cursor.pgresult
        self.adapters = cursor.adapters
        self._encoding = cursor._encoding


class LazyDescription(Sequence[psycopg.Column]):
    __slots__ = ("_at", "_columns", "_count")

    def __init__(self, cursor: psycopg.Cursor[Any], count: int) -> None:
        self._at = _ResultAt(cursor)
        self._count = count
        self._columns: list[psycopg.Column] | None = None

    def _made(self) -> list[psycopg.Column]:
        if self._columns is None:
            self._columns = [psycopg.Column(self._at, i) for i in range(self._count)]  # type: ignore[arg-type]  # Column reads only these three
        return self._columns

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> psycopg.Column: ...
    @overload
    def __getitem__(self, index: slice) -> list[psycopg.Column]: ...
    def __getitem__(self, index: int | slice) -> psycopg.Column | list[psycopg.Column]:
        return self._made()[index]

    def __iter__(self) -> Iterator[psycopg.Column]:
        return iter(self._made())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # a mutable-looking sequence, as psycopg's list

    def __repr__(self) -> str:
        return repr(self._made())


class Cursor(psycopg.Cursor[Any]):
    @property
    def description(self) -> list[psycopg.Column] | None:
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):  # as psycopg decides
            return LazyDescription(self, result.nfields)  # type: ignore[return-value]  # a Sequence of the same Columns
        return None


def use_lazy_descriptions(engine: Any) -> None:
    """Every connection the engine opens makes its cursors of this class."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: psycopg.Connection[Any], _record: Any) -> None:
        dbapi_conn.cursor_factory = Cursor

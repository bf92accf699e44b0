"""What the hot path asks of psycopg in its own way: the access log's arrays sent as literals, and
cursor descriptions made only when read. Both must give PostgreSQL and SQLAlchemy exactly what
psycopg's own adapters would."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from ips_coord.access.audit import audit_many, audit_pairs, pg_array
from ips_coord.models import AccessLog
from ips_coord.pg_cursor import Cursor, LazyDescription
from ips_coord.workflows.phases import AccessAction, Part

AT = datetime(2026, 12, 7, 17, 5, 1, 250, tzinfo=UTC)
AWKWARD = ["plain", 'a "quoted" word', "back\\slash", "comma, and {braces}", "NULL", "", " spaced "]


def test_an_array_literal_reads_back_as_the_values_it_was_made_of(db):
    got = db.session.execute(
        text("SELECT CAST(:t AS varchar[]), CAST(:i AS integer[]), CAST(:d AS timestamp[])"),
        {
            "t": pg_array([*AWKWARD, None]),
            "i": pg_array([1, None, 2_000_000_000]),
            "d": pg_array([AT.replace(tzinfo=None).isoformat()]),
        },
    ).one()
    assert got[0] == [*AWKWARD, None]
    assert got[1] == [1, None, 2_000_000_000]
    assert got[2] == [AT.replace(tzinfo=None)]  # naive UTC, as the access log stores it


def test_a_read_of_many_cases_logs_each_case_part_and_time(db, world, clock):
    cases = [world.case_in("engagement").id for _ in range(3)]
    clock.advance(microseconds=123_457)  # a time with microseconds, which the literal must keep
    audit_pairs(world.consultant, [(case_id, part) for case_id in cases for part in (Part.IDENTITY, Part.PHASE)])
    audit_many(world.consultant, [cases[0], None], Part.EXPORT)  # a row without a case, in one INSERT
    rows = db.session.execute(
        select(AccessLog.case_id, AccessLog.part, AccessLog.created_at).where(
            AccessLog.user_id == world.consultant.id, AccessLog.action == AccessAction.READ
        )
    ).all()
    expected = [(c, str(p)) for c in cases for p in (Part.IDENTITY, Part.PHASE)]
    expected += [(cases[0], str(Part.EXPORT)), (None, str(Part.EXPORT))]
    assert sorted((r.case_id or 0, str(r.part)) for r in rows) == sorted((c or 0, p) for c, p in expected)
    assert {r.created_at for r in rows} == {clock.now()}  # to the microsecond, as stored


def test_a_description_is_psycopgs_own_when_read(db):
    dbapi = db.session.connection().connection.dbapi_connection
    cursor = dbapi.cursor()
    assert isinstance(cursor, Cursor)
    cursor.execute("SELECT 1 AS one, 'x'::text AS letter, now() AS at")
    lazy = cursor.description
    plain = [(c.name, c.type_code) for c in super(Cursor, cursor).description]
    assert isinstance(lazy, LazyDescription) and len(lazy) == 3
    cursor.execute("SELECT 2 AS other")  # the columns are made later, of the result they describe
    assert [(c.name, c.type_code) for c in lazy] == plain
    assert lazy[1].name == "letter" and [c.name for c in lazy[0:2]] == ["one", "letter"]
    cursor.execute("SET search_path TO public")
    assert cursor.description is None
    # SQLAlchemy's results through it, by name and by position, first run and cached.
    for _ in range(2):
        row = db.session.execute(text("SELECT 7 AS seven, 'y' AS why")).one()
        assert (row.seven, row[1]) == (7, "y")

"""Retention: closed cases anonymised after their years (names, contact details and free text
gone, figures kept), access-log months dropped whole; a dry run changes nothing. Both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import JSON, String, Text, func, select

from ips_coord.access.audit import audit
from ips_coord.models import AccessLog, CaseEvent, Citizen, IpsCase
from ips_coord.reports.outcomes import outcomes
from ips_coord.services import retention
from ips_coord.workflows.phases import AccessAction, HistoryEntry

SETTINGS = {"closed_case_years": 5, "access_log_months": 60, "notification_months": 24}


def _text_values(db, case_ids: set[int], citizen_ids: set[int]) -> dict[str, set[str]]:
    """Every word-bearing string held for these cases and citizens, by table.column: what a
    retention run must remove (codes, keys and dates excluded)."""
    found: dict[str, set[str]] = {}

    for table in db.metadata.sorted_tables:
        if "case_id" in table.c and table.name not in retention.NOT_SCRUBBED:
            owner = table.c.case_id.in_(case_ids)
        elif table.name == "citizen":
            owner = table.c.id.in_(citizen_ids)
        else:
            continue
        columns = [
            c
            for c in table.c
            if type(c.type) in (String, Text, JSON)
            and f"{table.name}.{c.name}" not in retention.KEPT_COLUMNS
            and not c.foreign_keys
        ]
        if not columns:
            continue
        for row in db.session.execute(select(*columns).where(owner)):
            for column, value in zip(columns, row, strict=True):
                _collect(found, f"{table.name}.{column.name}", value)
    return found


def _collect(found: dict[str, set[str]], where: str, value) -> None:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            _collect(found, where, item)
    elif isinstance(value, str) and value and value not in retention.CODES and not value[:4].isdigit():
        found.setdefault(where, set()).add(value)


@pytest.mark.slow  # seeds the demo
def test_closed_cases_are_anonymised_and_the_figures_stay(app, db, clock):
    from ips_coord.demo import seed_demo

    seed_demo(citizens=40)
    closed = list(db.session.execute(select(IpsCase.id, IpsCase.citizen_id).where(IpsCase.closed_at.is_not(None))))
    assert closed, "the demo closes some cases"
    # A citizen with one case still open is kept whole.
    open_citizens = set(db.session.scalars(select(IpsCase.citizen_id).where(IpsCase.closed_at.is_(None))))
    due_citizens = {cz for _, cz in closed} - open_citizens
    due_cases = set(db.session.scalars(select(IpsCase.id).where(IpsCase.citizen_id.in_(due_citizens))))
    before_text = _text_values(db, due_cases, due_citizens)
    assert {"citizen.first_name", "citizen.phone", "contact.note", "case_event.data"} <= set(before_text), sorted(
        before_text
    )
    kept_case = db.session.scalar(select(IpsCase).where(IpsCase.citizen_id.in_(open_citizens)).limit(1))
    kept_name = db.session.get(Citizen, kept_case.citizen_id).full_name
    team_id = kept_case.ips_team_id
    today = clock.now().date()
    figures = outcomes(team_id, today)
    events_before = dict(db.session.execute(select(CaseEvent.case_id, func.count()).group_by(CaseEvent.case_id)).all())
    db.session.rollback()

    # Three years on: the demo's 18 months of history all closed less than five years ago.
    early = retention.run(clock.now() + timedelta(days=3 * 365), dry_run=True, **SETTINGS)
    assert early.citizens == 0 and early.cases == 0

    later = clock.now() + timedelta(days=7 * 365)
    dry = retention.run(later, dry_run=True, **SETTINGS)
    assert dry.dry_run and dry.citizens == len(due_citizens) and dry.cases == len(due_cases)
    assert _text_values(db, due_cases, due_citizens) == before_text, "a dry run changes nothing"

    report = retention.run(later, **SETTINGS)
    assert not report.dry_run and report.citizens == len(due_citizens)
    db.session.expire_all()

    assert _text_values(db, due_cases, due_citizens) == {}, "names, contact details and free text are gone"
    anonymised = db.session.scalars(select(Citizen).where(Citizen.id.in_(due_citizens))).all()
    assert all(c.anonymised_at is not None and c.full_name == "–" and c.phone is None for c in anonymised)
    # Figures stay: phases, dates, reasons and the reports' results are the same.
    assert outcomes(team_id, today) == figures
    assert db.session.get(Citizen, kept_case.citizen_id).full_name == kept_name
    # The history says when; the events themselves are kept.
    events_after = dict(db.session.execute(select(CaseEvent.case_id, func.count()).group_by(CaseEvent.case_id)).all())
    for case_id, count in events_before.items():
        assert events_after[case_id] == count + (1 if case_id in due_cases else 0)
    marks = db.session.scalars(select(CaseEvent).where(CaseEvent.event == HistoryEntry.ANONYMISED)).all()
    assert {e.case_id for e in marks} == due_cases
    assert all(e.seq == db.session.get(IpsCase, e.case_id).event_count for e in marks)
    db.session.rollback()

    # Idempotent: the next day's run finds nothing new.
    again = retention.run(later + timedelta(days=1), **SETTINGS)
    assert again.citizens == 0 and again.cases == 0


def test_access_log_months_are_dropped_whole_and_history_stays_append_only(app, db, world, clock):
    case = world.case_in("engagement")
    for at in ((2026, 3, 1), (2025, 12, 1), (2021, 3, 1), (2021, 2, 28, 23), (2019, 6, 15)):
        clock.set(datetime(*at, tzinfo=UTC))
        audit(world.consultant, case.id, AccessAction.READ, "history")
    clock.set(datetime(2026, 3, 2, 9, tzinfo=UTC))
    now = clock.now()

    dry = retention.run(now, dry_run=True, **SETTINGS)
    # Kept: the 60 months before March 2026, i.e. from March 2021 on.
    assert dry.access_log_before == datetime(2021, 3, 1, tzinfo=UTC)
    assert dry.access_log_months == [("2019-06", 1), ("2021-02", 1)]
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == 5
    db.session.rollback()

    retention.run(now, **SETTINGS)
    left = db.session.scalars(select(AccessLog.created_at).order_by(AccessLog.created_at)).all()
    assert len(left) == 3 and min(left) == dry.access_log_before

    # Outside a retention run, the database still refuses to change history.
    from sqlalchemy import text

    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("DELETE FROM access_log"))
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
        conn.execute(text("UPDATE case_event SET reason = 'x'"))
    assert db.session.scalar(select(func.count()).select_from(retention.HistoryOverride)) == 0


def test_the_command_says_what_it_would_do(app, db, world, clock):
    case = world.case_in("closed")
    clock.advance(days=6 * 365)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would anonymise 1 citizens (1 cases)" in dry.output
    db.session.expire_all()
    assert db.session.get(Citizen, case.citizen_id).anonymised_at is None
    done = runner.invoke(args=["retention", "run"])
    assert done.exit_code == 0 and "Did anonymise 1 citizens" in done.output
    db.session.expire_all()
    assert db.session.get(Citizen, case.citizen_id).anonymised_at is not None


def test_json_keeps_numbers_dates_and_codes_only():
    data = {
        "hours": 20,
        "note": "Har det svært",
        "resume_date": "2026-04-01",
        "reason": "dismissed",
        "nested": [{"text": "Fortalte om angst", "ok": True}],
        "end_reason": "quit_without_plan",
    }
    assert retention.scrub_json(data) == {
        "hours": 20,
        "note": None,
        "resume_date": "2026-04-01",
        "reason": "dismissed",
        "nested": [{"text": None, "ok": True}],
        "end_reason": "quit_without_plan",
    }

"""The case-read gate: the case, its citizen and live consents in one statement; a read's
access-log rows written in the request's own transaction and committed before the response,
so a read whose row cannot be written answers 500 and shows nothing."""

from __future__ import annotations

import contextlib

from sqlalchemy import create_engine, event, text

from ips_coord.extensions import db as _db
from ips_coord.workflows.phases import Part
from tests.factories import bearer, login

REFUSED_ID = "no-row-no-read"


@contextlib.contextmanager
def _statements(app):
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement.split(None, 1)[0].upper())

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _rows_seen_elsewhere(app, request_id: str) -> list[tuple]:
    """The access log as another connection sees it: only what was committed."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT case_id, action, part FROM access_log WHERE request_id = :r ORDER BY part"),
                {"r": request_id},
            ).all()
    finally:
        engine.dispose()


@contextlib.contextmanager
def _access_log_refuses(request_id: str):
    """A trigger that refuses access-log rows of one request id: the log cannot be written."""
    dialect = _db.engine.dialect.name
    with _db.engine.begin() as conn:
        if dialect == "postgresql":
            conn.execute(
                text(
                    "CREATE FUNCTION refuse_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"IF NEW.request_id = '{request_id}' THEN RAISE EXCEPTION 'log refused'; END IF; "
                    "RETURN NEW; END $$"
                )
            )
            conn.execute(
                text("CREATE TRIGGER refuse_log BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION refuse_log()")
            )
        else:
            conn.execute(
                text(
                    "CREATE TRIGGER refuse_log BEFORE INSERT ON access_log "
                    f"WHEN NEW.request_id = '{request_id}' BEGIN SELECT RAISE(ABORT, 'log refused'); END"
                )
            )
    try:
        yield
    finally:
        with _db.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER refuse_log" + (" ON access_log" if dialect == "postgresql" else "")))
            if dialect == "postgresql":
                conn.execute(text("DROP FUNCTION refuse_log()"))


def test_a_case_read_is_two_statements_and_its_row_is_committed_before_the_answer(app, client, world):
    case = world.case_in("job_search")
    world.consent_employment_to_psychiatry(case)
    h = bearer(world.consultant)
    client.get(f"/api/v1/cases/{case.id}", headers=h)  # the token's last use is recorded once
    with _statements(app) as seen:
        r = client.get(f"/api/v1/cases/{case.id}", headers={**h, "X-Request-ID": "read-1"})
    assert r.status_code == 200 and r.json["citizen"]["last_name"] == "Borger"
    # The token, its user, the case, its citizen and consents in one; the access-log row.
    assert seen == ["SELECT", "INSERT"], seen
    assert _rows_seen_elsewhere(app, "read-1") == [
        (case.id, "read", Part.IDENTITY.value),
        (case.id, "read", Part.PHASE.value),
    ]  # the citizen is shown too


def test_the_case_page_logs_every_part_it_shows_in_its_own_transaction(app, client, world):
    case = world.case_in("job_search")
    login(client, world.consultant)
    r = client.get(f"/cases/{case.id}", headers={"X-Request-ID": "page-1"})
    assert r.status_code == 200 and "Borger" in r.get_data(as_text=True)
    rows = _rows_seen_elsewhere(app, "page-1")
    parts = {part for _case, _action, part in rows}
    assert {Part.IDENTITY.value, Part.PHASE.value, Part.HISTORY.value, Part.FOLLOW_UPS.value} <= parts
    assert {(cid, action) for cid, action, _part in rows} == {(case.id, "read")}


def test_a_read_whose_row_cannot_be_written_shows_nothing(app, client, world):
    case = world.case_in("job_search")
    h = bearer(world.consultant)
    client.get(f"/api/v1/cases/{case.id}", headers=h)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer as in production, not raise into the test
    try:
        with _access_log_refuses(REFUSED_ID):
            r = client.get(f"/api/v1/cases/{case.id}", headers={**h, "X-Request-ID": REFUSED_ID})
            assert r.status_code == 500
            assert "Borger" not in r.get_data(as_text=True) and "Test" not in r.get_data(as_text=True)
            login(client, world.consultant)
            page = client.get(f"/cases/{case.id}", headers={"X-Request-ID": REFUSED_ID})
            assert page.status_code == 500 and "Borger" not in page.get_data(as_text=True)
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert _rows_seen_elsewhere(app, REFUSED_ID) == []
    # The next read works and is logged.
    r = client.get(f"/api/v1/cases/{case.id}", headers={**h, "X-Request-ID": "after"})
    assert r.status_code == 200 and _rows_seen_elsewhere(app, "after") == [
        (case.id, "read", Part.IDENTITY.value),
        (case.id, "read", Part.PHASE.value),
    ]


def test_a_refused_write_keeps_its_row(app, client, world):
    """Outside a read request the row goes on its own connection: the write's rollback keeps it,
    as a refused attempt with its status (the write did not happen)."""
    case = world.case_in("job_search")
    h = bearer(world.consultant)
    version = client.get(f"/api/v1/cases/{case.id}", headers=h).json["version"]
    r = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        json={"event": "close", "version": version, "reason": "missed_appointments"},
        headers={**h, "X-Request-ID": "write-1"},
    )
    assert r.status_code == 422
    assert _rows_seen_elsewhere(app, "write-1") == [(case.id, "refused", Part.PHASE.value)]


def test_a_refused_read_is_logged_with_the_read_rows(app, client, world):
    other = world.case_in("job_search")
    h = bearer(world.outsider)  # a consultant of another team
    r = client.get(f"/api/v1/cases/{other.id}", headers={**h, "X-Request-ID": "refused-1"})
    assert r.status_code == 404
    assert _rows_seen_elsewhere(app, "refused-1") == [(other.id, "refused", Part.PHASE.value)]


def test_the_lean_case_body_is_the_schemas_dump(app, client, world, clock):
    """case_body writes out what output(CaseSchema) dumps: equal for every phase and relation."""
    import json

    from ips_coord.api.common import Extended
    from ips_coord.api.schemas import CaseSchema
    from ips_coord.api.shapes import output

    cases = [world.case_in(phase, clock) for phase in ("referred", "paused", "employed", "job_ended", "closed")]
    world.consent_employment_to_psychiatry(cases[2])
    schema = output(CaseSchema)()
    for reader in (world.consultant, world.colleague, world.clinician, world.caseworker, world.coordinator):
        h = bearer(reader)
        for case in cases:
            r = client.get(f"/api/v1/cases/{case.id}", headers=h)
            if r.status_code != 200:
                continue
            with app.test_request_context():
                expected = json.loads(
                    json.dumps(
                        schema.dump(
                            Extended(
                                _db.session.get(type(case), case.id),
                                relation=r.json["relation"],
                                visible_parts=r.json["visible_parts"],
                            )
                        )
                    )
                )
            assert r.json == expected, (reader.email, case.phase)
            assert r.json["citizen"]["last_name"] == "Borger"
            assert r.json["visible_parts"] == sorted(r.json["visible_parts"])


def test_head_is_checked_and_logged_as_get_on_every_case_route(app, client, world):
    """werkzeug answers HEAD with get(): the case check and the read's row apply to it alike."""
    case = world.case_in("job_search")
    outsider, consultant = bearer(world.outsider), bearer(world.consultant)
    routes = sorted(
        {
            rule.rule.replace("<id:case_id>", str(case.id))
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/cases/<id:case_id>")
            and "GET" in rule.methods
            and set(rule.arguments) == {"case_id"}
        }
    )
    assert len(routes) > 10, routes
    shown = 0
    for path in routes:
        refused = client.head(path, headers={**outsider, "X-Request-ID": "head-out"})
        assert refused.status_code == 404, path
        assert "X-Total-Count" not in refused.headers, path
        answer = client.head(path, headers={**consultant, "X-Request-ID": "head-in"})
        assert answer.status_code in (200, 403, 404), (path, answer.status_code)  # 404: no career profile yet
        shown += answer.status_code == 200
    refusals = _rows_seen_elsewhere(app, "head-out")
    assert len(refusals) == len(routes) and {action for _c, action, _p in refusals} == {"refused"}
    reads = [row for row in _rows_seen_elsewhere(app, "head-in") if row[1] == "read"]
    assert shown > 10 and {case_id for case_id, _a, _p in reads} == {case.id} and len(reads) >= shown


def test_a_write_during_a_get_is_logged_with_its_outcome_a_read_with_the_response(app, world):
    """A GET may write (the citizen's sign-in by OpenID Connect): its row is written on a
    connection of its own with the request's outcome (a later failure makes it a refused attempt
    with the status, never a lost row); a read's row waits and is committed with the response."""
    from flask import Response

    from ips_coord.access.audit import _writes_left, audit, commit_reads, commit_writes, gather_reads
    from ips_coord.workflows.phases import AccessAction

    case = world.case_in("job_search")
    with app.test_request_context(f"/cases/{case.id}", method="GET", headers={"X-Request-ID": "get-1"}):
        from flask import g

        g.request_id = "get-1"
        gather_reads()
        audit(world.consultant, case.id, AccessAction.WRITE, Part.PHASE)
        audit(world.consultant, case.id, AccessAction.READ, Part.IDENTITY)
        assert _rows_seen_elsewhere(app, "get-1") == []
        commit_writes(Response())
        assert _rows_seen_elsewhere(app, "get-1") == [(case.id, "write", Part.PHASE.value)]
        commit_reads(Response())
    assert sorted(_rows_seen_elsewhere(app, "get-1")) == sorted(
        [(case.id, "write", Part.PHASE.value), (case.id, "read", Part.IDENTITY.value)]
    )
    with app.test_request_context(f"/cases/{case.id}", method="GET", headers={"X-Request-ID": "get-2"}):
        from flask import g

        g.request_id = "get-2"
        audit(world.consultant, case.id, AccessAction.WRITE, Part.PHASE)
        commit_writes(Response(status=500))
        audit(world.consultant, case.id, AccessAction.WRITE, Part.PHASE)
        _writes_left(RuntimeError("no response"))  # the request ended in an exception
    assert _rows_seen_elsewhere(app, "get-2") == [(case.id, "refused", Part.PHASE.value)] * 2


def test_the_gate_weighs_only_consents_in_force_by_the_token_and_by_the_page(app, client, world):
    """The gate reads a case's consents as one array of their terms, on the API token's statement
    and on the pages' alike: a live consent counts; a withdrawn or expired one, or none, does not
    (the service refuses one given in the future); a case that does not exist is 404 on both."""
    from datetime import timedelta

    from ips_coord.access.policy import access_for, case_with_consents
    from ips_coord.clock import local_today, utcnow
    from ips_coord.services import activities as act

    today = local_today(utcnow())
    cases = {name: world.case_in("job_search") for name in ("live", "withdrawn", "expired", "none")}
    world.consent_employment_to_psychiatry(cases["live"], given_at=today - timedelta(days=3))
    withdrawn = world.consent_employment_to_psychiatry(cases["withdrawn"], given_at=today - timedelta(days=3))
    act.withdraw_consent(withdrawn, world.consultant, requested_by="citizen", confirmed=True)
    world.consent_employment_to_psychiatry(cases["expired"], given_at=today - timedelta(days=30), expires_at=today)
    h = bearer(world.clinician)
    for name, case in cases.items():
        # Every API route of a case rides on the token's statement: the case itself and a part.
        placements = client.get(f"/api/v1/cases/{case.id}/placements", headers=h).status_code
        assert placements == (200 if name == "live" else 403), (name, placements)
        shown = client.get(f"/api/v1/cases/{case.id}", headers=h).json["visible_parts"]
        found, terms = case_with_consents(case.id)
        page = access_for(world.clinician, found, today, terms)
        assert (Part.PLACEMENTS.value in shown) == (name == "live"), (name, shown)
        assert page is not None and page.can_read(Part.PLACEMENTS) == (name == "live"), name
    assert client.get("/api/v1/cases/999999", headers=h).status_code == 404
    assert case_with_consents(999999) == (None, [])

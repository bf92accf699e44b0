"""The hot pages make a fixed number of queries, however many cases there are (no N+1)."""

from __future__ import annotations

import re

from sqlalchemy import event

from ips_coord.extensions import db as _db
from tests.factories import login


def count_queries(client, url):
    counter = {"n": 0}

    def before(*_a, **_k):
        counter["n"] += 1

    event.listen(_db.engine, "before_cursor_execute", before)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(_db.engine, "before_cursor_execute", before)
    return counter["n"]


PAGES = {"consultant": ["/my-day", "/cases"], "coordinator": ["/coordinator", "/cases", "/coordinator/notifications"]}


def test_hot_pages_do_not_grow_with_cases(client, world, clock):
    def measure():
        out = {}
        for who, urls in PAGES.items():
            login(client, getattr(world, who))
            for url in urls:
                out[(who, url)] = count_queries(client, url)
            client.post("/logout")
        return out

    for _ in range(2):
        world.case_in("employed")
    few = measure()
    for phase in ("employed", "job_search", "engagement", "referred", "employed", "job_search"):
        world.case_in(phase)
    many = measure()
    assert many == few, {k: (few[k], many[k]) for k in few if few[k] != many[k]}


def test_case_page_queries_are_bounded(client, world, clock):
    from ips_coord.services import activities as act

    case = world.case_in("employed")
    # One contact first: an empty part is not read at all (a probe says so), so "before" has it read once.
    act.log_contact(case, world.consultant, kind="contact", occurred_at=clock.now(), location="community")
    login(client, world.consultant)
    before = count_queries(client, f"/cases/{case.id}")
    for _ in range(10):
        clock.advance(days=3)
        act.log_contact(case, world.consultant, kind="contact", occurred_at=clock.now(), location="community")
    login(client, world.consultant)
    after = count_queries(client, f"/cases/{case.id}")
    assert after == before


def _statements(client, method, url, **kwargs):
    seen: list[str] = []

    def before(_conn, _cursor, statement, *_a):
        seen.append(" ".join(statement.split()))

    event.listen(_db.engine, "before_cursor_execute", before)
    try:
        response = getattr(client, method)(url, **kwargs)
    finally:
        event.remove(_db.engine, "before_cursor_execute", before)
    return response, seen


def test_a_page_reads_user_session_and_unread_count_in_one_statement(client, world, clock):
    """Every page's fixed cost: the user, their open session and the menu's unread count are one
    statement; the case list is three more (counts per phase, the rows, the access-log INSERT)."""
    world.case_in("employed")
    login(client, world.consultant)
    response, seen = _statements(client, "get", "/cases")
    assert response.status_code == 200
    loads = [s for s in seen if "user_session" in s]
    assert len(loads) == 1 and "inbox_item" in loads[0] and seen[0] == loads[0], seen
    assert not any("inbox_item" in s for s in seen[1:]), seen  # the menu does not count again
    assert len(seen) == 4 and seen[-1].startswith("INSERT INTO access_log"), seen


def test_a_write_does_not_read_the_signed_in_user_again_after_its_commit(client, world, clock):
    case = world.case_in("job_search")
    login(client, world.consultant)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(f"/cases/{case.id}").get_data(as_text=True))
    response, seen = _statements(
        client,
        "post",
        f"/cases/{case.id}/contacts",
        data={
            "csrf_token": token.group(1),
            "kind": "contact",
            "occurred_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "location": "community",
            "note": "Samtale.",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    from_user = [i for i, s in enumerate(seen) if s.startswith("SELECT staff_user.id")]
    assert from_user == [0], seen  # loaded once, with the session; not again after the commit


def _transaction_ends(client, call):
    """What ended each transaction of one request, as PostgreSQL saw it: "commit", "rollback", or
    "none" when the connection was in autocommit (psycopg then sends nothing)."""
    ends: list[str] = []

    def ended(kind):
        def listener(conn):
            dbapi = conn.connection.dbapi_connection
            idle = getattr(dbapi, "pgconn", None) is not None and dbapi.pgconn.transaction_status == 0  # IDLE
            ends.append("none" if idle else kind)

        return listener

    commit, rollback = ended("commit"), ended("rollback")
    event.listen(_db.engine, "commit", commit)
    event.listen(_db.engine, "rollback", rollback)
    try:
        response = call()
    finally:
        event.remove(_db.engine, "commit", commit)
        event.remove(_db.engine, "rollback", rollback)
    return response, ends


def _tables_read(seen: list[str]) -> list[str]:
    """The table each SELECT reads first (its FROM), one entry per statement."""
    return [m.group(1) for s in seen if s.startswith("SELECT") and (m := re.search(r" FROM (\w+)", s))]


def test_the_case_page_reads_each_table_once(client, world, clock):
    """The rows several parts of the page show (open follow-ups, history, consents, notifications)
    are read once and passed down, and the names of the case's staff ride on the probe: no table is read twice."""
    from ips_coord.clock import local_today
    from ips_coord.services import activities as act

    case = world.step(world.case_in("employed"), "end_job", end_reason="dismissed")
    act.record_consent(
        case,
        world.consultant,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["symptoms"],
        purpose="Koordinering",
        given_at=local_today(clock.now()),
        expires_at=None,
    )
    login(client, world.consultant)
    response, seen = _statements(client, "get", f"/cases/{case.id}")
    assert response.status_code == 200
    tables = _tables_read(seen)
    assert len(tables) == len(set(tables)), sorted(tables)
    assert {"follow_up", "case_event", "consent", "notification"} <= set(tables)


def test_an_employed_case_reads_its_placements_once(client, world, clock):
    """The placements list, the running job's supports and its terms come from one read of the
    placements (the running one chosen as the services choose it)."""
    from ips_coord.services.coordination import name_coordinating_professional

    case = name_coordinating_professional(
        world.case_in("employed"), world.consultant, world.clinician.id, "Psykiatrien koordinerer"
    )
    login(client, world.consultant)
    response, seen = _statements(client, "get", f"/cases/{case.id}")
    assert response.status_code == 200
    tables = _tables_read(seen)
    assert tables.count("placement") == 1, sorted(tables)
    assert "staff_user" not in tables, sorted(tables)  # the case's staff ride on the probe
    page = response.get_data(as_text=True)
    header = page.split('<p class="meta">', 1)[1].split("</p>", 1)[0]
    assert world.consultant.name in header and world.clinician.name in header
    assert "Tovholder</a>: " + world.clinician.name in header
    plan = page.split('id="plan"', 1)[1]
    role = plan.split(f"{world.clinician.name}</a> (", 1)[1].split(")", 1)[0]
    assert role == "Behandler", role  # named with their role (a clinician)
    assert 'id="supports"' in page and "(Bageriet)" in page  # the running job's supports section
    assert 'id="running-job"' in page  # the running job's terms


def test_the_case_page_reads_no_empty_part(client, world, clock):
    """One statement says which parts have rows; a part without any is not read (its section
    still shows "None.")."""
    case = world.case_in("job_search")
    login(client, world.consultant)
    response, seen = _statements(client, "get", f"/cases/{case.id}")
    assert response.status_code == 200
    tables = set(_tables_read(seen))
    assert not tables & {"job_ending_review", "placement", "parallel_intervention", "citizen_note", "admission"}, tables
    assert any(s.startswith("SELECT EXISTS") for s in seen)


def test_my_day_makes_six_statements(client, world, clock):
    for phase in ("employed", "job_search", "engagement"):
        world.case_in(phase)
    login(client, world.consultant)
    response, seen = _statements(client, "get", "/my-day")
    assert response.status_code == 200
    # user + session + inbox, due follow-ups, my cases, deadlines and escalations, the two figures, the access log
    assert len(seen) == 6, seen


def test_the_overview_reads_the_assignment_choices_once_for_the_whole_queue(client, world, clock):
    from ips_coord.services import activities as act

    def referral(first):  # by psychiatry: it waits in the team's queue for a consultant
        act.create_referral(
            {"first_name": first, "last_name": "Kø", "birth_year": 1970 + len(first)},
            world.clinician,
            ips_team_id=world.team.id,
            psychiatry_contact_id=world.clinician.id,
        )

    referral("En")
    login(client, world.coordinator)
    one = count_queries(client, "/coordinator")
    referral("To")
    referral("Trine")
    three = count_queries(client, "/coordinator")
    page = client.get("/coordinator").get_data(as_text=True)
    assert page.count('class="queue-item"') == 3  # a form for each referral
    assert three == one


def test_a_read_that_logs_nothing_ends_without_rollback(client, world, clock):
    """Never with the teardown's ROLLBACK: after one, psycopg drops every prepared statement. A
    read runs in autocommit: no BEGIN, and nothing to end."""
    world.case_in("employed")
    login(client, world.coordinator)
    response, ends = _transaction_ends(client, lambda: client.get("/coordinator/reports"))  # aggregates: no row
    assert response.status_code == 200
    assert ends and set(ends) == {"none"}, ends


def test_a_post_that_only_reads_ends_with_commit(client, world, clock):
    """The search is a POST (no name in a URL) that only reads: its transaction ends with COMMIT."""
    case = world.case_in("employed")
    login(client, world.consultant)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/search").get_data(as_text=True))
    response, ends = _transaction_ends(
        client, lambda: client.post("/search", data={"q": str(case.id), "csrf_token": token.group(1)})
    )
    assert response.status_code in (200, 303)
    assert ends and "rollback" not in ends, ends


def test_a_list_logs_a_row_per_case_shown_in_one_statement(client, world, clock):
    """Every case a list shows is a read of it: one access-log row each, all in one INSERT (on
    PostgreSQL the cases, parts and times go as arrays), each row naming who, what and when."""
    from sqlalchemy import select

    from ips_coord.models import AccessLog

    cases = [world.case_in(phase) for phase in ("employed", "job_search", "engagement")]
    login(client, world.consultant)
    before = _db.session.scalar(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(1)) or 0
    response, seen = _statements(client, "get", "/cases")
    assert response.status_code == 200
    assert len([s for s in seen if s.startswith("INSERT INTO access_log")]) == 1, seen
    rows = _db.session.scalars(select(AccessLog).where(AccessLog.id > before)).all()
    assert {r.case_id for r in rows} >= {c.id for c in cases}
    assert len(rows) == len({r.case_id for r in rows})  # one row per case
    for row in rows:
        assert (row.user_id, row.action, row.view) == (world.consultant.id, "read", "cases.index"), row
        assert abs((row.created_at - clock.now()).total_seconds()) < 1 and row.created_at.tzinfo is not None

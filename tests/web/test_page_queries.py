"""The hot pages make a fixed number of queries, however many cases there are (no N+1)."""
from __future__ import annotations

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
    login(client, world.consultant)
    before = count_queries(client, f"/cases/{case.id}")
    for _ in range(10):
        clock.advance(days=3)
        act.log_contact(case, world.consultant, kind="contact", occurred_at=clock.now(), location="community")
    login(client, world.consultant)
    after = count_queries(client, f"/cases/{case.id}")
    assert after == before

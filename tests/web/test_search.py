"""Find a citizen from every page: by name, case number or phone, among the user's own cases
only, by POST (the query never in a URL), and every case shown logged as a read of its identity."""

from __future__ import annotations

import html as htmllib

import pytest
from sqlalchemy import select

from ips_coord.models import AccessLog
from ips_coord.services import activities as act
from tests.factories import login as _login

pytestmark = pytest.mark.sqlite_too  # the search expressions and their indexes differ per database


def login(client, user):
    client.post("/logout")
    assert _login(client, user).status_code == 302


def search(client, q: str) -> str:
    """The page the search ends on: the list, or the case itself when there is one hit."""
    r = client.post("/search", data={"q": q}, follow_redirects=True)
    assert r.status_code == 200, r.status_code
    return htmllib.unescape(r.get_data(as_text=True))


def refer(world, first, last, phone, **kwargs):
    kwargs.setdefault("psychiatry_contact_id", world.clinician.id)
    kwargs.setdefault("jobcenter_caseworker_id", world.caseworker.id)
    return act.create_referral(
        {"first_name": first, "last_name": last, "phone": phone, "birth_year": 1980}, world.consultant, **kwargs
    )


def test_search_by_name_number_and_phone_among_own_cases_only(client, world, db):
    alma = refer(world, "Alma", "Engtoft", "+45 20 30 40 50")
    bo = refer(world, "Bo", "Almind", "+45 31 32 33 34")
    # Another team's citizen of the same name: never found by this team.
    stranger = act.create_referral(
        {"first_name": "Alma", "last_name": "Fremmed", "phone": "+45 20 30 40 51", "birth_year": 1970}, world.outsider
    )
    login(client, world.consultant)
    page = client.get("/cases").get_data(as_text=True)
    assert 'action="/search"' in page and 'method="post"' in page  # the box is in the header

    by_name = search(client, "ALM")  # part of the first or the last name, any case
    assert alma.reference in by_name and bo.reference in by_name and stranger.reference not in by_name
    assert "Alma Engtoft" in by_name and "tel:+4520304050" in by_name
    both_words = search(client, "engtoft ALMA")
    assert alma.reference in both_words and bo.reference not in both_words
    by_number = search(client, alma.reference)
    assert alma.reference in by_number and bo.reference not in by_number
    assert alma.reference in search(client, f"ips {alma.id}")
    by_phone = search(client, "31323334")  # typed without spaces, stored with them
    assert bo.reference in by_phone and alma.reference not in by_phone
    assert bo.reference in search(client, "+45 31 32 33 34")
    assert "Ingen af dine forløb passer." in search(client, stranger.reference)
    assert stranger.reference not in search(client, "20 30 40 51")

    # Psychiatry finds the cases it is contact on, the other team's consultant none of ours.
    login(client, world.clinician)
    assert alma.reference in search(client, "Engtoft")
    login(client, world.outsider)
    assert alma.reference not in search(client, "Engtoft")
    assert stranger.reference in search(client, "alma")


def test_every_case_shown_is_logged_and_the_query_is_in_no_url_or_log(client, world, db, caplog):
    alma = refer(world, "Alma", "Engtoft", "+45 20 30 40 50")
    bo = refer(world, "Bo", "Almind", "+45 31 32 33 34")
    refer(world, "Carl", "Holm", None)
    login(client, world.coordinator)
    before = db.session.scalar(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(1)) or 0
    with caplog.at_level("DEBUG"):
        page = search(client, "alm")
    rows = db.session.execute(
        select(AccessLog.case_id, AccessLog.part, AccessLog.view, AccessLog.action).where(AccessLog.id > before)
    ).all()
    assert sorted(r.case_id for r in rows) == sorted([alma.id, bo.id])
    assert {(r.part, r.view, r.action) for r in rows} == {("identity", "search.results", "read")}
    assert "Carl Holm" not in page
    assert "alm" not in " ".join(r.getMessage() for r in caplog.records).lower()
    # The search is a POST; a GET shows only the empty form and writes no read rows.
    r = client.get("/search?q=Alma")
    assert r.status_code == 200 and "Alma Engtoft" not in r.get_data(as_text=True)


def test_the_header_search_is_missing_for_roles_without_cases(client, world):
    login(client, world.admin)
    assert client.post("/search", data={"q": "Alma"}).status_code == 404
    login(client, world.consultant)
    r = client.post("/search", data={"q": ""})
    assert r.status_code == 400  # re-rendered with the message


def test_ambiguous_input_does_not_fail(client, world):
    refer(world, "Dorte", "O'Brien", "12")
    login(client, world.consultant)
    for q in ("%", "_", "O'Brien", "ips-", "0", "999999999999", "æøå", "a" * 100):
        r = client.post("/search", data={"q": q})
        assert r.status_code in (200, 303), q
    assert "O'Brien" in search(client, "o'brien")


def test_one_hit_opens_the_case_and_is_logged(client, world, db):
    alma = refer(world, "Alma", "Engtoft", "+45 20 30 40 50")
    refer(world, "Bo", "Almind", "+45 31 32 33 34")
    login(client, world.consultant)
    before = db.session.scalar(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(1)) or 0
    r = client.post("/search", data={"q": "engtoft"})
    assert r.status_code == 303 and r.headers["Location"] == f"/cases/{alma.id}"
    rows = db.session.execute(select(AccessLog.case_id, AccessLog.view).where(AccessLog.id > before)).all()
    assert {(r.case_id, r.view) for r in rows} == {(alma.id, "search.results")}
    assert "Alma Engtoft" in client.get(r.headers["Location"]).get_data(as_text=True)
    # Two hits: the list.
    assert client.post("/search", data={"q": "alm"}).status_code == 200

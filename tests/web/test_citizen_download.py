"""The citizen's own download: whole (every table that holds the citizen's case id is a section
of it, or is named as staff-internal with the reason), free of the system's machinery (client
addresses, request ids, user ids, delivery keys and leases), with people by role and
organisation; and the same as a document to read and print, in Danish, in Copenhagen time."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from sqlalchemy import func, select

from ips_coord.access.export import CITIZEN_SECTIONS, STAFF_INTERNAL_TABLES
from ips_coord.extensions import db as _db
from ips_coord.models import FollowUp, IpsCase, User
from ips_coord.services import activities as act
from ips_coord.services import employers as emp
from ips_coord.services import followups as fu_svc
from ips_coord.services import matching
from ips_coord.services.treatment import record_admission
from tests.factories import login
from tests.web.test_citizen_view import citizen_case, citizen_client, sign_in  # noqa: F401 - fixtures, used by name

MACHINERY = {
    "remote_addr",
    "request_id",
    "user_id",
    "idempotency_key",
    "claim_token",
    "recipient_id",
    "claimed_at",
    "to_address",
    "last_error",
}


def _tables_with(column: str):
    return sorted(t.name for t in _db.metadata.tables.values() if column in t.c)


def test_every_table_with_a_case_id_is_in_the_download_or_named_staff_internal(app):
    exported = {model.__table__.name for model, _order in CITIZEN_SECTIONS.values()}
    for name in _tables_with("case_id"):
        assert name in exported or STAFF_INTERNAL_TABLES.get(name), f"{name}: neither exported nor explained"
    assert not exported & set(STAFF_INTERNAL_TABLES)
    assert all(len(reason) > 40 for reason in STAFF_INTERNAL_TABLES.values())


def _keys(value, found=None):
    found = set() if found is None else found
    if isinstance(value, dict):
        for k, v in value.items():
            found.add(k)
            _keys(v, found)
    elif isinstance(value, list):
        for v in value:
            _keys(v, found)
    return found


def _rich_case(world, clock):
    case = citizen_case(world)
    case = world.step(case, "start_search")
    employer = emp.create_employer(world.consultant, {"name": "Lageret A/S"})
    opening = emp.create_opening(employer, world.consultant, {"title": "Lagermedarbejder", "hours_per_week": 20})
    matching.record_suggestion(_db.session.get(IpsCase, case.id), opening, world.consultant, explanation="ønsker lager")
    act.log_contact(
        _db.session.get(IpsCase, case.id),
        world.consultant,
        kind="contact",
        occurred_at=clock.now(),
        location="office",
        note="God samtale",
    )
    fu = _db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.status == "open").limit(1))
    fu_svc.move_follow_up(fu, world.consultant, reason="Borgeren bad om det", due_at=fu.due_at + timedelta(days=3))
    record_admission(case.id, world.clinician, admitted_on=clock.now().date(), reason="Forværring")
    return _db.session.get(IpsCase, case.id)


def test_the_download_holds_every_row_of_every_case_table_and_no_machinery(app, world, clock, client, citizen_client):  # noqa: F811 - the imported fixture
    case = _rich_case(world, clock)
    login(client, world.consultant)
    assert client.get(f"/cases/{case.id}").status_code == 200  # an access-log row with an address and request id
    sign_in(app, citizen_client, "sara@borger.example")
    held = {
        name: _db.session.scalar(
            select(func.count()).select_from(model.__table__).where(model.__table__.c.case_id == case.id)
        )
        for name, (model, _order) in CITIZEN_SECTIONS.items()
    }
    r = citizen_client.get("/citizen/export.json")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    data = r.get_json()
    (entry,) = data["cases"]
    # Complete: each exported table's section has exactly the rows the database held for the case
    # (the download's own access-log row is written after it is made).
    assert {name: len(entry[name]) for name in CITIZEN_SECTIONS} == held
    assert all(
        held[name]
        for name in (
            "admissions",
            "job_suggestions",
            "follow_up_changes",
            "access_log",
            "contacts",
            "events",
            "consents",
            "follow_ups",
        )
    )
    assert entry["admissions"][0]["admitted_on"] == clock.now().date().isoformat()
    assert entry["admissions"][0]["reason"] == "Forværring"  # the citizen's own (see access.policy)
    assert entry["job_suggestions"][0]["opening"]["title"] == "Lagermedarbejder"
    assert entry["follow_up_changes"][0]["reason"] == "Borgeren bad om det"
    assert set(data["not_included"]) == set(STAFF_INTERNAL_TABLES)
    # No machinery, no user id: staff by role and organisation.
    keys = _keys(data)
    assert not keys & MACHINERY, keys & MACHINERY
    staff_fks = {
        c.name
        for t in _db.metadata.tables.values()
        for c in t.c
        if any(fk.column.table.name == "staff_user" for fk in c.foreign_keys)
    }
    assert not keys & staff_fks, keys & staff_fks
    reads = [row for row in entry["access_log"] if row["user"]]
    assert {"role": "ips_consultant", "organisation": world.team.name} in [row["user"] for row in reads]
    body = json.dumps(data)
    for u in _db.session.scalars(select(User)):
        assert u.email not in body
    assert "127.0.0.1" not in body


def test_the_download_as_a_document_in_danish_and_copenhagen_time(app, world, clock, client, citizen_client):  # noqa: F811 - the imported fixture
    case = _rich_case(world, clock)
    login(client, world.consultant)
    client.get(f"/cases/{case.id}")
    sign_in(app, citizen_client, "sara@borger.example")
    view = citizen_client.get(f"/citizen/cases/{case.id}").get_data(as_text=True)
    assert 'href="/citizen/my-data"' in view and 'href="/citizen/export.json"' in view
    r = citizen_client.get("/citizen/my-data")
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    for heading in (
        "Alle mine data",
        "Indlæggelser",
        "Job der er foreslået dig",
        "Hvem har læst eller ændret dine",
        "Dit forløbs historik",
        "Samtaler og møder",
    ):
        assert heading in page, heading
    assert f"IPS-konsulent, {world.team.name}" in page and "Lagermedarbejder" in page and "Forværring" in page
    assert 'media="print"' in page
    # Times as 07.12.2026 14:05 in Copenhagen, never ISO or UTC.
    from ips_coord.clock import to_local

    local = to_local(clock.now())
    assert local.strftime("%d.%m.%Y") in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", page)
    for word in MACHINERY:
        assert word not in page
    # No code left for the reader: every field, kind and status in words.
    text = re.sub(r"<[^>]+>", " ", page[page.index("<main") :])
    assert not re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text), re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)

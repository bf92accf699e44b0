"""The CPR number on both databases: sealed at rest, found by its keyed hash, masked for staff,
shown in full only on an explicit and logged request, never in an outward channel, matched on
referral without revealing the match, gone with the name at retention."""

from __future__ import annotations

import io
import json
import logging
import random
import re
import zipfile
from datetime import timedelta

from sqlalchemy import select, text

from ips_coord import cpr as cpr_rules
from ips_coord.access.feed import read_changes
from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, Citizen, IpsCase, Notification
from ips_coord.notifications.email import build_message
from ips_coord.services import activities as act
from ips_coord.services import identity as identity_svc
from ips_coord.services import retention
from ips_coord.services.webhooks import payload
from ips_coord.workflows.phases import Role
from tests.factories import bearer, login, user

RNG = random.Random(2025)


def number() -> str:
    return cpr_rules.synthetic(RNG)


def refer(world, digits: str, actor=None, **fields):
    base = {"first_name": "Cira", "last_name": "Prehn", "birth_year": 1980, "cpr": digits} | fields
    return act.create_referral(
        base,
        actor or world.consultant,
        psychiatry_contact_id=world.clinician.id,
        jobcenter_caseworker_id=world.caseworker.id,
    )


def forms(digits: str) -> tuple[str, ...]:
    """Every way the number could be written out."""
    return digits, f"{digits[:6]}-{digits[6:]}", f"{digits[:6]} {digits[6:]}"


def assert_absent(digits: str, where: str, body: str) -> None:
    for form in forms(digits):
        assert form not in body, f"the CPR number is in {where}"


def test_sealed_at_rest_found_by_hmac_and_rotated(app, world):
    from cryptography.fernet import Fernet

    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    app.config["CPR_KEYS"] = old_key
    try:
        digits = number()
        case = refer(world, f"{digits[:6]}-{digits[6:]}")  # entered with the hyphen
        raw = _db.session.execute(
            text("SELECT cpr_encrypted, cpr_hmac FROM citizen WHERE id = :id"), {"id": case.citizen_id}
        ).one()
        assert raw[0] and raw[1] and digits not in raw[0] and digits[:6] not in raw[0] and digits not in raw[1]
        assert identity_svc.citizens_with_cpr(digits) == [case.citizen_id]
        assert identity_svc.cpr_of(_db.session.get(Citizen, case.citizen_id)) == digits
        app.config["CPR_KEYS"] = new_key  # a key the row was not sealed with opens nothing
        assert identity_svc.cpr_of(_db.session.get(Citizen, case.citizen_id)) is None
        # Rotation: the new key first, the old one kept to open; every row re-sealed; the old dropped.
        app.config["CPR_KEYS"] = f"{new_key},{old_key}"
        assert identity_svc.rotate_cpr_keys() == 1
        app.config["CPR_KEYS"] = new_key
        _db.session.expire_all()
        citizen = _db.session.get(Citizen, case.citizen_id)
        assert citizen.cpr_encrypted != raw[0] and identity_svc.cpr_of(citizen) == digits
        assert identity_svc.citizens_with_cpr(digits) == [case.citizen_id]  # the hash key did not change
    finally:
        app.config["CPR_KEYS"] = None


def test_validation_on_the_form_and_the_api_never_repeats_the_number(client, world):
    login(client, world.consultant)
    bad = "3113574123"  # 31 November: no such date
    page = client.post(
        "/cases/new",
        data={
            "first_name": "A",
            "last_name": "B",
            "cpr": bad,
            "ips_team_id": str(world.team.id),
            "psychiatry_contact_id": "0",
            "jobcenter_caseworker_id": "0",
            "out_of_work": "y",
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "Ikke et CPR-nummer" in html
    errors = re.findall(r'class="error"[^>]*>([^<]*)<', html) + re.findall(r'role="alert"[^>]*>([^<]*)<', html)
    assert all(bad not in e for e in errors)
    r = client.post(
        "/api/v1/cases",
        headers=bearer(world.consultant),
        json={"citizen": {"first_name": "A", "last_name": "B", "cpr": bad}},
    )
    assert r.status_code == 422 and "cpr" in json.dumps(r.json["errors"]) and bad not in r.get_data(as_text=True)
    # A number issued after 2007 may fail modulus 11: accepted, with a warning.
    late = next(d for d in (number() for _ in range(100)) if not cpr_rules.modulus11(d))
    page = client.post(
        "/cases/new",
        follow_redirects=True,
        data={
            "first_name": "A",
            "last_name": "B",
            "cpr": late,
            "ips_team_id": str(world.team.id),
            "psychiatry_contact_id": "0",
            "jobcenter_caseworker_id": "0",
            "out_of_work": "y",
        },
    )
    assert page.status_code == 200 and "modulus 11-kontrollen" in page.get_data(as_text=True)
    assert identity_svc.citizens_with_cpr(late)


def test_masked_for_staff_shown_on_an_explicit_logged_request(client, world):
    digits = number()
    case = refer(world, digits)
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f"{digits[:6]}-****" in page
    assert_absent(digits, "the case page", page)
    assert _db.session.scalar(select(AccessLog.id).where(AccessLog.target == "cpr")) is None
    shown = client.post(f"/cases/{case.id}/cpr").get_data(as_text=True)
    assert f"{digits[:6]}-{digits[6:]}" in shown
    row = _db.session.scalar(select(AccessLog).where(AccessLog.target == "cpr"))
    assert (row.user_id, row.case_id, row.part, row.action) == (world.consultant.id, case.id, "identity", "read")
    assert client.get(f"/cases/{case.id}/cpr").status_code == 405  # never a link
    # The API: masked in every answer, full only on the POST, which is logged too.
    one = client.get(f"/api/v1/citizens/{case.citizen_id}", headers=bearer(world.caseworker)).json
    assert one["cpr"] == f"{digits[:6]}-****"
    listed = client.get(f"/api/v1/cases/{case.id}", headers=bearer(world.caseworker)).get_data(as_text=True)
    assert_absent(digits, "the case's API answer", listed)
    full = client.post(f"/api/v1/citizens/{case.citizen_id}/cpr", headers=bearer(world.caseworker))
    assert full.status_code == 200 and full.json == {"cpr": f"{digits[:6]}-{digits[6:]}"}
    assert _db.session.scalar(
        select(AccessLog.id).where(AccessLog.target == "cpr", AccessLog.user_id == world.caseworker.id)
    )
    # No relation, no number (and no hint that one exists).
    assert client.post(f"/api/v1/citizens/{case.citizen_id}/cpr", headers=bearer(world.outsider)).status_code == 404
    # A staff member's export: masked. The citizen's own (the privacy officer's for them): in full.
    mine = client.get(f"/api/v1/citizens/{case.citizen_id}/export", headers=bearer(world.consultant)).json
    assert mine["citizen"]["cpr"] == f"{digits[:6]}-****" and "cpr_encrypted" not in mine["citizen"]
    dpo = client.get(
        f"/api/v1/citizens/{case.citizen_id}/export?reason=Indsigt%20art.%2015", headers=bearer(world.privacy_officer)
    ).json
    assert dpo["citizen"]["cpr"] == f"{digits[:6]}-{digits[6:]}" and "cpr_hmac" not in dpo["citizen"]


def test_the_header_search_finds_a_full_number_among_own_cases_only(client, world):
    digits = number()
    case = refer(world, digits)
    login(client, world.consultant)
    for typed in (digits, f"{digits[:6]}-{digits[6:]}"):
        found = client.post("/search", data={"q": typed})  # one hit opens the case
        assert found.status_code == 303 and found.headers["Location"].endswith(f"/cases/{case.id}")
    assert case.reference not in client.post("/search", data={"q": digits[:6]}).get_data(as_text=True)
    client.post("/logout")
    login(client, world.outsider)
    assert case.reference not in client.post("/search", data={"q": digits}).get_data(as_text=True)


def test_a_referral_with_a_known_number_joins_or_is_a_silent_duplicate(client, world):
    digits = number()
    first = refer(world, digits)
    # Someone with a relation to that citizen: the new case is on the same citizen.
    again = refer(world, digits, actor=world.clinician, first_name="Anden", last_name="Stavemåde")
    assert again.citizen_id == first.citizen_id
    # Someone without: a new citizen, nothing said to the referrer, the coordinator told.
    other_coordinator = user("coordinator-b@example.test", Role.COORDINATOR, world.other_team)
    _db.session.commit()
    r = client.post(
        "/api/v1/cases",
        headers=bearer(world.outsider),
        json={"citizen": {"first_name": "Helt", "last_name": "Andet", "cpr": digits}},
    )
    assert r.status_code == 201 and "notice" not in r.json
    body = r.get_data(as_text=True)
    assert first.reference not in body and str(first.citizen_id) != str(r.json["citizen"]["id"])
    assert r.json["citizen"]["cpr"] == f"{digits[:6]}-****"  # what the referrer typed, masked
    told = _db.session.scalar(
        select(Notification).where(Notification.kind == "possible_duplicate", Notification.case_id == r.json["id"])
    )
    assert told is not None and told.recipient_id == other_coordinator.id
    assert first.citizen_id in told.data["candidate_citizen_ids"]
    login(client, world.outsider)
    page = client.post(
        "/cases/new",
        follow_redirects=True,
        data={
            "first_name": "Tredje",
            "last_name": "Navn",
            "cpr": digits,
            "ips_team_id": str(world.other_team.id),
            "psychiatry_contact_id": "0",
            "jobcenter_caseworker_id": "0",
            "out_of_work": "y",
        },
    ).get_data(as_text=True)
    assert "måske allerede et forløb" not in page and first.reference not in page


def test_retention_removes_the_number_with_the_name(world, clock):
    digits = number()
    case = refer(world, digits)
    case = world.step(case, "enrol")
    world.step(case, "close", reason="citizen_choice")
    retention.run(
        clock.now() + timedelta(days=7 * 365), closed_case_years=5, access_log_months=60, notification_months=24
    )
    _db.session.expire_all()
    citizen = _db.session.get(Citizen, case.citizen_id)
    assert citizen.anonymised_at and (citizen.cpr_encrypted, citizen.cpr_hmac, citizen.oidc_sub) == (None, None, None)
    assert identity_svc.citizens_with_cpr(digits) == []


def test_no_outward_channel_carries_the_number(app, client, world, clock, caplog):
    """Every channel that leaves the system, rendered for a citizen with a CPR number and a full
    course (referral by form and API, enrolment, a job that ends, follow-ups): e-mails, the
    calendar feed, the change feed and its webhook payloads, CSV and XLSX exports, log lines."""
    caplog.set_level(logging.DEBUG)
    digits = number()
    login(client, world.consultant)
    client.post(
        "/cases/new",
        data={
            "first_name": "Cira",
            "last_name": "Prehn",
            "cpr": digits,
            "ips_team_id": str(world.team.id),
            "psychiatry_contact_id": str(world.clinician.id),
            "jobcenter_caseworker_id": str(world.caseworker.id),
            "out_of_work": "y",
        },
    )
    case = _db.session.scalar(select(IpsCase).join(Citizen).where(Citizen.cpr_hmac.is_not(None)))
    world.consent_employment_to_psychiatry(case)
    case = world.step(case, "enrol")
    case = world.step(case, "start_search")
    case = world.step(case, "start_job", employer_name="Bageriet", benefits_counselling_offered=True, hours_per_week=15)
    clock.advance(days=40)
    case = world.step(_db.session.merge(case), "end_job", end_reason="dismissed", end_date=clock.now().date())
    client.post(
        "/api/v1/cases",
        headers=bearer(world.consultant),
        json={"citizen": {"first_name": "Cira", "last_name": "Prehn", "cpr": digits}},
    )
    login(client, world.consultant)  # the 40 days ended the first session
    client.post("/search", data={"q": digits})
    client.post(f"/cases/{case.id}/cpr")
    channels: dict[str, str] = {}
    for n in _db.session.scalars(select(Notification).where(Notification.recipient_id.is_not(None))):
        from ips_coord.models import User

        channels[f"e-mail {n.kind}"] = build_message(n, _db.session.get(User, n.recipient_id)).as_string()
    assert any(k.startswith("e-mail job_ended") for k in channels)
    made = client.post("/account/calendar").get_data(as_text=True)
    feed_url = re.search(r'value="http://localhost(/calendar/cal_[^"]+\.ics)"', made) or re.search(
        r'value="http://testserver(/calendar/cal_[^"]+\.ics)"', made
    )
    channels["calendar"] = client.get(feed_url.group(1)).get_data(as_text=True)
    assert "BEGIN:VEVENT" in channels["calendar"]
    channels["change feed"] = client.get(
        "/api/v1/changes?since=0&limit=500", headers=bearer(world.consultant)
    ).get_data(as_text=True)
    items = read_changes(world.consultant, 0, 500).items
    assert items
    channels["webhooks"] = json.dumps([payload(i) for i in items])
    client.post("/logout")
    login(client, world.coordinator)
    for path in ("/coordinator/caseload.csv", "/coordinator/reports/outcomes.csv", "/coordinator/reports/fidelity.csv"):
        channels[path] = client.get(path).get_data(as_text=True)
    for path in (
        "/coordinator/caseload.xlsx",
        "/coordinator/reports/outcomes.xlsx",
        "/coordinator/reports/fidelity.xlsx",
    ):
        with zipfile.ZipFile(io.BytesIO(client.get(path).data)) as book:
            channels[path] = "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    assert case.reference in channels["/coordinator/caseload.csv"]  # the export is about this citizen
    channels["log lines"] = "\n".join(r.getMessage() for r in caplog.records)
    for where, body in channels.items():
        assert_absent(digits, where, body)
        if not where.startswith("/coordinator/"):
            assert f"{digits[:6]}-****" not in body, f"the masked number is in {where}"

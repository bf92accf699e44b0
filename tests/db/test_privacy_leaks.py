"""Nothing read without a right and a log line. Each test failed on the
code before the fix; they run on PostgreSQL and SQLite through the fixtures."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from ips_coord.clock import utcnow
from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, CaseEvent, Citizen, Consent, IpsCase, Notification
from ips_coord.services import activities as act
from ips_coord.workflows.phases import Role
from tests.factories import bearer, login, user

SECRET_NOTE = "Hemmelig samtalenote om søvn"
SHARED = "Uro om natten, demo"
BENEFIT_NOTE = "Sygedagpenge ophører, demo"


def _count(model, *where) -> int:
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def _rows(**where):
    query = select(AccessLog)
    for key, value in where.items():
        query = query.where(getattr(AccessLog, key) == value)
    return _db.session.scalars(query.order_by(AccessLog.id)).all()


def _all_consents(world, case):
    today = utcnow().date()
    for from_party, to_party, cats in (
        ("psychiatry", "ips_team", ["symptoms", "strengths"]),
        ("ips_team", "psychiatry", ["employment_progress"]),
        ("ips_team", "jobcenter", ["employment_progress"]),
        ("jobcenter", "ips_team", ["benefit_facts"]),
    ):
        act.record_consent(
            case,
            world.consultant,
            from_party=from_party,
            to_party=to_party,
            categories=cats,
            purpose="Koordinering",
            given_at=today,
            expires_at=None,
        )


def _rich_case(world, client):
    """A case holding a contact note, shared-health-info text, a benefit note and a note in its history."""
    case = world.case_in("job_search")
    _all_consents(world, case)
    act.log_contact(
        _db.session.get(IpsCase, case.id),
        world.consultant,
        kind="contact",
        occurred_at=utcnow(),
        location="community",
        note=SECRET_NOTE,
    )
    assert (
        client.post(
            f"/api/v1/cases/{case.id}/shared-health-info",
            headers=bearer(world.clinician),
            json={"category": "symptoms", "text": SHARED},
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/cases/{case.id}/benefit-facts",
            headers=bearer(world.caseworker),
            json={"benefit": "sygedagpenge", "note": BENEFIT_NOTE},
        ).status_code
        == 201
    )
    case = _db.session.get(IpsCase, case.id)
    _db.session.refresh(case)
    return world.step(
        case, "pause", resume_date=(utcnow() + timedelta(days=20)).date(), reason="indlæggelse", note=SECRET_NOTE
    )


# --- 1. Identity by id ------------------------------------------------------------------------
def test_referral_by_id_needs_a_relation_and_writes_nothing(client, world):
    case = world.case_in("engagement")
    cases, citizens, events = _count(IpsCase), _count(Citizen), _count(CaseEvent)
    r = client.post("/api/v1/cases", headers=bearer(world.outsider), json={"citizen_id": case.citizen_id})
    # The error names no one (its Danish text says "Borgeren findes ikke", so look for the full name).
    problem_members = {"type", "title", "status", "detail", "code", "message", "errors"}
    assert r.status_code == 404 and set(r.get_json()) <= problem_members
    assert "Test Borger" not in r.get_data(as_text=True) and 'Borger"' not in r.get_data(as_text=True)
    assert (_count(IpsCase), _count(Citizen), _count(CaseEvent)) == (cases, citizens, events)  # no junk case
    assert client.get(f"/api/v1/citizens/{case.citizen_id}", headers=bearer(world.outsider)).status_code == 404
    # Someone who already works with the citizen may refer them again by id.
    r = client.post("/api/v1/cases", headers=bearer(world.consultant), json={"citizen_id": case.citizen_id})
    assert r.status_code == 201 and r.json["citizen"]["id"] == case.citizen_id


def test_a_duplicate_referral_reveals_nothing_and_tells_the_coordinator(client, world):
    earlier = world.case_in("engagement")
    _db.session.get(Citizen, earlier.citizen_id).own_goal = "Arbejde med heste"
    _db.session.commit()
    other_coordinator = user("coordinator-b@example.test", Role.COORDINATOR, world.other_team)
    _db.session.commit()
    r = client.post(
        "/api/v1/cases",
        headers=bearer(world.outsider),
        json={"citizen": {"first_name": " test", "last_name": "BORGER"}},
    )
    assert r.status_code == 201
    body = json.dumps(r.json, ensure_ascii=False)
    assert r.json["notice"] and "coordinator" in r.json["notice"]
    assert r.json["citizen"]["id"] != earlier.citizen_id and "heste" not in body and earlier.reference not in body
    new_case = r.json["id"]
    told = _db.session.scalars(select(Notification).where(Notification.kind == "possible_duplicate")).all()
    assert [(n.recipient_id, n.case_id) for n in told] == [(other_coordinator.id, new_case)]
    # The e-mail names only the new case; the coordinator's overview lists it (the earlier case is another team's).
    login(client, other_coordinator)
    page = client.get("/coordinator").get_data(as_text=True)
    assert f"IPS-{new_case:06d}" in page and "1 forløb i et andet team" in page
    # The web form says the same, in Danish, to a referrer without a relation.
    client.post("/logout")
    login(client, world.outsider)
    r = client.post(
        "/cases/new",
        follow_redirects=True,
        data={
            "first_name": "Test",
            "last_name": "Borger",
            "psychiatry_contact_id": "0",
            "jobcenter_caseworker_id": "0",
            "out_of_work": "y",
            "ips_team_id": str(world.other_team.id),
        },
    )
    html = r.get_data(as_text=True)
    assert "Der findes måske allerede et forløb for borgeren" in html and "heste" not in html


def test_the_coordinator_merges_a_duplicate_referral(client, world):
    earlier = world.case_in("engagement")
    name = _db.session.get(Citizen, earlier.citizen_id)
    r = client.post(
        "/api/v1/cases",
        headers=bearer(world.colleague),
        json={"citizen": {"first_name": name.first_name, "last_name": name.last_name}},
    )
    assert r.status_code == 201 and r.json["notice"]
    new_case, new_citizen = r.json["id"], r.json["citizen"]["id"]
    login(client, world.coordinator)
    page = client.get("/coordinator").get_data(as_text=True)
    merge_url = f"/coordinator/cases/{new_case}/merge/{earlier.id}"
    assert merge_url in page and f"Læg sammen med {earlier.reference}" in page
    assert client.post(merge_url).status_code == 302
    assert _db.session.scalar(select(IpsCase.citizen_id).where(IpsCase.id == new_case)) == earlier.citizen_id
    assert _db.session.get(Citizen, new_citizen) is None  # the duplicate record is gone
    event = _db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == new_case, CaseEvent.event == "citizen_merged")
    )
    assert event.data == {"merged_citizen_id": new_citizen, "into_case_id": earlier.id}
    assert merge_url not in client.get("/coordinator").get_data(as_text=True)
    client.post("/logout")
    login(client, world.outsider)  # another team's user cannot merge
    assert client.post(f"/coordinator/cases/{new_case}/merge/{earlier.id}").status_code == 404


# --- 2. Export ----------------------------------------------------------------------------------
def test_coordinator_exports_only_what_the_coordinator_may_read(client, world):
    case = _rich_case(world, client)
    r = client.get(f"/api/v1/citizens/{case.citizen_id}/export", headers=bearer(world.coordinator))
    assert r.status_code == 200
    body = json.dumps(r.json, ensure_ascii=False)
    for secret in (SECRET_NOTE, SHARED, BENEFIT_NOTE, "indlæggelse"):
        assert secret not in body, secret
    [exported] = r.json["cases"]
    assert not {"contacts", "shared_health_info", "benefit_facts", "job_ending_reviews"} & set(exported)
    assert exported["placements"] is not None and exported["events"]
    logged = {(row.part, row.reason) for row in _rows(user_id=world.coordinator.id, case_id=case.id)}
    assert ("history", None) in logged and not any(p == "contact_notes" for p, _r in logged)


def test_the_privacy_officer_exports_everything_with_a_stated_reason(client, world):
    case = _rich_case(world, client)
    h = bearer(world.privacy_officer)
    url = f"/api/v1/citizens/{case.citizen_id}/export"
    missing = client.get(url, headers=h)
    assert missing.status_code == 422 and "reason" in missing.json["errors"]
    r = client.get(url, headers=h, query_string={"reason": "Indsigtsanmodning fra borgeren 2026-03-01"})
    assert r.status_code == 200 and r.json["scope"] == "full"
    body = json.dumps(r.json, ensure_ascii=False)
    assert SECRET_NOTE in body and SHARED in body and BENEFIT_NOTE in body
    [row] = _rows(user_id=world.privacy_officer.id, part="export")
    assert row.reason == "Indsigtsanmodning fra borgeren 2026-03-01" and row.case_id == case.id
    # Export and access logs, nothing else: no case pages, no lists.
    assert client.get(f"/api/v1/cases/{case.id}", headers=h).status_code == 403
    assert client.get(f"/api/v1/cases/{case.id}/contacts", headers=h).status_code == 403
    assert client.get("/api/v1/cases", headers=h).json["total"] == 0
    assert client.get("/api/v1/citizens", headers=h).json["total"] == 0
    assert client.get(f"/api/v1/cases/{case.id}/access-log", headers=h).status_code == 200


def test_the_privacy_officer_page(client, world):
    case = world.case_in("engagement")
    client.get(f"/api/v1/cases/{case.id}", headers=bearer(world.consultant))
    login(client, world.privacy_officer)
    assert client.get("/").headers["Location"].endswith("/privacy")
    assert client.get("/cases").status_code == 404 and client.get(f"/cases/{case.id}").status_code == 403
    page = client.get("/privacy", query_string={"q": case.reference.lower()})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kim Konsulent" in html and "Test Borger" not in html
    assert client.get("/privacy", query_string={"q": "IPS-999999"}).status_code == 404
    assert 'action="/privacy/export"' in html
    bad = client.post("/privacy/export", data={"case_id": str(case.id), "reason": ""})
    assert bad.status_code == 400 and "Årsag til udtrækket" in bad.get_data(as_text=True)
    r = client.post("/privacy/export", data={"case_id": str(case.id), "reason": "Borgerens anmodning om indsigt"})
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    assert json.loads(r.get_data(as_text=True))["citizen"]["last_name"] == "Borger"
    assert [row.reason for row in _rows(user_id=world.privacy_officer.id, part="export")] == [
        "Borgerens anmodning om indsigt"
    ]


# --- 3. Notes inside events -------------------------------------------------------------------
def test_event_notes_and_pause_reasons_are_shown_only_to_note_readers(client, world):
    case = _rich_case(world, client)
    for reader in (world.caseworker, world.coordinator, world.clinician):
        r = client.get(f"/api/v1/cases/{case.id}/events", headers=bearer(reader))
        assert r.status_code == 200
        body = json.dumps(r.json, ensure_ascii=False)
        assert SECRET_NOTE not in body and "indlæggelse" not in body, reader.email
        [pause] = [e for e in r.json["items"] if e["event"] == "pause"]
        assert pause["reason"] is None and "note" not in pause["data"]
        login(client, reader)
        page = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "indlæggelse" not in page and SECRET_NOTE not in page
        client.post("/logout")
    [pause] = [
        e
        for e in client.get(f"/api/v1/cases/{case.id}/events", headers=bearer(world.consultant)).json["items"]
        if e["event"] == "pause"
    ]
    assert pause["reason"] == "indlæggelse" and pause["data"]["note"] == SECRET_NOTE


# --- 4. Reads without a log line ---------------------------------------------------------------
def test_lists_and_dashboards_log_what_they_show(client, world, clock):
    case = world.case_in("engagement")
    clock.advance(days=40)
    from ips_coord.notifications.sweep import escalate_due

    escalate_due(clock.now(), 100)
    h = bearer(world.consultant)
    checks = []
    r = client.get("/api/v1/citizens", headers=h)
    checks.append((r, world.consultant, "identity"))
    r = client.get("/api/v1/follow-ups", headers=h)
    checks.append((r, world.consultant, "follow_ups"))
    login(client, world.consultant)
    r = client.get("/employer-contacts/new")
    checks.append((r, world.consultant, "identity"))
    client.post("/logout")
    login(client, world.coordinator)
    for url, part in (("/coordinator", "follow_ups"), ("/coordinator/caseload.csv", "phase")):
        checks.append((client.get(url), world.coordinator, part))
    for resp, reader, part in checks:
        assert resp.status_code == 200
        rid = resp.headers["X-Request-ID"]
        rows = _db.session.scalars(select(AccessLog).where(AccessLog.request_id == rid)).all()
        assert {(row.user_id, row.case_id, row.part) for row in rows} >= {(reader.id, case.id, part)}, resp.request.url
    # The notifications page: one row per case it names.
    _db.session.add(
        Notification(
            recipient_id=world.clinician.id,
            case_id=case.id,
            kind="job_ended",
            status="failed",
            next_attempt_at=clock.now(),
            idempotency_key="x",
            requires_ack=False,
            data={"reference": case.reference},
            created_at=clock.now(),
        )
    )
    _db.session.commit()
    r = client.get("/coordinator/notifications")
    assert [(row.case_id, row.part) for row in _rows(request_id=r.headers["X-Request-ID"])] == [(case.id, "history")]


def test_the_case_page_logs_every_part_it_shows(client, world):
    case = _rich_case(world, client)
    login(client, world.consultant)
    r = client.get(f"/cases/{case.id}")
    assert SHARED in r.get_data(as_text=True)
    parts = {row.part for row in _rows(request_id=r.headers["X-Request-ID"])}
    assert {"identity", "shared_health_info", "contact_notes", "benefit_facts", "history", "consents"} <= parts


def test_refusals_are_logged_and_probing_is_visible(client, world):
    case = world.case_in("engagement")
    before = _count(AccessLog)
    assert client.get(f"/api/v1/cases/{case.id}", headers=bearer(world.outsider)).status_code == 404
    assert client.get("/api/v1/cases/987654", headers=bearer(world.outsider)).status_code == 404
    assert client.get(f"/api/v1/citizens/{case.citizen_id}", headers=bearer(world.outsider)).status_code == 404
    assert client.get(f"/api/v1/cases/{case.id}/contacts", headers=bearer(world.clinician)).status_code == 403
    refused = _rows(action="refused")
    assert _count(AccessLog) == before + 4  # the refusals, and no read rows
    assert [(r.user_id, r.case_id, r.target, r.outcome) for r in refused] == [
        (world.outsider.id, case.id, f"case {case.id}", 404),
        (world.outsider.id, None, "case 987654", 404),
        (world.outsider.id, None, f"citizen {case.citizen_id}", 404),
        (world.clinician.id, case.id, f"case {case.id}", 403),
    ]
    assert refused[0].view == "api_cases.CaseDetail" and refused[3].part == "contact_notes"
    login(client, world.coordinator)
    page = client.get("/coordinator").get_data(as_text=True)
    # The coordinator sees probing of the team's cases (not another team's misses)...
    assert "Afviste forsøg" in page and ">outsider</td>" in page and f"forløb {case.id}" in page
    assert "forløb 987654" not in page
    client.post("/logout")
    # ...the privacy officer sees every refusal in the installation.
    login(client, world.privacy_officer)
    page = client.get("/privacy").get_data(as_text=True)
    assert f"borger {case.citizen_id}" in page and "forløb 987654" in page and 'title="api_cases.CaseDetail"' in page


# --- 5. Consent integrity -----------------------------------------------------------------------
def _consent_body(from_party, to_party, categories):
    return {
        "from_party": from_party,
        "to_party": to_party,
        "categories": categories,
        "purpose": "Koordinering",
        "given_at": utcnow().date().isoformat(),
    }


def test_a_recipient_cannot_give_itself_a_consent(client, world):
    case = world.case_in("employed")
    r = client.post(
        f"/api/v1/cases/{case.id}/consents",
        headers=bearer(world.clinician),
        json=_consent_body("ips_team", "psychiatry", ["employment_progress"]),
    )
    assert r.status_code == 403 and _count(Consent) == 0
    assert client.get(f"/api/v1/cases/{case.id}/placements", headers=bearer(world.clinician)).status_code == 403
    # A colleague covering the case is not the consultant on it: may give the team's own consent only.
    r = client.post(
        f"/api/v1/cases/{case.id}/consents",
        headers=bearer(world.colleague),
        json=_consent_body("psychiatry", "ips_team", ["symptoms"]),
    )
    assert r.status_code == 403 and _count(Consent) == 0
    # The giving party, and the consultant on the case (the citizen's word), may.
    for who, body in (
        (world.clinician, _consent_body("psychiatry", "ips_team", ["symptoms"])),
        (world.consultant, _consent_body("psychiatry", "ips_team", ["strengths"])),
        (world.caseworker, _consent_body("jobcenter", "ips_team", ["benefit_facts"])),
    ):
        assert client.post(f"/api/v1/cases/{case.id}/consents", headers=bearer(who), json=body).status_code == 201
    # The web form says so next to the field.
    login(client, world.clinician)
    r = client.post(
        f"/cases/{case.id}/consents",
        data={
            "from_party": "ips_team",
            "to_party": "psychiatry",
            "categories": ["employment_progress"],
            "purpose": "Selv",
            "given_at": utcnow().date().isoformat(),
        },
    )
    assert r.status_code == 403 and "or the giving party may record" in r.get_data(as_text=True)  # clinician: en
    assert _count(Consent) == 3


def test_withdrawal_by_a_party_only_confirmed_and_with_who_asked(client, world):
    case = world.case_in("engagement")
    consent = act.record_consent(
        case,
        world.consultant,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["strengths"],
        purpose="Koordinering",
        given_at=utcnow().date(),
        expires_at=None,
    )
    url = f"/api/v1/consents/{consent.id}/withdraw"
    r = client.post(url, headers=bearer(world.caseworker), json={"requested_by": "citizen", "confirm": True})
    assert r.status_code == 403
    assert client.post(url, headers=bearer(world.clinician), json={"requested_by": "citizen"}).status_code == 422
    r = client.post(url, headers=bearer(world.clinician), json={"requested_by": "citizen", "confirm": False})
    assert r.status_code == 422 and "confirm" in r.json["errors"]
    assert _db.session.scalar(select(Consent.withdrawn_at).where(Consent.id == consent.id)) is None
    # On the web page: the confirmation is asked for next to its field, then it is kept in the history.
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}?open=withdraw").get_data(as_text=True)  # the form opens on demand
    assert f'name="w{consent.id}-confirm"' in page
    form_url = f"/cases/{case.id}/consents/{consent.id}/withdraw"
    r = client.post(form_url, data={f"w{consent.id}-requested_by": "giving_party"})
    assert r.status_code == 400 and "Bekræft tilbagekaldelsen." in r.get_data(as_text=True)
    r = client.post(form_url, data={f"w{consent.id}-requested_by": "giving_party", f"w{consent.id}-confirm": "y"})
    assert r.status_code == 302
    event = _db.session.scalar(select(CaseEvent).where(CaseEvent.event == "consent_withdrawn"))
    assert event.data == {"consent_id": consent.id, "requested_by": "psychiatry"}
    assert event.actor_id == world.consultant.id
    history = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "efter anmodning fra Psykiatrien" in history

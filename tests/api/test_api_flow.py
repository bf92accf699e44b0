"""A script with only the API and a token takes a citizen through the whole IPS path."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import bearer


def test_full_path_with_refusals(client, world, clock):
    h = bearer(world.consultant)
    r = client.post(
        "/api/v1/cases",
        json={"citizen": {"first_name": "Ada", "last_name": "Engtoft"}, "jobcenter_caseworker_id": world.caseworker.id},
        headers=h,
    )
    assert r.status_code == 201, r.json
    case = r.json
    cid, v = case["id"], case["version"]
    assert case["phase"] == "referred" and case["reference"].startswith("IPS-")

    def go(event, version, **payload):
        return client.post(
            f"/api/v1/cases/{cid}/transitions", json={"event": event, "version": version, **payload}, headers=h
        )

    # Enrolment without a psychiatry contact is refused (integration with treatment).
    r = go("enrol", v)
    assert r.status_code == 422 and r.json["refusal_code"] == "psychiatry_contact_required"
    assert r.json["errors"]["psychiatry_contact_id"]
    r = go("enrol", v, psychiatry_contact_id=world.clinician.id)
    assert r.status_code == 200 and r.json["phase"] == "engagement"
    v = r.json["version"]
    allowed = client.get(f"/api/v1/cases/{cid}/allowed-events", headers=h).json["events"]
    assert allowed == ["start_search", "pause", "close"]

    # Zero exclusion: closing for missed appointments is refused.
    r = go("close", v, reason="missed_appointments")
    assert r.status_code == 422 and r.json["refusal_code"] == "close_reason_not_allowed"

    # Consents, career profile, contacts.
    r = client.post(
        f"/api/v1/cases/{cid}/consents",
        headers=h,
        json={
            "from_party": "ips_team",
            "to_party": "psychiatry",
            "categories": ["employment_progress"],
            "purpose": "Orientering om job",
            "given_at": clock.now().date().isoformat(),
        },
    )
    assert r.status_code == 201 and r.json["live"] is True
    r = client.post(
        f"/api/v1/cases/{cid}/career-profile",
        headers=h,
        json={"job_preferences": "Lager", "wishes_and_dreams": "Fast job", "disclosure": "partial"},
    )
    assert r.status_code == 201 and r.json["version"] == 1
    r = client.post(
        f"/api/v1/cases/{cid}/contacts",
        headers=h,
        json={"kind": "joint_start_meeting", "occurred_at": clock.now().isoformat(), "location": "office"},
    )
    assert r.status_code == 201

    v = client.get(f"/api/v1/cases/{cid}", headers=h).json["version"]
    r = go("start_search", v)
    assert r.status_code == 200 and r.json["phase"] == "job_search"
    v = r.json["version"]
    clock.advance(days=5)
    r = client.post(
        "/api/v1/employer-contacts",
        headers=h,
        json={"employer_name": "Lageret A/S", "occurred_at": clock.now().isoformat(), "case_id": cid},
    )
    assert r.status_code == 201
    v = client.get(f"/api/v1/cases/{cid}", headers=h).json["version"]

    # Competitive employment: an internship is not a job start.
    r = go("start_job", v, placement_type="internship", employer_name="Lageret A/S")
    assert r.status_code == 422 and r.json["refusal_code"] == "not_competitive_employment"
    r = client.post(
        f"/api/v1/cases/{cid}/placements",
        headers=h,
        json={"type": "internship", "employer_name": "Lageret A/S", "start_date": clock.now().date().isoformat()},
    )
    assert r.status_code == 201  # ...but it can be recorded as a step
    assert int(r.headers["Case-Version"]) == v + 1, "a step is a write to the case: its version goes up"
    v = int(r.headers["Case-Version"])
    r = go(
        "start_job",
        v,
        placement_type="ordinary_job",
        employer_name="Lageret A/S",
        hours_per_week=20,
        benefits_counselling_offered=True,
        start_date=clock.now().date().isoformat(),
    )
    assert r.status_code == 200 and r.json["phase"] == "employed"
    v = r.json["version"]
    r = client.get(f"/api/v1/follow-ups?case_id={cid}&status=open", headers=h)
    assert r.status_code == 200, r.json
    fus = r.json["items"]
    assert {"job_start_contact", "weekly_contact", "monthly_contact"} <= {f["kind"] for f in fus}

    clock.advance(days=40)
    r = go("end_job", v, end_reason="dismissed")
    assert r.status_code == 200 and r.json["phase"] == "job_ended"
    v = r.json["version"]
    # The review comes before the search resumes.
    r = go("resume_search", v)
    assert r.status_code == 422 and r.json["refusal_code"] == "review_required"
    clock.advance(days=3)
    r = client.post(
        f"/api/v1/cases/{cid}/reviews",
        headers=h,
        json={
            "held_at": clock.now().isoformat(),
            "what_worked": "Kollegerne",
            "what_did_not": "For mange timer",
            "adjustments": {"hours": "Start med 12 timer", "mentor": "Mentor fra dag 1"},
            "clinician_present": True,
        },
    )
    assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/cases/{cid}/career-profile", headers=h, json={"job_preferences": "Lager, færre timer"})
    assert r.json["version"] == 2
    v = client.get(f"/api/v1/cases/{cid}", headers=h).json["version"]
    r = go("resume_search", v)
    assert r.status_code == 200 and r.json["phase"] == "job_search"

    events = client.get(f"/api/v1/cases/{cid}/events?page_size=200", headers=h).json["items"]
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [e["event"] for e in events if e["to_phase"]] == [
        "referred",
        "enrol",
        "start_search",
        "start_job",
        "end_job",
        "resume_search",
    ]
    versions = client.get(f"/api/v1/cases/{cid}/career-profile/versions", headers=h).json
    assert versions["total"] == 2


def test_stale_version_gets_409_with_current_version(client, world):
    h = bearer(world.consultant)
    case = world.case_in("engagement")
    r = client.post(f"/api/v1/cases/{case.id}/transitions", json={"event": "start_search", "version": 1}, headers=h)
    assert r.status_code == 409
    assert r.json["code"] == "stale_version" and r.json["current_version"] == case.version
    assert r.json["errors"]["version"]


def test_follow_up_complete(client, world, clock):
    h = bearer(world.consultant)
    case = world.case_in("employed")
    monthly = list(client.get(f"/api/v1/follow-ups?case_id={case.id}&kind=monthly_contact", headers=h).json["items"])
    assert len(monthly) == 1
    r = client.post(f"/api/v1/follow-ups/{monthly[0]['id']}/complete", headers=h)
    assert r.status_code == 200 and r.json["status"] == "done"
    # Time-unlimited support: the next monthly contact is due.
    after = client.get(f"/api/v1/follow-ups?case_id={case.id}&kind=monthly_contact&status=open", headers=h).json[
        "items"
    ]
    assert len(after) == 1 and after[0]["id"] != monthly[0]["id"]
    assert client.post(f"/api/v1/follow-ups/{monthly[0]['id']}/complete", headers=h).status_code == 422
    clock.advance(days=400)
    h = bearer(world.consultant)  # tokens expire after API_TOKEN_DAYS; the old one no longer works
    overdue = client.get("/api/v1/cases?overdue=true", headers=h).json
    assert [c["id"] for c in overdue["items"]] == [case.id]
    assert client.get("/api/v1/cases?overdue=false", headers=h).json["total"] == 0


def test_case_list_filters_and_pagination(client, world):
    h = bearer(world.consultant)
    ids = [world.case_in(p).id for p in ("referred", "engagement", "engagement", "job_search")]
    r = client.get("/api/v1/cases?phase=engagement", headers=h).json
    assert r["total"] == 2 and {c["phase"] for c in r["items"]} == {"engagement"}
    page1 = client.get("/api/v1/cases?page_size=3", headers=h).json
    page2 = client.get("/api/v1/cases?page_size=3&page=2", headers=h).json
    assert page1["total"] == 4 and len(page1["items"]) == 3 and len(page2["items"]) == 1
    assert sorted(c["id"] for c in page1["items"] + page2["items"]) == sorted(ids)
    assert client.get(f"/api/v1/cases?consultant_id={world.colleague.id}", headers=h).json["total"] == 0


def test_consent_withdrawal(client, world, clock):
    h = bearer(world.consultant)
    case = world.case_in("engagement")
    r = client.post(
        f"/api/v1/cases/{case.id}/consents",
        headers=h,
        json={
            "from_party": "psychiatry",
            "to_party": "ips_team",
            "categories": ["coping_strategies", "strengths"],
            "purpose": "Koordinering",
            "given_at": clock.now().date().isoformat(),
            "expires_at": (clock.now().date() + timedelta(days=90)).isoformat(),
        },
    )
    assert r.status_code == 201
    kinds = [f["kind"] for f in client.get(f"/api/v1/follow-ups?case_id={case.id}", headers=h).json["items"]]
    assert "consent_expiry" in kinds
    body = {"requested_by": "citizen", "confirm": True}
    r = client.post(f"/api/v1/consents/{r.json['id']}/withdraw", headers=h, json=body)
    assert r.status_code == 200 and r.json["live"] is False and r.json["withdrawn_at"]
    assert client.post(f"/api/v1/consents/{r.json['id']}/withdraw", headers=h, json=body).status_code == 422

"""The employer register, openings, matching and moving a follow-up over the API (both databases)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ips_coord.models import FollowUp
from ips_coord.models.employer import FollowUpChange
from ips_coord.services import activities as act
from tests.factories import bearer


def test_register_openings_matching_and_suggestions(client, world, clock):
    h = bearer(world.consultant)
    r = client.post(
        "/api/v1/employers", json={"name": "Lageret A/S", "cvr": "10150817", "municipality": "Nordby"}, headers=h
    )
    assert r.status_code == 201, r.json
    employer_id = r.json["id"]
    bad = client.post("/api/v1/employers", json={"name": "X", "cvr": "10150818"}, headers=h)
    assert bad.status_code == 422 and "cvr" in bad.json["errors"]
    dup = client.post("/api/v1/employers", json={"name": "LAGERET  a/s"}, headers=h)
    assert dup.status_code == 422 and "name" in dup.json["errors"]
    assert client.get("/api/v1/employers?q=lager", headers=h).json["total"] == 1
    assert (
        client.post(
            f"/api/v1/employers/{employer_id}/persons", json={"name": "Mette", "phone": "12345678"}, headers=h
        ).status_code
        == 201
    )
    r = client.post(
        f"/api/v1/employers/{employer_id}/openings",
        headers=h,
        json={"title": "Lagermedarbejder", "hours_per_week": 20, "place": "Nordby", "requirements": "Formiddage"},
    )
    assert r.status_code == 201 and r.json["status"] == "open" and r.json["employer_name"] == "Lageret A/S"
    opening_id = r.json["id"]
    # Another team sees none of it.
    other = bearer(world.outsider)
    assert client.get(f"/api/v1/employers/{employer_id}", headers=other).status_code == 404
    assert client.get("/api/v1/openings", headers=other).json["total"] == 0

    case = world.case_in("job_search")
    act.save_profile(
        case, world.consultant, {"job_preferences": "Lager om formiddagen, 20 timer", "disclosure": "full"}
    )
    matches = client.get(f"/api/v1/cases/{case.id}/matches", headers=h).json
    assert [m["opening"]["id"] for m in matches] == [opening_id]
    assert matches[0]["explanation"] == "wishes formiddagen, lager; hours 20"
    assert {"code": "wish", "words": "formiddagen, lager"} in matches[0]["reasons"]
    cands = client.get(f"/api/v1/openings/{opening_id}/candidates", headers=h).json
    assert [c["case_id"] for c in cands] == [case.id] and cands[0]["own_case"] is True
    r = client.post(f"/api/v1/cases/{case.id}/suggestions", json={"opening_id": opening_id}, headers=h)
    assert r.status_code == 201 and r.json["outcome"] == "suggested"
    again = client.post(f"/api/v1/cases/{case.id}/suggestions", json={"opening_id": opening_id}, headers=h)
    assert again.status_code == 422 and "opening_id" in again.json["errors"]
    r = client.post(f"/api/v1/suggestions/{r.json['id']}/outcome", json={"outcome": "interview"}, headers=h)
    assert r.status_code == 200 and r.json["outcome"] == "interview"
    assert client.get(f"/api/v1/cases/{case.id}/matches", headers=h).json[0]["suggested"] is True
    r = client.post(f"/api/v1/openings/{opening_id}/status", json={"status": "filled"}, headers=h)
    assert r.status_code == 200 and client.get(f"/api/v1/cases/{case.id}/matches", headers=h).json == []


def test_employer_contact_with_purpose_and_next_step_respects_disclosure(client, world, clock):
    h = bearer(world.consultant)
    case = world.case_in("job_search")
    body = {
        "employer_name": "Føtex Nordby",
        "occurred_at": clock.now().isoformat(),
        "case_id": case.id,
        "purpose": "present_candidate",
        "outcome": "Positiv",
        "next_step": "Samtale",
        "next_step_due": (clock.now() + timedelta(days=3)).date().isoformat(),
    }
    r = client.post("/api/v1/employer-contacts", json=body, headers=h)
    assert r.status_code == 201 and r.json["employer_id"] and r.json["purpose"] == "present_candidate"
    assert db_kinds(case) >= {"employer_next_step"}
    act.save_profile(case, world.consultant, {"disclosure": "none"})
    r = client.post("/api/v1/employer-contacts", json=body, headers=h)
    assert r.status_code == 403 and "case_id" in r.json["errors"]


def test_moving_a_follow_up_over_the_api(client, world, clock, db):
    case = world.case_in("engagement")
    fu = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.status == "open"))
    url = f"/api/v1/follow-ups/{fu.id}/move"
    assert client.post(url, json={"reason": "x"}, headers=bearer(world.consultant)).status_code == 422
    assert client.post(url, json={"reason": "Syg"}, headers=bearer(world.outsider)).status_code == 404
    new = (fu.due_at + timedelta(days=5)).isoformat()
    r = client.post(
        url,
        json={"reason": "Borgeren er på ferie", "due_at": new, "assignee_id": world.colleague.id},
        headers=bearer(world.consultant),
    )
    assert r.status_code == 200 and r.json["to_assignee_id"] == world.colleague.id
    history = client.get(url, headers=bearer(world.coordinator)).json
    assert [h["reason"] for h in history] == ["Borgeren er på ferie"]
    assert db.session.scalar(select(FollowUpChange.reason)) == "Borgeren er på ferie"


def db_kinds(case):
    from ips_coord.extensions import db

    return set(db.session.scalars(select(FollowUp.kind).where(FollowUp.case_id == case.id, FollowUp.status == "open")))

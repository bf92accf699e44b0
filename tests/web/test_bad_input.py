"""Bad input is a clear 4xx, tokens expire, one write is one version (PostgreSQL and SQLite)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from ips_coord.models import ApiToken, IpsCase
from tests.factories import PASSWORD, bearer, login

CONTACT = {"kind": "contact", "occurred_at": "2026-03-02T08:00:00Z", "location": "community"}


def _case_for_notes(world):
    return world.case_in("engagement")


def test_lone_surrogate_in_json_is_a_field_error(client, world):
    case = _case_for_notes(world)
    body = json.dumps({**CONTACT, "note": "x"}).replace('"x"', '"\\udc00"')
    r = client.post(
        f"/api/v1/cases/{case.id}/contacts",
        data=body,
        content_type="application/json",
        headers=bearer(world.consultant),
    )
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.json["code"] == "validation_error" and list(r.json["errors"]) == ["note"]


def test_deeply_nested_json_is_400(client, world):
    case = _case_for_notes(world)
    for depth in (40, 1000, 100_000):
        body = "[" * depth + "]" * depth
        r = client.post(
            f"/api/v1/cases/{case.id}/contacts",
            data=body,
            content_type="application/json",
            headers=bearer(world.consultant),
        )
        assert r.status_code == 400 and r.json["code"] == "bad_request", depth


def test_nul_in_a_web_form_is_an_error_next_to_the_field(client, world):
    case = _case_for_notes(world)
    r = client.post("/login", data={"email": "a\x00@example.test", "password": "x"})
    assert r.status_code == 400 and "ikke kan gemmes" in r.get_data(as_text=True)
    login(client, world.consultant)
    r = client.post(
        f"/cases/{case.id}/contacts",
        data={"kind": "contact", "occurred_at": "2026-03-02T08:00", "location": "community", "note": "before\x00after"},
    )
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Indeholder et tegn, der ikke kan gemmes (NUL)." in page
    assert "before" in page  # what was typed is still in the form (loses nothing)


def test_nul_in_a_query_string_is_400(client, world):
    login(client, world.consultant)
    assert client.get("/cases?q=%00").status_code == 400
    r = client.get("/api/v1/cases?phase=%00")
    assert r.status_code == 422 and r.json["errors"] == {"phase": [r.json["errors"]["phase"][0]]}


def test_crlf_and_foreign_next_never_redirect_off_site(client, world):
    r = client.post(
        "/login?next=/cases%0D%0ASet-Cookie:x=1", data={"email": world.consultant.email, "password": PASSWORD}
    )
    assert r.status_code == 302 and r.headers["Location"] == "/"
    case = world.case_in("engagement")
    from ips_coord.models import FollowUp

    fu = world_follow_up(case)
    for target in ("//evil.example", "/\\evil.example", "https://evil.example/", "/cases\r\nX: 1"):
        r = client.post(f"/cases/{case.id}/follow-ups/{fu}/done", data={"next": target})
        assert r.status_code == 302 and r.headers["Location"] == f"/cases/{case.id}", target
    r = client.post(f"/cases/{case.id}/follow-ups/{fu}/done", data={"next": "/my-day"})
    assert r.headers["Location"] == "/my-day"
    assert FollowUp is not None


def world_follow_up(case) -> int:
    from ips_coord.extensions import db
    from ips_coord.models import FollowUp

    return db.session.scalars(select(FollowUp.id).where(FollowUp.case_id == case.id)).first()


def test_request_size_is_bounded(client, world):
    case = _case_for_notes(world)
    big = json.dumps({**CONTACT, "note": "x" * (1024 * 1024)})
    r = client.post(
        f"/api/v1/cases/{case.id}/contacts", data=big, content_type="application/json", headers=bearer(world.consultant)
    )
    assert r.status_code == 413 and r.json["code"] == "too_large" and "1048576" in r.json["message"]
    login(client, world.consultant)
    r = client.post(f"/cases/{case.id}/contacts", data={**CONTACT, "note": "x" * (1024 * 1024)})
    assert r.status_code == 413 and "for stort" in r.get_data(as_text=True)


def test_tokens_expire_record_use_and_cannot_make_tokens(client, world, clock):
    login(client, world.consultant)
    r = client.post("/api/v1/tokens", json={"name": "script"})
    assert r.status_code == 201
    created = clock.now()
    assert r.json["expires_at"].startswith((created + timedelta(days=90)).date().isoformat())
    h = {"Authorization": f"Bearer {r.json['token']}"}
    fresh = client.application.test_client()
    from ips_coord.extensions import db

    def last_used():
        db.session.expire_all()
        return db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == r.json["id"]))

    assert last_used() is None
    assert fresh.get("/api/v1/cases", headers=h).status_code == 200
    assert last_used() == created
    clock.advance(minutes=5)
    fresh.get("/api/v1/cases", headers=h)
    assert last_used() == created  # not a write on every request
    clock.advance(minutes=11)
    fresh.get("/api/v1/cases", headers=h)
    assert last_used() == clock.now()
    refused = fresh.post("/api/v1/tokens", json={"name": "copy"}, headers=h)
    assert refused.status_code == 403 and refused.json["code"] == "forbidden"
    clock.set(created + timedelta(days=90))
    assert fresh.get("/api/v1/cases", headers=h).status_code == 401


def test_cli_token_shows_its_expiry(app, world):
    result = app.test_cli_runner().invoke(args=["token", "create", world.consultant.email])
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("ipc_")
    assert "Expires 2026-05-31" in result.stderr


def test_a_job_ending_review_is_one_version(client, world, clock):
    case = world.case_in("job_ended", clock=clock)
    before = case.version
    r = client.post(
        f"/api/v1/cases/{case.id}/reviews",
        headers=bearer(world.consultant),
        json={"held_at": clock.now().isoformat(), "what_worked": "mentor"},
    )
    assert r.status_code == 201
    from ips_coord.extensions import db

    db.session.expire_all()
    assert db.session.get(IpsCase, case.id).version == before + 1


def test_a_job_cannot_start_before_enrolment(client, world, clock):
    case = world.case_in("job_search")
    day_before = (clock.now() - timedelta(days=1)).date().isoformat()
    r = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers={**bearer(world.consultant), "Accept-Language": "da"},
        json={
            "event": "start_job",
            "version": case.version,
            "employer_name": "Bageriet",
            "placement_type": "ordinary_job",
            "start_date": day_before,
        },
    )
    assert r.status_code == 422 and "start_date" in r.json["errors"], r.json
    assert r.json["refusal_code"] == "start_before_enrolment"
    r = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers=bearer(world.consultant),
        json={
            "event": "start_job",
            "version": case.version,
            "employer_name": "Bageriet",
            "placement_type": "ordinary_job",
            "start_date": clock.now().date().isoformat(),
        },
    )
    assert r.status_code == 200, r.json


def test_the_api_answers_in_the_language_asked_for(client, world):
    r = client.get("/api/v1/cases", headers={"Accept-Language": "da"})
    assert r.json["message"] == "Log ind, eller send Authorization: Bearer <token>."
    r = client.get("/api/v1/cases", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert r.json["message"] == "Log in or send Authorization: Bearer <token>."
    case = world.case_in("engagement")
    # The consultant's own locale is Danish; the request asks for English and gets it.
    r = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers={**bearer(world.consultant), "Accept-Language": "en"},
        json={"event": "start_job", "version": case.version, "employer_name": "Bageriet"},
    )
    assert r.status_code == 422 and r.json["message"] == "That is not possible in the case's current phase."
    r = client.post(
        f"/api/v1/cases/{case.id}/contacts",
        headers={**bearer(world.consultant), "Accept-Language": "da"},
        json={"kind": "contact"},
    )
    assert r.status_code == 422 and r.json["errors"]["occurred_at"] == ["Feltet skal udfyldes."]


def test_employer_diversity_compares_normalised_names(app, world):
    from ips_coord.clock import utcnow
    from ips_coord.reports.fidelity import fidelity

    for name in ("FØTEX NORDBY", "Føtex  Nordby"):
        case = world.case_in("job_search")
        world.step(
            case, "start_job", employer_name=name, benefits_counselling_offered=True, placement_type="ordinary_job"
        )
    with app.test_request_context("/?lang=en"):
        item = next(i for i in fidelity(world.team.id, utcnow())["items"] if i["item"] == 20)
        assert str(item["figure"]).startswith("100%") and item["score"] == 1

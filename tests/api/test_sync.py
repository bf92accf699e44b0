"""The change feed, organisation service tokens and their scopes, the staff directory and /me
(sync and push). On PostgreSQL and SQLite."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.auth import hash_password
from ips_coord.clock import utcnow
from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, ChangeLog, IpsCase
from ips_coord.services import activities as act
from ips_coord.services import integrations
from tests.factories import bearer, login
from tests.factories import service_token as approved_service_token

pytestmark = pytest.mark.sqlite_too  # the change feed's counter is an upsert written per dialect

ALL_SCOPES = ["cases:read", "contacts:write", "changes:read", "webhooks:receive", "staff:read"]


def service_token(world, org, scopes=ALL_SCOPES, days=30):
    """Asked for by the admin and approved by the privacy officer: the whole token (both halves)."""
    return approved_service_token(world, org, scopes, days)


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def read_all(client, headers, since=0, limit=3, between=None):
    """Page through the feed; `between(n)` runs after page n (changes made while paging)."""
    seen, pages, cursor = [], 0, since
    while True:
        resp = client.get(f"/api/v1/changes?since={cursor}&limit={limit}", headers=headers)
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert len(body["items"]) <= limit
        seen += body["items"]
        assert body["next_cursor"] >= cursor
        cursor = body["next_cursor"]
        pages += 1
        if between:
            between(pages)
        if not body["has_more"]:
            return seen, cursor, pages


def log_contact(world, case_id, note="Samtale"):
    case = _db.session.get(IpsCase, case_id)
    _db.session.refresh(case)
    return act.log_contact(
        case, world.consultant, kind="contact", occurred_at=utcnow(), location="community", note=note
    )


def test_every_change_exactly_once_across_pages_including_changes_made_while_paging(client, world, clock):
    cases = [world.referral(first=f"F{i}") for i in range(3)]
    for case in cases:
        world.step(case, "enrol")
    headers = bearer(world.consultant)
    made = []

    def more_changes(page):
        if page <= 4:  # while the reader is in the middle of the feed
            made.append(log_contact(world, cases[page % 3].id, note=f"under paging {page}").id)

    seen, cursor, pages = read_all(client, headers, between=more_changes)
    cursors = [item["cursor"] for item in seen]
    assert cursors == sorted(cursors) and len(cursors) == len(set(cursors)), "in order, each once"
    everything = list(_db.session.scalars(select(ChangeLog.id).order_by(ChangeLog.id)))
    _db.session.commit()
    assert cursors == everything, "the consultant sees every change of the team's cases"
    contact_ids = {i["entity_id"] for i in seen if i["kind"] == "contact"}
    assert set(made) <= contact_ids, "changes made while paging come on a later page"
    assert pages > 3
    kinds = {i["kind"] for i in seen}
    assert {"case", "case_event", "contact", "follow_up"} <= kinds
    enrol = next(i for i in seen if i["kind"] == "case_event" and i["event"]["event"] == "enrol")
    assert enrol["case_reference"].startswith("IPS-") and enrol["part"] == "history"
    # Resuming from the stored cursor (a restart) gives nothing old, and then only what is new.
    again = client.get(f"/api/v1/changes?since={cursor}", headers=headers).get_json()
    assert again["items"] == [] and again["next_cursor"] == cursor and again["has_more"] is False
    log_contact(world, cases[0].id)
    new = client.get(f"/api/v1/changes?since={cursor}", headers=headers).get_json()["items"]
    assert new and all(i["cursor"] > cursor for i in new)
    assert "contact" in {i["kind"] for i in new}


def test_a_slow_writer_commits_its_position_before_a_later_one(app, world, clock):
    """Positions follow commit order: a reader never sees N+1 while N is still to come."""
    if _db.engine.dialect.name != "postgresql":
        return  # SQLite serialises writers anyway
    case_a, case_b = world.referral(first="A"), world.referral(first="B")
    start = _db.session.scalar(select(ChangeLog.id).order_by(ChangeLog.id.desc()).limit(1))
    _db.session.commit()
    holding, release = threading.Event(), threading.Event()

    def slow_writer():
        with app.app_context():
            _db.session.info["slow"] = True
            case = _db.session.get(IpsCase, case_a.id)
            act.log_contact(case, world.consultant, kind="contact", occurred_at=utcnow(), location="community")
            _db.session.info.pop("slow", None)

    # Hold the slow writer between taking its positions and its commit.
    from ips_coord.services import changes

    real = changes._next_positions

    def positions_then_wait(session, count):
        last = real(session, count)
        if session.info.get("slow"):
            holding.set()
            release.wait(10)
        return last

    changes._next_positions = positions_then_wait
    try:
        writer = threading.Thread(target=slow_writer)
        writer.start()
        assert holding.wait(10)
        fast = threading.Thread(target=lambda: _in_app(app, lambda: log_contact(world, case_b.id)))
        fast.start()
        fast.join(1.0)
        assert fast.is_alive(), "the second writer waits for the first one's commit"
        visible = list(_db.session.scalars(select(ChangeLog.id).where(ChangeLog.id > start)))
        _db.session.commit()
        assert visible == [], "nothing past the slow writer's positions is visible yet"
        release.set()
        writer.join(10)
        fast.join(10)
    finally:
        changes._next_positions = real
        release.set()
    rows = list(
        _db.session.execute(select(ChangeLog.id, ChangeLog.case_id).where(ChangeLog.id > start).order_by(ChangeLog.id))
    )
    _db.session.commit()
    first_b = min(r.id for r in rows if r.case_id == case_b.id)
    assert max(r.id for r in rows if r.case_id == case_a.id) < first_b


def _in_app(app, fn):
    with app.app_context():
        return fn()


def test_the_feed_shows_only_what_the_reader_may_read_and_logs_it(client, world, clock):
    case = world.referral()
    world.step(case, "enrol")
    act.record_consent(
        _db.session.get(IpsCase, case.id),
        world.clinician,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["symptoms"],
        purpose="Koordinering",
        given_at=utcnow().date(),
        expires_at=None,
    )
    act.share_health_info(_db.session.get(IpsCase, case.id), world.clinician, category="symptoms", text="Sover dårligt")
    log_contact(world, case.id)
    # The jobcenter without a consent: the case and its consents, never contact notes or history.
    seen, _cursor, _pages = read_all(client, bearer(world.caseworker), limit=50)
    assert seen and {i["kind"] for i in seen} <= {"case", "consent"}
    assert {i["part"] for i in seen} <= {"phase", "consents"}
    body = str(seen)
    assert "Samtale" not in body and "Sover" not in body
    # An outsider (another team) sees nothing of the case.
    assert read_all(client, bearer(world.outsider), limit=50)[0] == []
    # What was shown is in the access log, as reads of those parts by the caseworker.
    logged = set(
        _db.session.execute(
            select(AccessLog.case_id, AccessLog.part).where(
                AccessLog.user_id == world.caseworker.id,
                AccessLog.action == "read",
                AccessLog.view == "api_changes.Changes",
            )
        )
    )
    _db.session.commit()
    assert logged == {(case.id, i["part"]) for i in seen}


def test_the_feed_filters_by_kind_and_refuses_bad_cursors(client, world):
    case = world.referral()
    world.step(case, "enrol")
    headers = bearer(world.consultant)
    only = client.get("/api/v1/changes?kind=case_event", headers=headers).get_json()["items"]
    assert only and {i["kind"] for i in only} == {"case_event"}
    for bad in ("since=-1", "since=abc", "limit=0", "limit=100000", "kind=diagnosis"):
        resp = client.get(f"/api/v1/changes?{bad}", headers=headers)
        assert resp.status_code == 422, bad
        assert resp.get_json()["errors"]


def test_service_token_reads_its_organisations_cases_within_its_scopes(client, world, clock):
    case = world.referral()
    world.step(case, "enrol")
    other = world.referral(psychiatry_contact_id=None, jobcenter_caseworker_id=None)
    token, row = service_token(world, world.jobcenter, scopes=["cases:read", "changes:read"])
    headers = auth(token)
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["role"] == "integration" and me["organisation"]["id"] == world.jobcenter.id
    assert me["token"]["service"] is True and set(me["token"]["scopes"]) == {"cases:read", "changes:read"}
    listed = client.get("/api/v1/cases", headers=headers).get_json()["items"]
    assert [c["id"] for c in listed] == [case.id], "the cases of the jobcenter's caseworkers, not others"
    assert client.get(f"/api/v1/cases/{other.id}", headers=headers).status_code == 404
    feed = client.get("/api/v1/changes", headers=headers).get_json()["items"]
    assert feed and {i["case_id"] for i in feed} == {case.id}
    # Outside its scopes: refused (and the refusal is logged like any other).
    assert client.get("/api/v1/staff", headers=headers).status_code == 403
    resp = client.post(
        f"/api/v1/cases/{case.id}/contacts",
        headers=headers,
        json={"kind": "contact", "occurred_at": utcnow().isoformat(), "location": "community"},
    )
    assert resp.status_code == 403 and resp.get_json()["errors"]["_scope"] == ["contacts:write"]
    assert client.get("/api/v1/tokens", headers=headers).status_code == 403
    assert client.get("/", headers=headers).status_code == 403, "a service token opens no page"
    refused = _db.session.scalars(
        select(AccessLog).where(AccessLog.user_id == row.user_id, AccessLog.action == "refused")
    ).all()
    _db.session.commit()
    assert len(refused) >= 4
    # Revoked or expired: not accepted any more.
    integrations.revoke_service_token(row.id, world.admin)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    token2, _row2 = service_token(world, world.jobcenter, scopes=["cases:read"], days=1)
    clock.advance(days=2)
    assert client.get("/api/v1/me", headers=auth(token2)).status_code == 401


def test_an_ips_team_system_logs_contacts_with_contacts_write(client, world):
    case = world.referral()
    world.step(case, "enrol")
    token, row = service_token(world, world.team, scopes=["contacts:write", "cases:read"])
    resp = client.post(
        f"/api/v1/cases/{case.id}/contacts",
        headers=auth(token),
        json={
            "kind": "contact",
            "occurred_at": utcnow().isoformat(),
            "location": "community",
            "note": "Fra fagsystemet",
        },
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["staff_id"] == row.user_id, "the contact names the integration account"
    first = client.post(
        "/api/v1/admin/service-tokens",
        headers=bearer(world.admin),
        json={"organisation_id": world.other_team.id, "name": "B", "scopes": ["cases:read"]},
    ).get_json()
    second = client.post(
        f"/api/v1/service-token-approvals/{first['id']}",
        headers=bearer(world.privacy_officer),
        json={"decision": "approve"},
    ).get_json()["approver_half"]
    other_team = f"{first['token']}.{second}"
    assert client.get(f"/api/v1/cases/{case.id}", headers=auth(other_team)).status_code == 404


def test_service_tokens_cannot_log_in_or_be_made_by_non_admins(client, world):
    _token, row = service_token(world, world.psychiatry, scopes=["staff:read"])
    account = row.user
    account.email = "system@example.test"  # even if someone knew a password for it
    account.password_hash = hash_password("a-known-password")
    _db.session.commit()
    login(client, account, password="a-known-password")
    assert client.get("/api/v1/me").status_code == 401, "no password login for an integration account"
    for who in (world.consultant, world.coordinator, world.privacy_officer):
        resp = client.post(
            "/api/v1/admin/service-tokens",
            headers=bearer(who),
            json={"organisation_id": world.jobcenter.id, "name": "X", "scopes": ["cases:read"]},
        )
        assert resp.status_code == 403
    resp = client.post(
        "/api/v1/admin/service-tokens",
        headers=bearer(world.admin),
        json={
            "organisation_id": world.jobcenter.id,
            "name": "Jobcenter-system",
            "scopes": ["cases:read", "changes:read"],
            "days": 90,
        },
    )
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["token"].startswith("ipc_") and body["organisation_id"] == world.jobcenter.id
    assert body["state"] == "pending" and body["created_by_id"] == world.admin.id and body["approved_by_id"] is None
    assert (
        abs(
            (utcnow() + timedelta(days=90)).timestamp()
            - __import__("datetime").datetime.fromisoformat(body["expires_at"]).timestamp()
        )
        < 5
    )
    listed = client.get("/api/v1/admin/service-tokens", headers=bearer(world.admin)).get_json()["items"]
    assert {t["id"] for t in listed} == {row.id, body["id"]} and all("token" not in t for t in listed)
    revoked = client.delete(f"/api/v1/admin/service-tokens/{body['id']}", headers=bearer(world.admin))
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert client.get("/api/v1/me", headers=auth(body["token"])).status_code == 401
    for bad in (
        {"organisation_id": world.jobcenter.id, "name": "X", "scopes": ["cases:delete"]},
        {"organisation_id": world.jobcenter.id, "name": "X", "scopes": []},
        {"organisation_id": world.jobcenter.id, "name": "X", "scopes": ["cases:read"], "days": 5000},
    ):
        assert client.post("/api/v1/admin/service-tokens", headers=bearer(world.admin), json=bad).status_code == 422


def test_staff_directory_names_roles_and_organisations_only(client, world):
    token, _row = service_token(world, world.team, scopes=["staff:read"])
    resp = client.get("/api/v1/staff?role=psychiatry", headers=auth(token))
    assert resp.status_code == 200
    items = resp.get_json()["items"]
    assert {i["id"] for i in items} == {world.clinician.id, world.other_clinician.id}
    assert all(set(i) == {"id", "name", "role", "organisation"} for i in items), "no e-mail, no cases"
    assert items[0]["organisation"]["kind"] == "psychiatry"
    everyone = client.get("/api/v1/staff?page_size=200", headers=bearer(world.consultant)).get_json()
    assert "integration" not in {i["role"] for i in everyone["items"]}, "system accounts are not staff"
    assert client.get("/api/v1/staff?role=integration", headers=bearer(world.consultant)).status_code == 422
    me = client.get("/api/v1/me", headers=bearer(world.consultant)).get_json()
    assert me["email"] == world.consultant.email and me["token"]["service"] is False
    assert me["token"]["scopes"] is None


def test_every_kind_of_change_has_its_part_its_model_and_its_words():
    from ips_coord import labels
    from ips_coord.access.feed import CHANGE_PARTS
    from ips_coord.services.changes import TRACKED
    from ips_coord.workflows.phases import ChangeKind, ServiceScope, WebhookStatus

    kinds = {k.value for k in ChangeKind}
    assert set(CHANGE_PARTS) == kinds and set(TRACKED.values()) == kinds
    assert set(labels.CHANGE_KINDS) == kinds
    assert set(labels.SERVICE_SCOPES) == {s.value for s in ServiceScope}
    assert set(labels.WEBHOOK_STATUSES) == {s.value for s in WebhookStatus}

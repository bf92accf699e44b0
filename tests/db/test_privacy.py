"""No health data in URLs, logs or emails; jobcenter never sees psychiatry's information;
every read is in the access log; history is append-only; the citizen export is whole."""

from __future__ import annotations

import email
import email.policy
import json
import logging

import pytest
from sqlalchemy import select, text, update

from ips_coord.demo import SENSITIVE_TEXTS, seed_demo
from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, CaseEvent, IpsCase, SharedHealthInfo, User
from ips_coord.notifications.delivery import deliver
from ips_coord.notifications.sweep import claim_due_notifications
from tests.conftest import IsolatedClient
from tests.factories import bearer, login


def readable(raw: bytes) -> str:
    """Everything a reader of the email sees: decoded headers and bodies, and the raw bytes."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [str(v) for v in msg.values()]
    parts += [p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"]
    return "\n".join(parts) + raw.decode("utf-8", "replace")


@pytest.fixture
def demo(db, app):
    seed_demo(seed=3, citizens=18)
    app.test_client_class = IsolatedClient
    return app


def _user(email_prefix):
    return _db.session.scalar(select(User).where(User.email.like(f"{email_prefix}%")))


def test_jobcenter_never_sees_psychiatry_information(demo, db):
    caseworker = _user("sagsbehandler1@")
    client = demo.test_client()
    login(client, caseworker, "Demo-ips-2026")
    h = bearer(caseworker)
    case_ids = db.session.scalars(select(IpsCase.id).where(IpsCase.jobcenter_caseworker_id == caseworker.id)).all()
    assert case_ids
    psychiatry_texts = [t for t in SENSITIVE_TEXTS if t.startswith("Demo:")]
    for cid in case_ids:
        page = client.get(f"/cases/{cid}").get_data(as_text=True)
        assert client.get(f"/cases/{cid}").status_code == 200
        assert not any(t in page for t in psychiatry_texts)
        for url in (
            f"/api/v1/cases/{cid}",
            f"/api/v1/cases/{cid}/placements",
            f"/api/v1/cases/{cid}/events",
            f"/api/v1/cases/{cid}/consents",
        ):
            body = client.get(url, headers=h).get_data(as_text=True)
            assert not any(t in body for t in psychiatry_texts), url
        assert client.get(f"/api/v1/cases/{cid}/shared-health-info", headers=h).status_code == 403
    # ...while the consultant, under the demo's consent, does see it.
    with_info = _db.session.scalar(
        select(SharedHealthInfo.case_id).where(SharedHealthInfo.case_id.in_(case_ids)).limit(1)
    )
    consultant = _db.session.get(User, _db.session.get(IpsCase, with_info).consultant_id)
    shared = client.get(f"/api/v1/cases/{with_info}/shared-health-info", headers=bearer(consultant))
    assert shared.status_code == 200 and shared.json["total"] >= 1


def test_no_health_data_in_logs_urls_or_emails(demo, db, caplog, tmp_path, monkeypatch):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setattr(demo, "instance_path", str(tmp_path))
    consultant = _user("konsulent1@")
    client = demo.test_client()
    login(client, consultant, "Demo-ips-2026")
    h = bearer(consultant)
    urls = []
    for case in db.session.scalars(select(IpsCase).where(IpsCase.consultant_id == consultant.id)):
        for url in (
            f"/cases/{case.id}",
            f"/api/v1/cases/{case.id}/shared-health-info",
            f"/api/v1/cases/{case.id}/contacts",
        ):
            r = client.get(url, headers=h if url.startswith("/api") else None)
            urls.append(r.request.url)
        if case.phase == "employed":
            r = client.post(
                f"/api/v1/cases/{case.id}/transitions",
                headers=h,
                json={"event": "end_job", "version": case.version, "end_reason": "health"},
            )
            assert r.status_code == 200
    # Deliver everything due (into the local mailbox) and read it back.
    for nid in claim_due_notifications(demo.extensions["ips_clock"].now(), 1000):
        deliver(nid)
    mails = [readable(p.read_bytes()) for p in (tmp_path / "mailbox").glob("*.eml")]
    assert mails, "no email was sent, nothing was checked"
    logged = caplog.text
    for secret in SENSITIVE_TEXTS:
        assert secret not in logged
        assert not any(secret in m for m in mails)
        assert not any(secret in u for u in urls)
    # The ending reason given ("health") is itself health data: it is not in the emails either.
    footer = "this email holds no health information"
    assert not any("health" in m.lower().replace(footer, "") for m in mails)


def test_every_read_is_in_the_access_log(client, world):
    case = world.case_in("engagement")
    h = bearer(world.consultant)
    request_ids = []
    for url in (
        f"/api/v1/cases/{case.id}",
        f"/api/v1/cases/{case.id}/events",
        f"/api/v1/cases/{case.id}/consents",
        f"/api/v1/cases/{case.id}/allowed-events",
    ):
        r = client.get(url, headers=h)
        assert r.status_code == 200
        request_ids.append(r.headers["X-Request-ID"])
    r = client.get("/api/v1/cases", headers=h)
    request_ids.append(r.headers["X-Request-ID"])
    logged = dict(
        _db.session.execute(
            select(AccessLog.request_id, AccessLog.part).where(
                AccessLog.case_id == case.id, AccessLog.user_id == world.consultant.id
            )
        ).all()
    )
    assert set(request_ids) <= set(logged)
    assert logged[request_ids[1]] == "history" and logged[request_ids[-1]] == "case_list"
    # The coordinator's "who has seen this" page lists them.
    login(client, world.coordinator)
    page = client.get(f"/cases/{case.id}/access-log").get_data(as_text=True)
    assert "Kim Konsulent" in page and "Historik" in page and ">history<" not in page  # words, not codes


def test_history_and_access_log_are_append_only(db, world):
    from ips_coord.access.audit import audit

    case = world.case_in("engagement")
    audit(world.consultant, case.id, "read", "history")
    event = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id).limit(1))
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(PermissionError):
        db.session.execute(update(AccessLog).values(part="x"))
    db.session.rollback()
    # The database refuses too, whatever the code path.
    for statement in ("UPDATE case_event SET reason = 'x'", "DELETE FROM case_event", "DELETE FROM access_log"):
        with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
            conn.execute(text(statement))


def test_citizen_export_api_and_cli(client, app, world):
    case = world.case_in("employed")
    client.get(f"/api/v1/cases/{case.id}", headers=bearer(world.consultant))
    r = client.get(f"/api/v1/citizens/{case.citizen_id}/export", headers=bearer(world.coordinator))
    assert r.status_code == 200
    data = r.json
    assert data["citizen"]["first_name"] == "Test"
    [exported] = data["cases"]
    assert exported["reference"] == case.reference
    assert [e["event"] for e in exported["events"]][:2] == ["referred", "enrol"]
    assert exported["placements"] and exported["follow_ups"] and exported["access_log"]
    # Any related role exports what it may read; the outsider's citizen does not exist.
    mine = client.get(f"/api/v1/citizens/{case.citizen_id}/export", headers=bearer(world.consultant))
    assert mine.status_code == 200 and "access_log" not in mine.json["cases"][0]
    assert client.get(f"/api/v1/citizens/{case.citizen_id}/export", headers=bearer(world.outsider)).status_code == 404
    assert app.test_cli_runner().invoke(args=["export", str(case.citizen_id)]).exit_code != 0  # no reason
    out = app.test_cli_runner().invoke(args=["export", str(case.citizen_id), "--reason", "Indsigt efter brev"])
    assert out.exit_code == 0
    assert json.loads(out.output)["cases"][0]["reference"] == case.reference
    assert _db.session.scalar(select(AccessLog.reason).where(AccessLog.view == "cli").limit(1)) == "Indsigt efter brev"
    assert app.test_cli_runner().invoke(args=["export", "999999", "--reason", "Indsigt efter brev"]).exit_code != 0

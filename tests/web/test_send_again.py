""" "Send again" on the coordinator's notifications page: a failed e-mail is queued again as
the same row (so the same Message-ID); one already sent, or on its way, is refused."""

from __future__ import annotations

from sqlalchemy import select

from ips_coord.models import AccessLog, Notification
from tests.factories import login


def _row(db, world, clock, status, key):
    case = world.referral()
    row = Notification(
        recipient_id=world.clinician.id,
        case_id=case.id,
        kind="job_ended",
        status=status,
        attempts=6,
        next_attempt_at=clock.now(),
        idempotency_key=key,
        last_error="ConnectionRefusedError: [Errno 111]",
        data={"reference": case.reference},
        created_at=clock.now(),
    )
    db.session.add(row)
    db.session.commit()
    return row


def test_a_failed_email_is_queued_again_as_the_same_row(client, world, db, clock):
    row = _row(db, world, clock, "failed", "job_ended:1")
    login(client, world.coordinator)
    page = client.get("/coordinator/notifications").get_data(as_text=True)
    assert "Send igen" in page and row.data["reference"] in page
    r = client.post(f"/coordinator/notifications/{row.id}/retry")
    assert r.status_code == 302
    assert "E-mailen bliver sendt igen." in client.get("/coordinator/notifications").get_data(as_text=True)
    db.session.refresh(row)
    assert (row.status, row.attempts, row.idempotency_key, row.next_attempt_at) == (
        "pending",
        0,
        "job_ended:1",
        clock.now(),
    )
    assert (
        db.session.scalar(
            select(AccessLog.action).where(AccessLog.case_id == row.case_id, AccessLog.part == "notification")
        )
        == "write"
    )


def test_sent_or_on_its_way_is_refused_and_left_alone(client, world, db, clock):
    sent = _row(db, world, clock, "sent", "job_ended:2")
    queued = _row(db, world, clock, "queued", "job_ended:3")
    login(client, world.coordinator)
    r = client.post(f"/coordinator/notifications/{sent.id}/retry")
    assert r.status_code == 409
    assert "Denne e-mail er allerede leveret, så den bliver ikke sendt igen." in r.get_data(as_text=True)
    r = client.post(f"/coordinator/notifications/{queued.id}/retry")
    assert r.status_code == 409 and "allerede på vej" in r.get_data(as_text=True)
    db.session.refresh(sent)
    db.session.refresh(queued)
    assert (sent.status, sent.attempts, queued.status) == ("sent", 6, "queued")
    assert set(db.session.scalars(select(AccessLog.action).where(AccessLog.part == "notification"))) == {"refused"}


def test_another_teams_email_is_not_found(client, world, db, clock):
    row = Notification(
        recipient_id=world.outsider.id,
        case_id=None,
        kind="daily_digest",
        status="failed",
        next_attempt_at=clock.now(),
        idempotency_key="digest:x",
        data={},
        created_at=clock.now(),
    )
    db.session.add(row)
    db.session.commit()
    login(client, world.coordinator)
    assert client.post(f"/coordinator/notifications/{row.id}/retry").status_code == 404
    db.session.refresh(row)
    assert row.status == "failed"

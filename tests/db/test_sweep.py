"""The sweep's steps on both databases, in-process (the worker tests run them in Celery)."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

from sqlalchemy import func, select

from ips_coord.models import CaseEvent, FollowUp, Notification
from ips_coord.notifications.delivery import deliver
from ips_coord.notifications.sweep import (
    claim_due_notifications,
    create_digests,
    escalate_due,
    requeue_stale,
    run_sweep,
)
from ips_coord.workflows.phases import FollowUpStatus


def count(db, *where):
    return db.session.scalar(select(func.count(Notification.id)).where(*where))


def test_claims_each_due_row_once(db, world, clock):
    case = world.case_in("job_search")
    world.consent_employment_to_psychiatry(case)
    world.step(db.session.merge(case), "start_job", employer_name="Bageriet", benefits_counselling_offered=True)
    due = count(db, Notification.status == "pending")
    assert due >= 2
    first = run_sweep(clock.now())
    assert len(first) == due and run_sweep(clock.now()) == []
    assert count(db, Notification.status == "queued") == due


def test_escalation_once_with_case_event(db, world, clock):
    case = world.case_in("engagement")
    clock.advance(days=14, minutes=1)
    assert escalate_due(clock.now(), 100) == 1  # the joint start meeting
    assert escalate_due(clock.now(), 100) == 0
    events = db.session.scalars(
        select(CaseEvent.reason).where(CaseEvent.case_id == case.id, CaseEvent.event == "escalated")
    ).all()
    assert events == ["joint_start_meeting"]
    rows = db.session.execute(
        select(Notification.kind, Notification.recipient_id).where(Notification.kind == "escalation")
    ).all()
    assert rows == [("escalation", world.coordinator.id)]
    clock.advance(days=16)
    assert escalate_due(clock.now(), 100) == 1  # the first employer contact at day 30


def test_digest_once_a_day_after_the_hour(db, world, clock):
    world.case_in("employed")
    clock.set(clock.now().replace(hour=4) + timedelta(days=3))
    assert create_digests(clock.now()) == 0  # before the digest hour
    clock.set(clock.now().replace(hour=6))
    assert create_digests(clock.now()) == 1
    assert create_digests(clock.now()) == 0
    digest = db.session.scalar(select(Notification).where(Notification.kind == "daily_digest"))
    assert digest.recipient_id == world.consultant.id
    assert [i["kind"] for i in digest.data["items"]] == ["job_start_contact"]
    clock.advance(days=1)
    assert create_digests(clock.now()) == 1


def test_the_dev_servers_digest_hour_sends_at_the_first_sweep_of_the_day(app, db, world, clock):
    """`make run` sets DIGEST_HOUR_UTC=0: a sweep at any hour after start builds the day's digest."""
    from ips_coord.devserver import dev_settings

    world.case_in("employed")
    clock.set(clock.now().replace(hour=0, minute=30) + timedelta(days=3))
    app.config["DIGEST_HOUR_UTC"] = int(dev_settings("127.0.0.1", 5000)["DIGEST_HOUR_UTC"])
    try:
        assert create_digests(clock.now()) == 1
        assert create_digests(clock.now()) == 0  # once a day
    finally:
        app.config["DIGEST_HOUR_UTC"] = 5


def test_no_contact_flag(db, world, clock):
    case = world.case_in("job_search")
    clock.advance(days=31)
    run_sweep(clock.now())
    run_sweep(clock.now())
    kinds = db.session.scalars(
        select(FollowUp.kind).where(FollowUp.case_id == case.id, FollowUp.status == FollowUpStatus.OPEN)
    ).all()
    assert kinds.count("no_contact") == 1
    assert db.session.scalar(select(func.count()).where(CaseEvent.reason == "no_contact_30_days")) == 1


def test_stale_claims(db, world, clock, app):
    """A claim is a lease: once it has run out the row is pending again, whatever its state."""
    case = world.referral()
    now = clock.now()
    for i, status in enumerate(("queued", "sending", "sent")):
        db.session.add(
            Notification(
                recipient_id=world.consultant.id,
                case_id=case.id,
                kind="case_enrolled",
                status=status,
                claimed_at=now,
                claim_token=f"t{i}",
                next_attempt_at=now,
                idempotency_key=f"s{i}",
                data={},
                created_at=now,
            )
        )
    db.session.commit()
    assert requeue_stale(now) == 0
    clock.advance(seconds=app.config["CLAIM_TIMEOUT_SECONDS"] + 1)
    assert requeue_stale(clock.now()) == 2
    rows = {n.idempotency_key: (n.status, n.claim_token) for n in db.session.scalars(select(Notification))}
    assert rows == {"s0": ("pending", None), "s1": ("pending", None), "s2": ("sent", "t2")}


def test_a_lost_claim_writes_nothing(db, world, clock, app, tmp_path, monkeypatch):
    """A worker whose lease ran out and was taken over cannot record its result, sent or failed."""
    from ips_coord.notifications import delivery

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    case = world.referral()
    db.session.add(
        Notification(
            recipient_id=world.consultant.id,
            case_id=case.id,
            kind="case_enrolled",
            next_attempt_at=clock.now(),
            idempotency_key="k",
            data={},
            created_at=clock.now(),
        )
    )
    db.session.commit()
    [nid] = claim_due_notifications(clock.now(), 10)
    assert delivery._claim(nid, "first") is not None
    clock.advance(seconds=app.config["CLAIM_TIMEOUT_SECONDS"] + 1)
    assert requeue_stale(clock.now()) == 1
    claim_due_notifications(clock.now(), 10)
    assert delivery._claim(nid, "second") is not None
    assert not delivery._record(nid, "first", status="sent")
    assert not delivery._record(nid, "first", status="pending")
    row = db.session.get(Notification, nid)
    db.session.refresh(row)
    assert (row.status, row.claim_token) == ("sending", "second")
    assert delivery._record(nid, "second", status="sent")


def test_deliver_to_the_local_mailbox_once(db, world, clock, app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    case = world.referral()
    db.session.add(
        Notification(
            recipient_id=world.clinician.id,
            case_id=case.id,
            kind="job_ended",
            requires_ack=True,
            next_attempt_at=clock.now(),
            idempotency_key="k1",
            data={"reference": case.reference},
            created_at=clock.now(),
        )
    )
    db.session.commit()
    [nid] = claim_due_notifications(clock.now(), 10)
    assert deliver(nid) == "sent"
    assert deliver(nid) == "skipped"
    files = list((tmp_path / "mailbox").glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    body = msg.get_body(("plain",)).get_content()
    subject = str(msg["Subject"])  # the clinician reads English
    assert f"Job ended for {case.reference} – please acknowledge" == subject and "/ack#" in body
    assert "/ack#" in msg.get_body(("html",)).get_content()


def test_each_row_of_a_chunk_ends_in_its_own_state(db, world, clock, app, tmp_path, monkeypatch):
    """deliver_many records each row as it goes; a row already taken is skipped."""
    from ips_coord.notifications.delivery import deliver_many

    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    case = world.referral()
    world.caseworker.active = False
    for key, who in (("a", world.consultant), ("b", world.clinician), ("c", world.caseworker)):
        db.session.add(
            Notification(
                recipient_id=who.id,
                case_id=case.id,
                kind="case_enrolled",
                next_attempt_at=clock.now(),
                idempotency_key=key,
                data={"reference": case.reference},
                created_at=clock.now(),
            )
        )
    db.session.commit()
    ids = claim_due_notifications(clock.now(), 10)
    assert sorted(deliver_many(ids + ids[:1])) == ["failed", "sent", "sent", "skipped"]
    db.session.expire_all()
    rows = {n.idempotency_key: n for n in db.session.scalars(select(Notification))}
    assert {k: n.status for k, n in rows.items()} == {"a": "sent", "b": "sent", "c": "failed"}
    assert rows["a"].sent_at is not None and rows["c"].sent_at is None
    assert len(list((tmp_path / "mailbox").glob("*.eml"))) == 2

"""The e-mails that carry a secret go through the outbox (the citizen's sign-in code
and invitation; the forgotten-password link): a due row written with the secret's
hash, delivered by the worker at least once, the secret sealed while it waits and gone once
the row is sent, and never in a log line."""

from __future__ import annotations

import logging

from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import Notification
from ips_coord.notifications.delivery import Outcome, deliver_many
from ips_coord.notifications.sweep import claim_due_notifications
from ips_coord.services import citizen_access
from ips_coord.workflows.phases import NotificationKind, NotificationStatus
from tests.web.test_citizen_view import citizen_case, mailbox_body


def test_a_sign_in_code_waits_sealed_in_the_outbox_and_is_scrubbed_once_sent(app, world, db, clock, caplog):
    citizen_case(world, email_addr="sealed@borger.example", consents=False)
    caplog.set_level(logging.DEBUG)
    assert citizen_access.request_code("Sealed@Borger.example") is True
    row = db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.CITIZEN_CODE))
    assert row.recipient_id is None and row.to_address == "sealed@borger.example"
    assert row.status == NotificationStatus.PENDING and row.next_attempt_at <= clock.now()
    sealed = row.data["sealed"]
    body = mailbox_body(app, "sealed@borger.example")  # the worker's delivery, in-process
    code = body.split("Din kode er ")[1][:6]
    assert code.isdigit() and code not in sealed  # it waited encrypted
    db.session.expire_all()
    row = db.session.get(Notification, row.id)
    assert row.status == NotificationStatus.SENT and "sealed" not in row.data  # and is gone once sent
    assert code not in caplog.text and "sealed@borger.example" not in caplog.text
    assert citizen_access.verify_code("sealed@borger.example", code) is not None


def test_an_unknown_address_queues_nothing(db, world):
    assert citizen_access.request_code("nobody@borger.example") is False
    assert db.session.scalar(select(Notification.id)) is None


def test_a_code_that_expired_before_delivery_is_not_sent(app, world, db, clock):
    citizen_case(world, email_addr="late@borger.example", consents=False)
    citizen_access.request_code("late@borger.example")
    clock.advance(minutes=16)  # the worker was down longer than the code lives
    with app.app_context():
        assert deliver_many(claim_due_notifications(clock.now(), 10)) == [Outcome.FAILED]
    # The code's row (the enrolment's notifications without consent are kept as withheld rows).
    row = _db.session.scalar(select(Notification).where(Notification.kind == NotificationKind.CITIZEN_CODE))
    assert row.status == NotificationStatus.FAILED and "expired" in row.last_error and "sealed" not in row.data

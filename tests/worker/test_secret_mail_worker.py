"""The e-mails someone waits for (a citizen's sign-in code, a staff password link) are outbox
rows that a real Celery worker delivers over SMTP as soon as the page has committed them: the
page wakes the worker through the broker; no beat runs here, so nothing waits for a sweep."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ips_coord.extensions import db
from ips_coord.models import Citizen, Notification
from tests.conftest import IsolatedClient
from tests.factories import World
from tests.worker.conftest import wait_until

pytestmark = pytest.mark.slow  # a real worker, Redis and an SMTP server


def test_a_sign_in_code_and_a_password_link_are_delivered_by_the_worker_at_once(stack):
    world = World.build()
    case = world.step(world.referral(first="Vilma", last="Engholm"), "enrol")
    db.session.get(Citizen, case.citizen_id).email = "vilma@borger.example"
    db.session.commit()
    stack.procs.worker(pool="solo")  # and no beat: only the page's wake-up can start the delivery
    stack.app.config["DELIVERY_WAKE"] = True
    stack.app.test_client_class = IsolatedClient
    client = stack.app.test_client()

    assert client.post("/citizen/login", data={"email": "vilma@borger.example"}).status_code == 302
    [mail] = wait_until(lambda: stack.sink.to("vilma@borger.example"), 60, what="the sign-in code at the SMTP server")
    code = re.search(r"\b(\d{6})\b", mail.text).group(1)
    signed_in = client.post("/citizen/login/code", data={"code": code})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/citizen")

    assert client.post("/password/forgot", data={"email": world.consultant.email}).status_code == 302
    [link] = wait_until(lambda: stack.sink.to(world.consultant.email), 60, what="the password link")
    assert "http://testserver/password/reset#" in link.text

    def both_recorded_sent():  # the SMTP server has the mail a moment before the worker records it
        db.session.expire_all()
        found = db.session.scalars(
            select(Notification).where(Notification.kind.in_(["citizen_code", "password_reset"]))
        ).all()
        return found if sorted(r.status for r in found) == ["sent", "sent"] else None

    rows = wait_until(both_recorded_sent, 30, what="both rows recorded sent")
    assert all("sealed" not in r.data for r in rows)  # nothing secret left behind
    log = stack.procs.logs()
    assert code not in log and link.text.split("#")[1].split()[0] not in log

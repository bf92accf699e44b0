"""The reminder and job-ending scenario with a real worker and beat, real Redis, PostgreSQL
and an SMTP server on loopback; time moves through the shared clock file."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.extensions import db
from ips_coord.models import CaseEvent, FollowUp, IpsCase, Notification, SharedHealthInfo
from ips_coord.services import Conflict
from ips_coord.services import activities as act
from ips_coord.workflows.phases import ContactKind, NotificationKind
from tests.conftest import T0, IsolatedClient
from tests.factories import World
from tests.worker.conftest import wait_until

# Real worker and beat processes on PostgreSQL, time moved through the clock file.
pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

SENSITIVE = ["Paranoid-angst-XYZ", "Hemmelig-note-ABC"]


def _employed_case(world, first):
    case = world.referral(first=first, last="Kildemose")
    world.consent_employment_to_psychiatry(case)
    case = world.step(db.session.merge(case), "enrol")
    case = world.step(case, "start_search")
    # Health data and notes exist on the case; none of it may reach an email.
    db.session.add(
        SharedHealthInfo(
            case_id=case.id, category="symptoms", text=SENSITIVE[0], author_id=world.clinician.id, created_at=T0
        )
    )
    db.session.commit()
    act.log_contact(
        case, world.consultant, kind=ContactKind.CONTACT, occurred_at=T0, location="office", note=SENSITIVE[1]
    )
    return world.step(db.session.merge(case), "start_job", employer_name="Bageriet", benefits_counselling_offered=True)


def _step_now(world, case, event, **payload):
    """A step taken while the running beat's sweep may write the same case (a 30-day flag after
    the clock jumped): like a user told of the conflict, reload and take it again."""
    for _attempt in range(5):
        db.session.expire_all()
        try:
            return world.step(db.session.get(IpsCase, case.id), event, **payload)
        except Conflict:
            continue
    raise AssertionError(f"{event} kept conflicting")


def _ack_token(message):
    """The token of the acknowledge link: after "#", where the page's script reads it."""
    return re.search(r"http://testserver/ack#([\w.\-]+)", message.text).group(1)


def test_reminders_job_ending_escalation_and_acknowledgement(stack):
    clock, sink = stack.clock, stack.sink
    world = World.build()
    a = _employed_case(world, "Alma")
    b = _employed_case(world, "Bo")
    stack.procs.worker()
    stack.procs.beat()

    # Job starts: psychiatry (under consent) and the jobcenter are told.
    wait_until(
        lambda: len([m for m in sink.to(world.clinician.email) if "Job start" in m.subject]) == 2,
        60,
        what="job start emails to psychiatry",
    )
    wait_until(
        lambda: len([m for m in sink.to(world.caseworker.email) if "Jobstart" in m.subject]) == 2,
        60,
        what="job start emails to the jobcenter",
    )

    def digest_on(day, contains):
        clock.set(T0.replace(hour=6) + timedelta(days=day))
        date = (T0 + timedelta(days=day)).strftime("%d.%m.%Y")  # Danish date in the e-mail
        return wait_until(
            lambda: [
                m
                for m in sink.to(world.consultant.email)
                if "opfølgninger" in m.subject and date in m.text and contains in m.text
            ],
            60,
            what=f"digest on day {day} with {contains}",
        )[0]

    # 3-day contact after the job start, in the consultant's Danish daily digest.
    d3 = digest_on(3, "Kontakt efter jobstart")
    assert a.reference in d3.text and b.reference in d3.text
    for case in (a, b):
        act.log_contact(case, world.consultant, kind=ContactKind.CONTACT, occurred_at=clock.now(), location="community")
    d7 = digest_on(7, "Ugentlig kontakt")
    assert "Kontakt efter jobstart" not in d7.text

    # Day 40 (a Saturday): B's job ends, early.
    clock.set(T0 + timedelta(days=40, hours=1))
    b = _step_now(world, b, "end_job", end_reason="dismissed")
    ending = wait_until(
        lambda: [m for m in sink.to(world.clinician.email) if "Job ended" in m.subject],
        60,
        what="job-ending email to psychiatry",
    )[0]
    assert b.reference in ending.subject and "/ack#" in ending.text
    wait_until(
        lambda: [m for m in sink.to(world.coordinator.email) if "Tidligt jobophør" in m.subject],
        60,
        what="early-ending email to the coordinator",
    )
    wait_until(
        lambda: [m for m in sink.to(world.caseworker.email) if "Jobophør" in m.subject],
        60,
        what="job-ending email to the jobcenter",
    )

    # Nobody acknowledges. Monday: still within 2 working days; Tuesday after 10:00: escalation.
    clock.set(T0 + timedelta(days=42, hours=2))
    clock.set(T0 + timedelta(days=43, hours=1, minutes=5))
    wait_until(
        lambda: [
            m
            for m in sink.to(world.coordinator.email)
            if "Eskalering" in m.subject and b.reference in m.subject and "Kvittering for jobophør" in m.text
        ],
        60,
        what="coordinator alert",
    )
    reminder = wait_until(
        lambda: [m for m in sink.to(world.clinician.email) if "Reminder" in m.subject],
        60,
        what="reminder to psychiatry",
    )[0]
    escalations = db.session.scalars(
        select(CaseEvent.reason).where(CaseEvent.case_id == b.id, CaseEvent.event == "escalated")
    ).all()
    assert "psychiatry_ack" in escalations

    # Acknowledging through the reminder's link: no login, one button, recorded once.
    stack.app.test_client_class = IsolatedClient
    client = stack.app.test_client()
    token = _ack_token(reminder)
    page = client.post("/ack", data={"token": token, "step": "show"})  # what the page's script sends
    assert page.status_code == 200 and (b"Acknowledge" in page.data or b"Kvitt" in page.data)
    done = client.post("/ack", data={"token": token, "step": "ack"})
    assert done.status_code == 200
    db.session.expire_all()
    original = db.session.get(
        Notification,
        db.session.scalar(
            select(Notification.id).where(
                Notification.case_id == b.id,
                Notification.kind == NotificationKind.JOB_ENDED,
                Notification.recipient_id == world.clinician.id,
            )
        ),
    )
    assert original.acknowledged_at == clock.now() and original.acknowledged_by_id == world.clinician.id
    assert (
        db.session.scalar(
            select(CaseEvent.actor_id).where(CaseEvent.case_id == b.id, CaseEvent.event == "acknowledged")
        )
        == world.clinician.id
    )
    again = client.post("/ack", data={"token": token, "step": "ack"}).data
    assert b"already" in again or b"allerede" in again

    # A second ending, acknowledged in time through the first email's link: no escalation.
    a = db.session.merge(a)
    clock.set(T0 + timedelta(days=44, hours=1))
    a_before = a
    a = _step_now(world, a, "end_job", end_reason="quit_with_plan")
    mail = wait_until(
        lambda: [
            m for m in sink.to(world.clinician.email) if "Job ended" in m.subject and a_before.reference in m.subject
        ],
        60,
        what="second job-ending email",
    )[0]
    assert client.post("/ack", data={"token": _ack_token(mail), "step": "ack"}).status_code == 200
    clock.set(T0 + timedelta(days=51, hours=3))  # past 2 working days and the 7-day review
    wait_until(
        lambda: db.session.scalar(
            select(FollowUp.id).where(
                FollowUp.case_id == a.id, FollowUp.kind == "job_ending_review", FollowUp.escalated_at.is_not(None)
            )
        ),
        60,
        what="the review escalation (the sweep ran)",
    )
    db.session.expire_all()
    ack_escalations = db.session.scalars(
        select(CaseEvent.reason).where(CaseEvent.case_id == a.id, CaseEvent.event == "escalated")
    ).all()
    assert "psychiatry_ack" not in ack_escalations and "job_ending_review" in ack_escalations

    # Nothing in any email is health data or a note.
    for message in sink.messages:
        for secret in SENSITIVE:
            assert not any(secret in part for part in (message.raw, message.text, message.html, message.subject))
    # And every message was sent once.
    ids = sink.message_ids()
    assert len(ids) == len(set(ids))


def test_monthly_follow_along_reminder(stack):
    clock, sink = stack.clock, stack.sink
    world = World.build()
    case = _employed_case(world, "Carl")
    for day in (3, 7, 14, 21, 28):
        clock.set(T0 + timedelta(days=day))
        act.log_contact(
            db.session.merge(case),
            world.consultant,
            kind=ContactKind.CONTACT,
            occurred_at=clock.now(),
            location="community",
        )
    stack.procs.worker()
    stack.procs.beat()
    clock.set(T0.replace(hour=6) + timedelta(days=58))
    digest = wait_until(
        lambda: [m for m in sink.to(world.consultant.email) if "Månedlig kontakt" in m.text],
        60,
        what="monthly contact reminder",
    )[0]
    assert case.reference in digest.text and "Ugentlig kontakt" not in digest.text

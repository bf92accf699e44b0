"""Referrals with the real parts: a Celery worker and beat, PostgreSQL, Redis and an SMTP sink.
Enrolment with the citizen's consent sends psychiatry its start e-mail; a psychiatry referral
waits in the coordinator's queue, is assigned, the referrer is told who took it, and a missed
first contact reaches the coordinator."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.extensions import db
from ips_coord.models import IpsCase, Notification
from ips_coord.reports.referrals import unassigned_cases
from ips_coord.services import activities as act
from ips_coord.services.referrals import assign_case
from tests.conftest import T0
from tests.factories import World
from tests.worker.conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]


def test_enrolment_with_consent_sends_psychiatry_the_start_email(stack):
    sink = stack.sink
    world = World.build()
    with_consent = world.referral(first="Asta", last="Samtykke")
    world.step(with_consent, "enrol", consent_psychiatry=True, consent_jobcenter=True)
    without = world.referral(first="Bent", last="Ingensamtykke")
    world.step(without, "enrol")
    stack.procs.worker()
    stack.procs.beat()
    start = wait_until(
        lambda: [m for m in sink.to(world.clinician.email) if "New IPS case" in m.subject],
        60,
        what="the joint start meeting e-mail to psychiatry",
    )
    assert len(start) == 1 and with_consent.reference in start[0].subject
    assert "joint start meeting" in start[0].text and with_consent.reference in start[0].text
    assert "Asta" not in start[0].raw and "Samtykke" not in start[0].raw  # no name in the e-mail
    # Without the consent nothing goes to psychiatry, and the row says why (the case page shows it).
    db.session.expire_all()
    withheld = db.session.scalars(select(Notification).where(Notification.case_id == without.id)).all()
    assert [(n.kind, n.status) for n in withheld] == [("case_enrolled", "withheld")]
    # Recording the consent later releases it: psychiatry gets it after all.
    act.record_consent(
        db.session.get(IpsCase, without.id),
        world.consultant,
        from_party="ips_team",
        to_party="psychiatry",
        categories=["employment_progress"],
        purpose="Orientering",
        given_at=T0.date(),
        expires_at=None,
    )
    wait_until(
        lambda: len([m for m in sink.to(world.clinician.email) if "New IPS case" in m.subject]) == 2,
        60,
        what="the released start e-mail",
    )


def test_psychiatry_referral_queue_assignment_and_missed_first_contact(stack):
    clock, sink = stack.clock, stack.sink
    world = World.build()
    case = act.create_referral(
        {"first_name": "Cille", "last_name": "Henvist", "birth_year": 1988},
        world.clinician,
        psychiatry_contact_id=world.clinician.id,
        ips_team_id=world.team.id,
    )
    assert [c.id for c, _r in unassigned_cases(world.team.id)] == [case.id]
    stack.procs.worker()
    stack.procs.beat()
    assign_case(db.session.get(IpsCase, case.id), world.coordinator, consultant_id=world.consultant.id)
    told = wait_until(
        lambda: [m for m in sink.to(world.clinician.email) if case.reference in m.subject],
        60,
        what="the referrer told who took the case",
    )[0]
    assert "An IPS consultant has taken the case" in told.subject
    assert world.consultant.name in told.text and world.consultant.email in told.text
    wait_until(
        lambda: [m for m in sink.to(world.consultant.email) if case.reference in m.subject],
        60,
        what="the consultant told of the assignment",
    )
    # Day 8 without a contact with the citizen: the coordinator is alerted.
    clock.set(T0 + timedelta(days=7, hours=1))
    alert = wait_until(
        lambda: [
            m
            for m in sink.to(world.coordinator.email)
            if case.reference in m.subject and "Første kontakt med borgeren" in m.text
        ],
        60,
        what="the escalation of the missed first contact",
    )[0]
    assert "Cille" not in alert.raw

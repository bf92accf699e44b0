"""The sectors' e-mails with a real worker and beat, PostgreSQL and an SMTP server on loopback: the words
each recipient gets, and psychiatry's discharge making the consultant's 3-day contact due
(emailed, and escalated to the coordinator when missed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ips_coord.extensions import db
from ips_coord.models import IpsCase, SharedHealthInfo
from ips_coord.services import accounts
from ips_coord.services import activities as act
from ips_coord.services.treatment import record_admission, record_discharge
from ips_coord.workflows.phases import ContactKind
from tests.conftest import T0
from tests.factories import World
from tests.worker.conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]

SECRETS = ("Kildemose", "Hemmelig-note-ABC", "Paranoid-angst-XYZ", "Akut-forvaerring-XYZ", "Kontanthjaelp-XYZ")


def _employed(world):
    case = world.referral(first="Alma", last="Kildemose")
    world.consent_employment_to_psychiatry(case)
    case = world.step(db.session.merge(case), "enrol")
    case = world.step(case, "start_search")
    db.session.add(
        SharedHealthInfo(
            case_id=case.id, category="symptoms", text=SECRETS[2], author_id=world.clinician.id, created_at=T0
        )
    )
    db.session.commit()
    act.log_contact(
        case, world.consultant, kind=ContactKind.CONTACT, occurred_at=T0, location="office", note=SECRETS[1]
    )
    act.record_benefit_fact(db.session.merge(case), world.caseworker, benefit=SECRETS[4])
    return world.step(
        db.session.get(IpsCase, case.id),
        "start_job",
        employer_name="Bageriet",
        benefits_counselling_offered=True,
        hours_per_week=20,
    )


def test_each_recipient_gets_its_own_words(stack):
    clock, sink = stack.clock, stack.sink
    world = World.build()
    world.clinician.locale = "da"
    db.session.commit()
    accounts.set_phone(world.consultant, "+45 21 22 23 24")
    case = _employed(world)
    stack.procs.worker()
    stack.procs.beat()
    clock.set(T0 + timedelta(days=20, hours=2))
    world.step(db.session.get(IpsCase, case.id), "end_job", end_reason="dismissed")

    clinician = wait_until(
        lambda: [
            m
            for m in sink.to(world.clinician.email)
            if m.subject == f"Jobophør for {case.reference} – kvittér venligst"
        ],
        60,
        what="psychiatry asked to acknowledge",
    )[0]
    assert "Kim Konsulent" in clinician.text and "+45 21 22 23 24" in clinician.text
    assert "Reply-To: consultant@example.test" in clinician.raw
    assert "i perioden " in clinician.text and "At kvittere betyder" in clinician.text and "/ack#" in clinician.text
    assert "Kvittér</a>" in clinician.html

    jobcenter = wait_until(
        lambda: [
            m
            for m in sink.to(world.caseworker.email)
            if m.subject == f"Jobophør for {case.reference} – til orientering"
        ],
        60,
        what="the jobcenter informed",
    )[0]
    assert "/ack" not in jobcenter.text and "Du skal ikke kvittere" in jobcenter.text
    started = [m for m in sink.to(world.caseworker.email) if m.subject.startswith("Jobstart for")]
    assert started and "20 timer om ugen" in started[0].text

    alert = wait_until(
        lambda: [m for m in sink.to(world.coordinator.email) if m.subject == f"Tidligt jobophør for {case.reference}"],
        60,
        what="the coordinator alerted",
    )[0]
    assert "mindre end 90 dage" in alert.text

    clock.set(T0.replace(hour=6) + timedelta(days=23))  # the 3-day contact after the ending is due
    digest = wait_until(
        lambda: [
            m
            for m in sink.to(world.consultant.email)
            if m.subject.startswith("Dine opfølgninger") and "Kontakt efter jobophør" in m.text
        ],
        60,
        what="the consultant's digest",
    )[0]
    assert case.reference in digest.text and "overskredet" in digest.subject + digest.text

    for message in sink.messages:
        for secret in (*SECRETS, "Alma"):
            assert secret not in message.raw + message.subject + message.text + message.html
    ids = sink.message_ids()
    assert len(ids) == len(set(ids))


def test_discharge_makes_the_3_day_contact_due_and_escalates_it(stack):
    clock, sink = stack.clock, stack.sink
    world = World.build()
    case = _employed(world)
    stack.procs.worker()
    stack.procs.beat()

    clock.set(T0 + timedelta(days=10, hours=2))
    record_admission(case.id, world.clinician, admitted_on=clock.now().date(), reason=SECRETS[3])
    paused = wait_until(
        lambda: [m for m in sink.to(world.consultant.email) if m.subject == f"Forløb {case.reference} er sat på pause"],
        60,
        what="the consultant told of the pause",
    )[0]
    assert SECRETS[3] not in paused.raw

    clock.set(T0 + timedelta(days=18, hours=2))
    record_discharge(case.id, world.clinician, discharged_on=clock.now().date())
    told = wait_until(
        lambda: [
            m
            for m in sink.to(world.consultant.email)
            if m.subject == f"Forløb {case.reference} er taget op igen – kontakt borgeren inden 3 dage"
        ],
        60,
        what="the consultant told of the discharge",
    )[0]
    assert "inden 3 dage" in told.text and f"/cases/{case.id}" in told.text

    # Nobody contacts the citizen: on day 3 after the discharge the coordinator is alerted.
    clock.set(T0 + timedelta(days=21, hours=2, minutes=5))
    wait_until(
        lambda: [
            m
            for m in sink.to(world.coordinator.email)
            if "Eskalering" in m.subject
            and case.reference in m.subject
            and "Opfølgning" in m.text
            and "udskriv" not in m.text.lower()
        ],
        60,
        what="the escalation of the missed contact",
    )
    for message in sink.messages:
        for secret in SECRETS:
            assert secret not in message.raw

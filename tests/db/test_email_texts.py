"""The words of each email, per kind of message and kind of recipient, in Danish and English:
built from the template files as the worker builds them (multipart text and HTML), and never
carrying the citizen's name, health information, a note or a benefit fact."""
from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import Notification, SharedHealthInfo
from ips_coord.notifications.email import build_message
from ips_coord.services import accounts
from ips_coord.services import activities as act
from ips_coord.workflows.phases import ContactKind, NotificationKind, Role
from tests.conftest import T0

SECRETS = ("Kildemose", "Hemmelig-note-ABC", "Paranoid-angst-XYZ", "Kontanthjaelp-XYZ")


def _parts(msg):
    text, html = (p.get_payload(decode=True).decode() for p in msg.get_payload())
    return str(msg["Subject"]), text, html


def _subject(msg) -> str:
    import email.header
    return str(email.header.make_header(email.header.decode_header(str(msg["Subject"]))))


@pytest.fixture
def ended(world, clock):
    """A case whose job ended, with a note, shared health information and a benefit fact on it."""
    accounts.set_phone(world.consultant, "+45 21 22 23 24")
    case = world.referral(first="Alma", last="Kildemose")
    world.consent_employment_to_psychiatry(case)
    case = world.step(case, "enrol")
    case = world.step(case, "start_search")
    case = world.step(case, "start_job", employer_name="Bageriet", benefits_counselling_offered=True,
                      hours_per_week=15)
    act.log_contact(case, world.consultant, kind=ContactKind.CONTACT, occurred_at=T0, location="office",
                    note=SECRETS[1])
    _db.session.add(SharedHealthInfo(case_id=case.id, category="symptoms", text=SECRETS[2],
                                     author_id=world.clinician.id, created_at=T0))
    _db.session.commit()
    act.record_benefit_fact(case, world.caseworker, benefit=SECRETS[3])
    clock.advance(days=40)
    return world.step(_db.session.merge(case), "end_job", end_reason="dismissed", end_date=clock.now().date())


def _row(case, kind, recipient):
    return _db.session.scalar(select(Notification).where(
        Notification.case_id == case.id, Notification.kind == kind, Notification.recipient_id == recipient.id))


def test_the_clinician_is_asked_to_acknowledge_and_told_what_it_means(ended, world):
    world.clinician.locale = "da"
    msg = build_message(_row(ended, NotificationKind.JOB_ENDED, world.clinician), world.clinician)
    _, text, html = _parts(msg)
    assert _subject(msg) == f"Jobophør for {ended.reference} – kvittér venligst"
    assert msg["Reply-To"] == world.consultant.email
    assert msg.get_content_type() == "multipart/alternative"
    for part in (text, html):
        assert "Kim Konsulent" in part and "+45 21 22 23 24" in part and world.consultant.email in part
        assert "/ack#" in part
    day = ended.phase_changed_at.astimezone().strftime("%d.%m.%Y")
    assert f"stoppet i sit job den {day}" in text
    assert "i perioden " in text and "At kvittere betyder, at du har set beskeden" in text
    assert "Kvittér senest " in text
    assert "Registrér indlæggelse eller udskrivning" in text and f"/cases/{ended.id}/treatment" in text


def test_the_jobcenter_is_informed_and_asked_for_nothing(ended, world):
    msg = build_message(_row(ended, NotificationKind.JOB_ENDED, world.caseworker), world.caseworker)
    _, text, _html = _parts(msg)
    assert _subject(msg) == f"Jobophør for {ended.reference} – til orientering"
    assert "/ack" not in text and "Kvittér" not in text and "kvittér" not in _subject(msg)
    assert "Du skal ikke kvittere" in text
    assert "/treatment" not in text  # admissions are psychiatry's


def test_the_coordinator_is_alerted_in_english_too(ended, world):
    world.coordinator.locale = "en"
    msg = build_message(_row(ended, NotificationKind.EARLY_ENDING, world.coordinator), world.coordinator)
    assert _subject(msg) == f"Early job ending for {ended.reference}"
    _, text, html = _parts(msg)
    assert "less than 90 days" in text and "<p>" in html


KINDS = [k.value for k in NotificationKind] + ["a_kind_without_words_yet"]
ROLES = [Role.IPS_CONSULTANT, Role.PSYCHIATRY, Role.JOBCENTER, Role.COORDINATOR]


def test_every_kind_to_every_recipient_in_both_languages(ended, world, clock):
    """Every kind has words for every recipient (its own file or the generic one), and no email
    carries the citizen's name, a note, health information or a benefit fact."""
    recipients = {Role.IPS_CONSULTANT: world.consultant, Role.PSYCHIATRY: world.clinician,
                  Role.JOBCENTER: world.caseworker, Role.COORDINATOR: world.coordinator}
    subjects = set()
    for kind, role, locale in itertools.product(KINDS, ROLES, ["da", "en"]):
        recipient = recipients[role]
        recipient.locale = locale
        data = {"reference": ended.reference, "event_date": "2026-01-05", "meeting_due": "2026-01-12T07:00:00+00:00",
                "follow_up_kind": "job_ending_review", "due_at": "2026-01-12T07:00:00+00:00"}
        if kind == NotificationKind.DAILY_DIGEST:
            data = {"date": "2026-01-05", "total": 1, "overdue": 1, "items": [
                {"reference": ended.reference, "case_id": ended.id, "kind": "weekly_contact",
                 "due_at": "2026-01-04T07:00:00+00:00", "overdue": True}]}
        row = Notification(id=10_000, recipient_id=recipient.id,
                           case_id=None if kind == "daily_digest" else ended.id, kind=kind,
                           requires_ack=kind in ("job_ended", "ack_reminder"), idempotency_key=f"t:{kind}",
                           data=data, created_at=clock.now())
        msg = build_message(row, recipient)
        subject = _subject(msg)
        _, text, html = _parts(msg)
        where = (kind, role, locale)
        assert ended.reference in subject or kind == "daily_digest", where
        assert "{{" not in text + html and "_" not in subject.replace(ended.reference, ""), where
        assert text.strip() and "<p>" in html, where
        for secret in (*SECRETS, "Alma"):
            assert secret not in subject + text + html + msg.as_string(), where
        subjects.add((locale, subject))
    # Danish subjects read as Danish: the job ending to psychiatry, in both languages.
    assert ("da", f"Jobophør for {ended.reference} – kvittér venligst") in subjects
    assert ("en", f"Job ended for {ended.reference} – please acknowledge") in subjects


def test_every_link_in_every_email_starts_with_the_configured_base_url(app, ended, world, clock):
    """The links lead to where the system runs (`make run PORT=18400`, a production address):
    one setting, BASE_URL, for every kind of e-mail to every recipient."""
    import re

    recipients = {Role.IPS_CONSULTANT: world.consultant, Role.PSYCHIATRY: world.clinician,
                  Role.JOBCENTER: world.caseworker, Role.COORDINATOR: world.coordinator}
    links = 0
    for base in ("http://127.0.0.1:18400", "https://ips.example.dk"):
        app.config["BASE_URL"] = base
        try:
            for kind, role in itertools.product(KINDS, ROLES):
                data = {"reference": ended.reference, "event_date": "2026-01-05",
                        "meeting_due": "2026-01-12T07:00:00+00:00", "follow_up_kind": "job_ending_review",
                        "due_at": "2026-01-12T07:00:00+00:00"}
                if kind == NotificationKind.DAILY_DIGEST:
                    data = {"date": "2026-01-05", "total": 1, "overdue": 1, "items": [
                        {"reference": ended.reference, "case_id": ended.id, "kind": "weekly_contact",
                         "due_at": "2026-01-04T07:00:00+00:00", "overdue": True}]}
                row = Notification(id=10_000, recipient_id=recipients[role].id,
                                   case_id=None if kind == "daily_digest" else ended.id, kind=kind,
                                   requires_ack=kind in ("job_ended", "ack_reminder"), idempotency_key=f"t:{kind}",
                                   data=data, created_at=clock.now())
                _, text, html = _parts(build_message(row, recipients[role]))
                found = re.findall(r"https?://[^\s\"'<>]+", text + html)
                links += len(found)
                assert all(u.startswith(base + "/") for u in found), (kind, role, found)
                assert "127.0.0.1:5000" not in text + html
        finally:
            app.config["BASE_URL"] = "http://testserver"
    assert links > 50  # the kinds do carry links

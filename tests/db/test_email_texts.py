"""The words of each email, per kind of message and kind of recipient, in Danish and English:
built from the templates as the worker builds them (multipart text and HTML), every word from the
message catalogue, and never carrying the citizen's name, health information, a note or a
benefit fact."""

from __future__ import annotations

import glob
import itertools
import os
import re
from datetime import timedelta

import pytest
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract
from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import Notification, SharedHealthInfo
from ips_coord.notifications.email import build_message
from ips_coord.notifications.texts import LETTER_KINDS
from ips_coord.sealed import seal
from ips_coord.services import accounts
from ips_coord.services import activities as act
from ips_coord.workflows.phases import SECRET_NOTIFICATION_KINDS, ContactKind, NotificationKind, Recipient, Role
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
    case = world.step(case, "start_job", employer_name="Bageriet", benefits_counselling_offered=True, hours_per_week=15)
    act.log_contact(
        case, world.consultant, kind=ContactKind.CONTACT, occurred_at=T0, location="office", note=SECRETS[1]
    )
    _db.session.add(
        SharedHealthInfo(
            case_id=case.id, category="symptoms", text=SECRETS[2], author_id=world.clinician.id, created_at=T0
        )
    )
    _db.session.commit()
    act.record_benefit_fact(case, world.caseworker, benefit=SECRETS[3])
    clock.advance(days=40)
    return world.step(_db.session.merge(case), "end_job", end_reason="dismissed", end_date=clock.now().date())


def _row(case, kind, recipient):
    return _db.session.scalar(
        select(Notification).where(
            Notification.case_id == case.id, Notification.kind == kind, Notification.recipient_id == recipient.id
        )
    )


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
TEMPLATES = os.path.join(os.path.dirname(__file__), "..", "..", "ips_coord", "web", "templates", "email")
CATALOGUE = os.path.join(TEMPLATES, "..", "..", "..", "translations", "da", "LC_MESSAGES", "messages.po")
SECRET = "https://testserver/citizen/invitation#Hemmeligt-token-123456"


def _recipients(world) -> dict:
    return {
        Role.IPS_CONSULTANT: world.consultant,
        Role.PSYCHIATRY: world.clinician,
        Role.JOBCENTER: world.caseworker,
        Role.COORDINATOR: world.coordinator,
    }


def _made_row(case, kind, recipient, clock, locale="da"):
    """An outbox row of `kind` as its writer makes it: to a staff user, or to a bare address for the
    citizen's secrets and the network's invitation (then `recipient` is None)."""
    data: dict = {
        "reference": case.reference,
        "event_date": "2026-01-05",
        "meeting_due": "2026-01-12T07:00:00+00:00",
        "follow_up_kind": "job_ending_review",
        "due_at": "2026-01-12T07:00:00+00:00",
    }
    if kind == NotificationKind.DAILY_DIGEST:
        data = {
            "date": "2026-01-05",
            "total": 1,
            "overdue": 1,
            "items": [
                {
                    "reference": case.reference,
                    "case_id": case.id,
                    "kind": "weekly_contact",
                    "due_at": "2026-01-04T07:00:00+00:00",
                    "overdue": True,
                }
            ],
        }
    if kind in SECRET_NOTIFICATION_KINDS:
        data = {"sealed": seal(SECRET), "locale": locale, "expires_at": (clock.now() + timedelta(hours=1)).isoformat()}
    if kind == NotificationKind.NETWORK_INVITATION:
        data = {
            "locale": locale,
            "meeting_at": "2026-01-12T09:30:00+00:00",
            "place": "Jobcentret, lokale 2",
            "citizen": "Sara",
            "consultant": "Kim Konsulent",
            "consultant_phone": "+45 21 22 23 24",
            "consultant_email": "kim@example.test",
        }
    return Notification(
        id=10_000,
        recipient_id=recipient.id if recipient is not None else None,
        to_address=None if recipient is not None else "someone@borger.example",
        case_id=None if kind in ("daily_digest", *SECRET_NOTIFICATION_KINDS) else case.id,
        kind=kind,
        requires_ack=kind in ("job_ended", "ack_reminder"),
        idempotency_key=f"t:{kind}",
        data=data,
        created_at=clock.now(),
    )


def _to(kind, recipient):
    """Who really gets a kind: the citizen's secrets and the network's invitation go to a bare address."""
    bare = kind in LETTER_KINDS and kind != NotificationKind.PASSWORD_RESET
    return None if bare else recipient


def _render(case, kind, recipient, locale, clock):
    if recipient is not None:
        recipient.locale = locale
    msg = build_message(_made_row(case, kind, recipient, clock, locale), recipient)
    _, text, html = _parts(msg)
    return msg, _subject(msg), text, html


def test_every_kind_to_every_recipient_in_both_languages(ended, world, clock):
    """Every kind has words for every recipient (its own template or the generic one), the
    Danish and the English differ, and no email carries the citizen's name, a note, health
    information or a benefit fact."""
    subjects = set()
    for kind, role in itertools.product(KINDS, ROLES):
        recipient = _to(kind, _recipients(world)[role])
        rendered = {}
        for locale in ("da", "en"):
            msg, subject, text, html = _render(ended, kind, recipient, locale, clock)
            where = (kind, role, locale)
            assert ended.reference in subject or kind in ("daily_digest", *LETTER_KINDS), where
            assert "{{" not in text + html and "{%" not in text + html, where
            assert "_" not in subject.replace(ended.reference, ""), where
            assert text.strip() and "<p>" in html and f'<html lang="{locale}">' in html, where
            for secret in (*SECRETS, "Alma"):
                assert secret not in subject + text + html + msg.as_string(), where
            subjects.add((locale, subject))
            rendered[locale] = (subject, text)
        assert rendered["da"][0] != rendered["en"][0] and rendered["da"][1] != rendered["en"][1], (kind, role)
    # Danish subjects read as Danish: the job ending to psychiatry, in both languages.
    assert ("da", f"Jobophør for {ended.reference} – kvittér venligst") in subjects
    assert ("en", f"Job ended for {ended.reference} – please acknowledge") in subjects


def test_the_secret_and_network_mails_come_from_the_same_builder(ended, world, clock):
    """The sign-in code, the links and the network's invitation: the same templates and
    layout as every e-mail, their secret in the body only, nothing about a case."""
    _msg, subject, text, html = _render(ended, NotificationKind.CITIZEN_INVITATION, None, "da", clock)
    assert subject == "Din IPS-konsulent inviterer dig til at se din plan" and SECRET not in subject
    assert SECRET in text and f'href="{SECRET}"' in html
    assert "Åbn dette link for at logge ind på din egen side. Det virker én gang, i 7 dage:" in text
    assert "/cases/" not in text + html and "Hej" not in text  # no case link, no greeting to a bare address
    _msg, subject, text, _html = _render(ended, NotificationKind.CITIZEN_CODE, None, "en", clock)
    assert subject == "Your sign-in code for IPS" and f"Your code is {SECRET}." in text
    msg, subject, text, _html = _render(ended, NotificationKind.NETWORK_INVITATION, None, "da", clock)
    assert subject == "Invitation til et møde med Sara" and msg["To"] == "someone@borger.example"
    assert "Tid: 12.01.2026 kl. 10.30" in text and "Sted: Jobcentret, lokale 2" in text
    assert msg["Reply-To"] == "kim@example.test" and "/cases/" not in text
    world.consultant.locale = "en"
    msg, subject, text, _html = _render(ended, NotificationKind.PASSWORD_RESET, world.consultant, "en", clock)
    assert subject == "Choose a new password for IPS" and msg["To"] == world.consultant.email
    assert text.startswith("Open this link to choose a new password.") and SECRET in text


def _email_templates() -> list[str]:
    found = sorted(glob.glob(os.path.join(TEMPLATES, "**", "*.*"), recursive=True))
    assert len(found) > 20
    return found


def _outside_trans(source: str) -> tuple[str, list[str]]:
    """The template's literal text outside {% trans %} blocks (every tag, expression and trans
    block replaced by a space) and the string literals of its expressions."""
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)  # only lexed, never rendered
    plain, strings, depth, tag = [], [], 0, []
    for _lineno, kind, value in env.lex(source):
        if kind == "block_begin":
            tag = []
        elif kind == "name" and not tag:
            tag.append(value)
            depth += value == "trans"
            depth -= value == "endtrans"
        if kind == "data" and depth == 0:
            plain.append(value)
        else:
            plain.append(" ")
        if kind == "string" and depth == 0 and (not tag or tag[0] != "extends"):
            strings.append(value)
    return "".join(plain), strings


def test_no_e_mail_template_has_words_outside_the_catalogue():
    """Every word a recipient reads is a msgid in a {% trans %} block: outside them only markup,
    punctuation, the product's name and what the context fills in."""
    for path in _email_templates():
        with open(path, encoding="utf-8") as fh:
            plain, strings = _outside_trans(fh.read())
        plain = re.sub(r"<[^>]*>", " ", plain)  # tags and their attributes
        plain = re.sub(r"\{#.*?#\}", " ", plain, flags=re.S).replace("ips-coord", " ")
        words = re.findall(r"[^\W\d_]{2,}", plain)
        assert not words, (os.path.relpath(path, TEMPLATES), words)
        assert not [s for s in strings if re.search(r"[^\W\d_]{2,}", s)], (os.path.relpath(path, TEMPLATES), strings)


def test_templates_are_named_by_kind_and_recipient():
    """email/<kind>/<recipient>.txt: a NotificationKind, and a Recipient value or `any`; one name
    for each kind of recipient (no role names)."""
    for path in _email_templates():
        parts = os.path.relpath(path, TEMPLATES).split(os.sep)
        if len(parts) == 1:
            assert parts[0] in ("_layout.txt", "_layout.html", "_subject.txt", "any.txt"), parts
            continue
        kind, name = parts
        assert kind in set(NotificationKind), parts
        assert name.removesuffix(".txt") in {*Recipient, "any"}, parts


def test_every_e_mail_msgid_has_its_danish():
    """Danish is the default: each sentence of each e-mail template is in the catalogue, translated."""
    with open(CATALOGUE, "rb") as fh:
        catalogue = read_po(fh)
    msgids = set()
    for path in _email_templates():
        with open(path, "rb") as fh:
            for _line, _func, msgid, _comments in babel_extract(fh, ("_", "gettext"), [], {}):
                msgids.add(msgid)
    assert len(msgids) > 80
    missing = [m for m in msgids if catalogue.get(m) is None or not catalogue.get(m).string or catalogue.get(m).fuzzy]
    assert not missing, missing


def test_every_link_in_every_email_starts_with_the_configured_base_url(app, ended, world, clock):
    """The links lead to where the system runs (`make run PORT=18400`, a production address):
    one setting, BASE_URL, for every kind of e-mail to every recipient."""
    links = 0
    for base in ("http://127.0.0.1:18400", "https://ips.example.dk"):
        app.config["BASE_URL"] = base
        try:
            for kind, role in itertools.product(KINDS, ROLES):
                if kind in SECRET_NOTIFICATION_KINDS:
                    continue  # their link is the one the service sealed in the row
                _msg, _subject, text, html = _render(ended, kind, _to(kind, _recipients(world)[role]), "da", clock)
                found = re.findall(r"https?://[^\s\"'<>]+", text + html)
                links += len(found)
                assert all(u.startswith(base + "/") for u in found), (kind, role, found)
                assert "127.0.0.1:5000" not in text + html
        finally:
            app.config["BASE_URL"] = "http://testserver"
    assert links > 50  # the kinds do carry links

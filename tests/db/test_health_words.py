"""No outward channel hints at treatment: every follow-up kind and every event reason, rendered
into every channel that leaves the application or reaches a reader outside the citizen's care.

The rule (docs/operations.md, "What leaves the system"): psychiatry's own e-mails may speak of
its treatment; e-mails to anyone else, calendar feeds (read by whatever calendar service the user
subscribes with), webhook payloads (to every organisation kind) and the jobcenter's change feed
use neutral words. A channel that fails here has a word of HEALTH_WORDS in it."""

from __future__ import annotations

import email.header
import itertools
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.clock import utcnow
from ips_coord.extensions import db as _db
from ips_coord.models import FollowUp, IpsCase, Notification, WebhookDelivery
from ips_coord.notifications.email import build_message
from ips_coord.notifications.texts import LETTER_KINDS
from ips_coord.services import activities as act
from ips_coord.services import calendar_feed, integrations, treatment, webhooks
from ips_coord.services.records import add_case_event
from ips_coord.workflows.phases import (
    CloseReason,
    ConsentCategory,
    Deviation,
    EndReason,
    Event,
    FollowUpKind,
    FollowUpStatus,
    HistoryEntry,
    NotificationKind,
    Party,
    Role,
)
from tests.factories import bearer, service_token

# Danish and English words (and the codes) that say a citizen is ill, treated or admitted.
HEALTH_WORDS = re.compile(
    r"indlæg|indlagt|udskriv|udskrev|admission|admitted|discharg|psykiat|psychiat|health|helbred|sygdom|"
    r"illness|medicin|medicat|diagnos|symptom|behandl|treatment",
    re.IGNORECASE,
)
# Every reason an event can carry as a code, per event.
REASONS: dict[str, list[str | None]] = {
    Event.END_JOB: [r.value for r in EndReason],
    Event.END_EDUCATION: [r.value for r in EndReason],
    Event.CLOSE: [r.value for r in CloseReason],
    HistoryEntry.ESCALATED: [k.value for k in FollowUpKind],
    HistoryEntry.DEVIATION: [d.value for d in Deviation],
}
EVENTS = [e.value for e in Event] + [h.value for h in HistoryEntry if h != HistoryEntry.PLAN_CHANGED]


def _hits(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in HEALTH_WORDS.finditer(text)})


@pytest.fixture
def treated(world, clock):
    """A case that saw everything: consents to both sides, a job ended for health reasons, an
    admission and a discharge (the real services), then every event with every reason code and
    an open follow-up of every kind for each of its staff."""
    case = world.referral()
    world.consent_employment_to_psychiatry(case)
    act.record_consent(
        case,
        world.consultant,
        from_party=Party.IPS_TEAM,
        to_party=Party.JOBCENTER,
        categories=[ConsentCategory.EMPLOYMENT_PROGRESS],
        purpose="Orientering",
        given_at=utcnow().date(),
        expires_at=None,
    )
    case = world.step(case, "enrol")
    case = world.step(case, "start_search")
    case = world.step(case, "start_job", employer_name="Bageriet", benefits_counselling_offered=True)
    clock.advance(days=40)
    case = world.step(_db.session.merge(case), "end_job", end_reason="health", end_date=clock.now().date())
    treatment.record_admission(case.id, world.clinician, admitted_on=clock.now().date(), reason="Psykose")
    clock.advance(days=5)
    treatment.record_discharge(case.id, world.clinician, discharged_on=clock.now().date())
    case = _db.session.get_one(IpsCase, case.id)
    now = utcnow()
    for name in EVENTS:
        for reason in REASONS.get(name, [None]):
            add_case_event(case, event=name, actor=world.consultant, now=now, reason=reason)
    for kind, who in itertools.product(FollowUpKind, (world.consultant, world.clinician, world.caseworker)):
        _db.session.add(
            FollowUp(
                case_id=case.id,
                kind=kind,
                status=FollowUpStatus.OPEN,
                assignee_id=who.id,
                due_at=now + timedelta(days=1),
                created_at=now,
                data={},
            )
        )
    _db.session.commit()
    return case


def test_no_outward_channel_tells_of_treatment(world, treated, clock, client):
    leaks: list[str] = []

    def check(channel: str, text: str) -> None:
        if _hits(text):
            leaks.append(f"{channel}: {_hits(text)}")

    # Webhooks, one endpoint per organisation kind, subscribed to every kind of change (fanned
    # out from the start, so every change above is told).
    endpoints = {}
    for org in (world.team, world.psychiatry, world.jobcenter):
        _plain, token = service_token(world, org, ["webhooks:receive"])
        endpoint = integrations.register_webhook(
            world.admin, token.id, "https://hooks.example.org/ips", ["case", "case_event", "follow_up", "placement"]
        )
        endpoint.cursor = 0
        endpoints[endpoint.id] = org.kind
    _db.session.commit()
    webhooks.fan_out(utcnow(), 1000)
    told = {kind: 0 for kind in endpoints.values()}
    for delivery in _db.session.scalars(select(WebhookDelivery)):
        told[endpoints[delivery.endpoint_id]] += 1
        check(f"webhook to {endpoints[delivery.endpoint_id]}", json.dumps(delivery.payload))
    assert all(told.values()), told

    # The change feed of the jobcenter: its integration account and its caseworker.
    plain, _token = service_token(world, world.jobcenter, ["changes:read", "cases:read"])
    for who, headers in (
        ("integration", {"Authorization": f"Bearer {plain}"}),
        ("caseworker", bearer(world.caseworker)),
    ):
        feed = client.get("/api/v1/changes?since=0&limit=200", headers=headers)
        assert feed.status_code == 200 and feed.get_json()["items"], who
        check(f"jobcenter change feed ({who})", feed.get_data(as_text=True))
        placements = client.get(f"/api/v1/cases/{treated.id}/placements", headers=headers)
        assert placements.status_code == 200 and placements.get_json()["items"], who
        check(f"jobcenter placements ({who})", placements.get_data(as_text=True))

    # Calendar feeds of every role with follow-ups, in both languages.
    for user, locale in itertools.product((world.consultant, world.clinician, world.caseworker), ("da", "en")):
        user.locale = locale
        _db.session.commit()
        key = calendar_feed.new_key(user)
        ics = client.get(f"/calendar/{key}.ics")
        assert ics.status_code == 200 and ics.get_data(as_text=True).count("BEGIN:VEVENT") >= len(FollowUpKind)
        check(f"calendar of {user.role} ({locale})", ics.get_data(as_text=True))

    # E-mails: the ones the services wrote, and every kind with every follow-up kind, to every
    # kind of recipient in both languages. Psychiatry's own e-mails may name its treatment.
    recipients = {
        Role.IPS_CONSULTANT: world.consultant,
        Role.PSYCHIATRY: world.clinician,
        Role.JOBCENTER: world.caseworker,
        Role.COORDINATOR: world.coordinator,
    }
    written = list(_db.session.scalars(select(Notification).where(Notification.case_id == treated.id)))
    assert {NotificationKind.ADMITTED, NotificationKind.DISCHARGED} <= {n.kind for n in written}
    rows = [
        (n, recipients[Role(_db.session.get_one(type(world.consultant), n.recipient_id).role)])
        for n in written
        if n.recipient_id is not None
    ]
    # The mails about no case (a secret, the network's meeting invitation: tests/db/test_network.py) aside.
    kinds = [k for k in NotificationKind if k not in LETTER_KINDS]
    for i, (kind, role) in enumerate(itertools.product(kinds, recipients)):
        follow_up = list(FollowUpKind)[i % len(FollowUpKind)]
        data = {
            "reference": treated.reference,
            "event_date": "2026-01-05",
            "follow_up_kind": follow_up.value,
            "due_at": "2026-01-12T07:00:00+00:00",
            "date": "2026-01-05",
            "total": len(FollowUpKind),
            "overdue": 1,
            "items": [
                {
                    "reference": treated.reference,
                    "case_id": treated.id,
                    "kind": k.value,
                    "due_at": "2026-01-04T07:00:00+00:00",
                    "overdue": True,
                }
                for k in FollowUpKind
            ],
        }
        rows.append(
            (
                Notification(
                    id=10_000 + i,
                    recipient_id=recipients[role].id,
                    case_id=treated.id,
                    kind=kind,
                    requires_ack=kind in ("job_ended", "ack_reminder"),
                    idempotency_key=f"t:{i}",
                    data=data,
                    created_at=clock.now(),
                ),
                recipients[role],
            )
        )
    for (row, recipient), locale in itertools.product(rows, ("da", "en")):
        recipient.locale = locale
        msg = build_message(row, recipient)
        subject = str(email.header.make_header(email.header.decode_header(str(msg["Subject"]))))
        text, html = (p.get_payload(decode=True).decode() for p in msg.get_payload())
        if recipient.role != Role.PSYCHIATRY:
            check(f"e-mail {row.kind} to {recipient.role} ({locale})", subject + "\n" + text + "\n" + html)
    _db.session.rollback()
    assert not leaks, "\n".join(sorted(set(leaks)))

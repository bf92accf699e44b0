"""Generated from the URL map: every GET route either writes access-log rows for the citizens
it showed, or is declared (ips_coord.access.audit) as showing no citizen data; and every refused
GET writes a refusal row and no read row."""

from __future__ import annotations

import re

from flask import url_for
from sqlalchemy import select

from ips_coord.access.audit import declared_without_citizen_data, is_for_the_citizen
from ips_coord.clock import utcnow
from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, IpsCase, Notification
from ips_coord.notifications.ack import ack_token
from ips_coord.notifications.sweep import escalate_due
from ips_coord.services import activities as act
from tests.conftest import IsolatedClient
from tests.factories import bearer, login

NAME = "Lyngvigsen"


def _scenario(world, clock):
    # Webhooks: the case's changes reach the admin's delivery log.
    from ips_coord.services import integrations, webhooks

    _token, service = integrations.create_service_token(world.admin, world.team.id, "System", ["webhooks:receive"], 365)
    integrations.approve_service_token(world.privacy_officer, service.id)  # the second pair of eyes
    integrations.register_webhook(world.admin, service.id, "http://127.0.0.1:9/hook", ["case"])
    case = world.referral(first="Ida", last=NAME)
    case = world.step(case, "enrol")
    case = world.step(case, "start_search")
    today = utcnow().date()
    for from_party, to_party, cats in (
        ("psychiatry", "ips_team", ["symptoms"]),
        ("ips_team", "psychiatry", ["employment_progress"]),
        ("ips_team", "jobcenter", ["employment_progress"]),
        ("jobcenter", "ips_team", ["benefit_facts"]),
    ):
        act.record_consent(
            _db.session.get(IpsCase, case.id),
            world.consultant,
            from_party=from_party,
            to_party=to_party,
            categories=cats,
            purpose="Koordinering",
            given_at=today,
            expires_at=None,
        )
    act.save_profile(_db.session.get(IpsCase, case.id), world.consultant, {"job_preferences": "Lager"})
    act.log_employer_contact(
        world.consultant,
        employer_name="Bageriet",
        occurred_at=utcnow(),
        location="community",
        case=_db.session.get(IpsCase, case.id),
    )
    case = _db.session.get(IpsCase, case.id)
    _db.session.refresh(case)
    case = world.step(case, "start_job", employer_name="Bageriet", benefits_counselling_offered=True)
    clock.advance(days=40)
    case = world.step(case, "end_job", end_reason="dismissed")
    escalate_due(clock.now(), 100)
    # Job development: an opening the case matches, a contact this week and a suggestion.
    from ips_coord.models.employer import Employer
    from ips_coord.services import employers as emp
    from ips_coord.services import matching

    employer = _db.session.scalar(select(Employer).where(Employer.name_key == "bageriet"))
    opening = emp.create_opening(employer, world.consultant, {"title": "Lagermedarbejder", "hours_per_week": 20})
    act.log_employer_contact(
        world.consultant,
        employer_id=employer.id,
        occurred_at=clock.now(),
        location="community",
        case=_db.session.get(IpsCase, case.id),
        purpose="present_candidate",
    )
    matching.record_suggestion(_db.session.get(IpsCase, case.id), opening, world.consultant)
    ack = _db.session.scalar(select(Notification).where(Notification.requires_ack, Notification.case_id == case.id))
    _db.session.add(
        Notification(
            recipient_id=world.clinician.id,
            case_id=case.id,
            kind="job_started",
            status="failed",
            next_attempt_at=clock.now(),
            idempotency_key="failed-1",
            requires_ack=False,
            data={"reference": case.reference},
            created_at=clock.now(),
        )
    )
    _db.session.commit()
    webhooks.fan_out(clock.now(), 100)
    return case, ack


def _text(body: bytes) -> str:
    """A response's text; for an XLSX download, the text of its cells."""
    if body.startswith(b"PK"):
        import io
        import zipfile

        with zipfile.ZipFile(io.BytesIO(body)) as book:
            return " ".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/"))
    return body.decode("utf-8", errors="replace")


def _shows_the_citizen(body: str, case) -> bool:
    """The response names the case or the citizen (by name, reference or id)."""
    return (
        NAME in body
        or case.reference in body
        or re.search(rf'"(case_id|citizen_id|id)":\s*({case.id}|{case.citizen_id})\b', body) is not None
    )


def test_every_get_route_logs_what_it_shows_or_is_declared(app, world, clock):
    case, ack = _scenario(world, clock)
    app.test_client_class = IsolatedClient
    readers = [
        world.consultant,
        world.colleague,
        world.outsider,
        world.clinician,
        world.caseworker,
        world.coordinator,
        world.admin,
        world.privacy_officer,
    ]
    from ips_coord.models import FollowUp
    from ips_coord.models.employer import Opening

    opening = _db.session.scalars(select(Opening).order_by(Opening.id)).first()  # one opening and its employer
    args = {
        "case_id": case.id,
        "citizen_id": case.citizen_id,
        "token": ack_token(ack),
        "employer_id": opening.employer_id,
        "opening_id": opening.id,
        "follow_up_id": _db.session.scalar(
            select(FollowUp.id).where(FollowUp.case_id == case.id, FollowUp.status == "open").limit(1)
        ),
    }
    from ips_coord.services import calendar_feed

    args["key"] = calendar_feed.new_key(world.consultant)  # the consultant's feed, read by a calendar program
    query = {"privacy.index": {"q": case.reference}, "api_citizens.CitizenExport": {"reason": "Anmodning om indsigt"}}
    # A signed link reads as its recipient; a calendar feed as its owner.
    expected_reader = {"account.calendar": world.consultant.id}
    undeclared, exercised, failures = [], set(), []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or declared_without_citizen_data(rule.endpoint, app.view_functions[rule.endpoint]):
            continue
        if is_for_the_citizen(app.view_functions[rule.endpoint]):
            continue  # the citizen's own view: test_citizen_view.py checks its logging, with the citizen as reader
        undeclared.append(rule.endpoint)
        with app.test_request_context():
            url = url_for(
                rule.endpoint, **{k: v for k, v in args.items() if k in rule.arguments}, **query.get(rule.endpoint, {})
            )
        for reader in readers:
            client = app.test_client()
            login(client, reader)
            resp = client.get(url, headers=bearer(reader) if url.startswith("/api/") else None)
            rows = _db.session.scalars(
                select(AccessLog).where(AccessLog.request_id == resp.headers.get("X-Request-ID", "-"))
            ).all()
            reads = [r for r in rows if r.action == "read"]
            refused = [r for r in rows if r.action == "refused"]
            who = expected_reader.get(rule.endpoint, reader.id)
            # A 200 for a URL naming the case or citizen shows something of them by definition.
            named = bool({"case_id", "citizen_id", "token", "follow_up_id"} & set(rule.arguments))
            if resp.status_code == 200 and (named or _shows_the_citizen(_text(resp.get_data()), case)):
                exercised.add(rule.endpoint)
                if not any(r.case_id == case.id and r.user_id == who for r in reads):
                    failures.append(("shown but not logged", url, reader.email))
            elif resp.status_code in (403, 404) and (reads or len(refused) != 1 or refused[0].user_id != reader.id):
                failures.append(("refusal not logged as one refusal", url, reader.email, resp.status_code))
            if any(r.user_id != who for r in reads):
                failures.append(("logged for someone else", url, reader.email))
    assert not failures, failures
    # The scenario shows the citizen on every undeclared route, so each one was really checked.
    assert set(undeclared) == exercised, sorted(set(undeclared) - exercised)

"""An integrator builds on the contract alone. A client generated from the served
OpenAPI document (openapi-python-client) runs the consultant's whole journey: no raw HTTP, no
field that the document calls optional while the server always sends it, the versions handed
from one write to the next, a retried POST answered once, problem details parsed as `Error`."""

from __future__ import annotations

import contextvars
import importlib
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from tests.factories import token_for

pytestmark = pytest.mark.slow  # generates a package with openapi-python-client


def _generate(app, where: Path):
    spec = app.test_client().get("/api/openapi.json").get_json()
    (where / "openapi.json").write_text(json.dumps(spec))
    (where / "config.yaml").write_text(
        "package_name_override: ips_client\nproject_name_override: ips_client\npost_hooks: []\n"
    )
    out = subprocess.run(
        [
            str(Path(sys.executable).parent / "openapi-python-client"),
            "generate",
            "--path",
            str(where / "openapi.json"),
            "--config",
            str(where / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(where / "ips_client"),
            "--overwrite",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    sys.path.insert(0, str(where))
    for name in [n for n in sys.modules if n == "ips_client" or n.startswith("ips_client.")]:
        del sys.modules[name]  # a fresh package per run (the backends each generate their own)
    importlib.invalidate_caches()


def _client(app, token: str):
    from ips_client import AuthenticatedClient

    def isolated(environ, start_response):  # each request in its own context, as in production
        return contextvars.Context().run(app.wsgi_app, environ, start_response)

    return AuthenticatedClient(
        base_url="http://testserver", token=token, httpx_args={"transport": httpx.WSGITransport(app=isolated)}
    )


def test_the_consultant_journey_through_a_generated_client(app, world, clock, tmp_path):
    _generate(app, tmp_path)
    from ips_client.api.api_case_parts import (
        get_employer_contacts,
        get_follow_ups,
        post_consents,
        post_contacts,
        post_employer_contacts,
        post_follow_up_complete,
        post_profile,
        post_reviews,
    )
    from ips_client.api.api_cases import get_case_detail, get_events, post_cases, post_transitions
    from ips_client.models import (
        AdjustmentsInput,
        CareerProfileInput,
        Case,
        CaseEvent,
        CaseEventPage,
        CasePhase,
        CitizenInput,
        CloseTransition,
        CloseTransitionReason,
        ConsentInput,
        ConsentInputCategoriesItem,
        ConsentInputFromParty,
        ConsentInputToParty,
        Contact,
        ContactInput,
        ContactInputKind,
        ContactInputLocation,
        EmployerContact,
        EmployerContactInput,
        EndPlacementTransition,
        EndPlacementTransitionEndReason,
        EndPlacementTransitionEvent,
        EnrolTransition,
        EnrolTransitionEvent,
        Error,
        FollowUp,
        FollowUpKind,
        FollowUpPage,
        FollowUpStatus,
        GetFollowUpsStatus,
        PlainTransition,
        PlainTransitionEvent,
        ReferralInput,
        ReviewInput,
        StartJobTransition,
        StartJobTransitionEvent,
        StartJobTransitionPlacementType,
        SupportsInput,
    )
    from ips_client.models.close_transition_event import CloseTransitionEvent

    c = _client(app, token_for(world.consultant))

    # Referral: 201 with the case's URL, the case fully typed (every always-present field required).
    made = post_cases.sync_detailed(
        client=c, body=ReferralInput(citizen=CitizenInput(first_name="Ane", last_name="Jensen"))
    )
    assert made.status_code == 201 and isinstance(made.parsed, Case)
    case = made.parsed
    assert made.headers["Location"] == f"/api/v1/cases/{case.id}" and case.phase == CasePhase.REFERRED
    assert case.citizen.first_name == "Ane" and case.version == int(made.headers["Case-Version"])

    enrolled = post_transitions.sync(
        case.id,
        client=c,
        body=EnrolTransition(
            event=EnrolTransitionEvent.ENROL,
            version=case.version,
            psychiatry_contact_id=world.clinician.id,
            citizen_agreed=True,
        ),
    )
    assert isinstance(enrolled, Case) and enrolled.phase == CasePhase.ENGAGEMENT
    detail = get_case_detail.sync(case.id, client=c)
    assert isinstance(detail, Case) and "career_profile" in [str(p) for p in detail.visible_parts]

    consent = post_consents.sync_detailed(
        case.id,
        client=c,
        body=ConsentInput(
            from_party=ConsentInputFromParty.IPS_TEAM,
            to_party=ConsentInputToParty.PSYCHIATRY,
            categories=[ConsentInputCategoriesItem.EMPLOYMENT_PROGRESS],
            purpose="Orientering om job",
            given_at=clock.now().date(),
        ),
    )
    assert consent.status_code == 201 and consent.parsed.live is True
    profile = post_profile.sync_detailed(
        case.id, client=c, body=CareerProfileInput(job_preferences="Lager", wishes_and_dreams="Fast job")
    )
    assert profile.status_code == 201 and profile.parsed.version == 1

    # A logged contact raises the case's version and says so: the next transition uses it (If-Match).
    contact = post_contacts.sync_detailed(
        case.id,
        client=c,
        body=ContactInput(
            kind=ContactInputKind.JOINT_START_MEETING, occurred_at=clock.now(), location=ContactInputLocation.OFFICE
        ),
    )
    assert contact.status_code == 201 and isinstance(contact.parsed, Contact)
    assert int(contact.headers["Case-Version"]) > enrolled.version
    searching = post_transitions.sync(
        case.id,
        client=c,
        if_match=contact.headers["ETag"],
        body=PlainTransition(event=PlainTransitionEvent.START_SEARCH),
    )
    assert isinstance(searching, Case) and searching.phase == CasePhase.JOB_SEARCH

    # A retried employer contact (same Idempotency-Key) is answered once, with the first row.
    clock.advance(days=5)
    body = EmployerContactInput(employer_name="Lageret A/S", occurred_at=clock.now(), case_id=case.id)
    first = post_employer_contacts.sync_detailed(client=c, body=body, idempotency_key="journey-ec-1")
    again = post_employer_contacts.sync_detailed(client=c, body=body, idempotency_key="journey-ec-1")
    assert first.status_code == again.status_code == 201 and isinstance(again.parsed, EmployerContact)
    assert again.parsed.id == first.parsed.id and again.headers["Idempotent-Replayed"] == "true"
    listed = get_employer_contacts.sync(client=c, case_id=case.id)
    assert listed.total == 1

    job = post_transitions.sync(
        case.id,
        client=c,
        body=StartJobTransition(
            event=StartJobTransitionEvent.START_JOB,
            version=int(first.headers["Case-Version"]),
            employer_name="Lageret A/S",
            placement_type=StartJobTransitionPlacementType.ORDINARY_JOB,
            hours_per_week=20.0,
            benefits_counselling_offered=True,
            start_date=clock.now().date(),
            supports=SupportsInput(mentor="Lone", mentor_hours=2.0),
        ),
    )
    assert isinstance(job, Case) and job.phase == CasePhase.EMPLOYED

    # A stale version is a problem detail that names the current one.
    stale = post_transitions.sync_detailed(
        case.id,
        client=c,
        body=PlainTransition(event=PlainTransitionEvent.HANDOVER_TO_NATURAL_SUPPORTS, version=enrolled.version),
    )
    assert stale.status_code == 409 and isinstance(stale.parsed, Error)
    assert stale.parsed.code == "stale_version" and stale.parsed.current_version == job.version
    assert stale.headers["Content-Type"] == "application/problem+json"

    open_fus = get_follow_ups.sync(client=c, case_id=case.id, status=GetFollowUpsStatus.OPEN)
    assert isinstance(open_fus, FollowUpPage) and all(isinstance(f, FollowUp) for f in open_fus.items)
    start_contact = next(f for f in open_fus.items if f.kind == FollowUpKind.JOB_START_CONTACT)
    done = post_follow_up_complete.sync_detailed(start_contact.id, client=c)
    assert done.status_code == 200 and done.parsed.status == FollowUpStatus.DONE

    clock.advance(days=40)
    ended = post_transitions.sync(
        case.id,
        client=c,
        body=EndPlacementTransition(
            event=EndPlacementTransitionEvent.END_JOB,
            version=int(done.headers["Case-Version"]),
            end_reason=EndPlacementTransitionEndReason.DISMISSED,
        ),
    )
    assert isinstance(ended, Case) and ended.phase == CasePhase.JOB_ENDED
    review = post_reviews.sync_detailed(
        case.id,
        client=c,
        body=ReviewInput(
            held_at=clock.now() - timedelta(hours=1), what_worked="Mentor", adjustments=AdjustmentsInput(hours="Færre")
        ),
    )
    assert review.status_code == 201 and review.parsed.adjustments.hours == "Færre"
    resumed = post_transitions.sync(
        case.id,
        client=c,
        body=PlainTransition(event=PlainTransitionEvent.RESUME_SEARCH, version=int(review.headers["Case-Version"])),
    )
    assert isinstance(resumed, Case) and resumed.phase == CasePhase.JOB_SEARCH
    closed = post_transitions.sync(
        case.id,
        client=c,
        body=CloseTransition(
            event=CloseTransitionEvent.CLOSE, version=resumed.version, reason=CloseTransitionReason.CITIZEN_CHOICE
        ),
    )
    assert isinstance(closed, Case) and closed.phase == CasePhase.CLOSED

    # The history, paged: Link names the pages; a page past the last is a problem, not an empty 200.
    page = get_events.sync_detailed(case.id, client=c, page=1, page_size=2)
    assert isinstance(page.parsed, CaseEventPage) and all(isinstance(e, CaseEvent) for e in page.parsed.items)
    last = -(-page.parsed.total // 2)
    assert f'page={last}&page_size=2>; rel="last"' in page.headers["Link"] and 'rel="next"' in page.headers["Link"]
    beyond = get_events.sync_detailed(case.id, client=c, page=last + 1, page_size=2, accept_language="en")
    assert beyond.status_code == 404 and isinstance(beyond.parsed, Error)
    assert beyond.parsed.code == "page_out_of_range" and beyond.parsed.title == "Not found"

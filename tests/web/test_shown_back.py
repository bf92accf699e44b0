"""What people record is shown back: each form is submitted, then what was typed is found on the
case page by every role allowed to see that part (and not by a role that is not), and the page
says in words what happened."""

from __future__ import annotations

import html as htmllib
from datetime import timedelta

from ips_coord.models import IpsCase
from tests.factories import login as _login


def login(client, user):
    client.post("/logout")  # signing in over another user's session keeps that session
    r = _login(client, user)
    assert r.status_code == 302


def page_of(client, user, case) -> str:
    login(client, user)
    assert f"{user.name}" in htmllib.unescape(client.get("/cases").get_data(as_text=True))
    r = client.get(f"/cases/{case.id}")
    assert r.status_code == 200
    return htmllib.unescape(r.get_data(as_text=True))


def fresh(db, case):
    db.session.expire_all()
    return db.session.get(IpsCase, case.id)


def step(client, db, case, event, **fields):
    case = fresh(db, case)
    r = client.post(f"/cases/{case.id}/transition", data={"event": event, "version": case.version, **fields})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    return htmllib.unescape(client.get(r.headers["Location"]).get_data(as_text=True))


def local_input(clock, **delta) -> str:
    from ips_coord.clock import to_local

    return to_local(clock.now() - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M")


def test_the_referral_is_shown_in_the_case_header(client, world, db):
    login(client, world.consultant)
    r = client.post(
        "/cases/new",
        data={
            "first_name": "Alma",
            "last_name": "Engtoft",
            "birth_year": "1988",
            "phone": "+45 20 30 40 50",
            "municipality": "Aarhus",
            "own_goal": "Arbejde med heste",
            "ips_team_id": world.team.id,
            "psychiatry_contact_id": world.clinician.id,
            "jobcenter_caseworker_id": world.caseworker.id,
            "out_of_work": "y",
        },
    )
    assert r.status_code == 302
    case = db.session.get(IpsCase, int(r.headers["Location"].rsplit("/", 1)[1]))
    for who in (world.consultant, world.coordinator, world.clinician, world.caseworker):
        page = page_of(client, who, case)
        assert 'href="tel:+4520304050"' in page, who.role
        for typed in ("+45 20 30 40 50", "1988", "Aarhus", "Arbejde med heste"):
            assert typed in page, (who.role, typed)


def test_contact_profile_review_step_and_employer_contact_are_shown_back(client, world, db, clock):
    case = world.case_in("engagement")
    login(client, world.consultant)
    r = client.post(
        f"/cases/{case.id}/contacts",
        data={
            "kind": "contact",
            "location": "phone",
            "occurred_at": local_input(clock, hours=1),
            "note": "Talte om morgenvagter",
        },
    )
    assert r.status_code == 302
    after = htmllib.unescape(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "Kontakten er gemt" in after
    r = client.post(
        f"/cases/{case.id}/profile",
        data={"wishes_and_dreams": "Være dyrepasser", "job_preferences": "Zoo", "disclosure": "partial"},
    )
    assert r.status_code == 302
    step(client, db, case, "start_search")
    r = client.post(
        "/employer-contacts/new",
        data={
            "employer_name": "Zoologisk Have",
            "occurred_at": local_input(clock, hours=1),
            "face_to_face": "y",
            "location": "community",
            "case_id": case.id,
            "note": "Søger dyrepasser-elev",
        },
    )
    assert r.status_code == 302
    r = client.post(
        f"/cases/{case.id}/steps",
        data={"type": "internship", "employer_name": "Dyrehandlen", "start_date": clock.now().date().isoformat()},
    )
    assert r.status_code == 302
    page = step(
        client,
        db,
        case,
        "start_job",
        employer_name="Zoologisk Have",
        placement_type="ordinary_job",
        start_date=clock.now().date().isoformat(),
        benefits_counselling_offered="y",
    )
    # No consent to tell psychiatry about work: the page says so, in words.
    assert "Jobstart gemt. Jobcentret får besked." in page
    assert "Psykiatrien får ikke besked: der mangler samtykke." in page
    clock.advance(days=10)
    login(client, world.consultant)  # the session ended while idle
    page = step(
        client,
        db,
        case,
        "end_job",
        end_reason="dismissed",
        end_date=clock.now().date().isoformat(),
        note="For tunge løft",
    )
    assert "Jobophøret er gemt" in page
    login(client, world.consultant)
    r = client.post(
        f"/cases/{case.id}/reviews",
        data={
            "held_at": local_input(clock, minutes=5),
            "clinician_present": "y",
            "what_worked": "Dyrene",
            "what_did_not": "Tunge løft",
            "adjust_hours": "Færre timer",
            "adjust_tasks": "Ingen løft over 10 kg",
            "adjust_mentor": "Mentor på stedet",
            "adjust_aids": "Løftevogn",
            "adjust_disclosure": "Fortæller lederen",
        },
    )
    assert r.status_code == 302
    consultant_page = page_of(client, world.consultant, case)
    for typed in (
        "Talte om morgenvagter",
        "Være dyrepasser",
        "Zoo",
        "Zoologisk Have",
        "Søger dyrepasser-elev",
        "Dyrehandlen",
        "For tunge løft",
        "Dyrene",
        "Tunge løft",
        "Færre timer",
        "Ingen løft over 10 kg",
        "Mentor på stedet",
        "Løftevogn",
        "Fortæller lederen",
    ):
        assert typed in consultant_page, typed
    # The coordinator sees the placements part: the employer contact and the step.
    coordinator_page = page_of(client, world.coordinator, case)
    for typed in ("Zoologisk Have", "Søger dyrepasser-elev", "Dyrehandlen"):
        assert typed in coordinator_page, typed
    # Psychiatry and the jobcenter do not read contact notes or the review.
    for who in (world.clinician, world.caseworker):
        assert "Tunge løft" not in page_of(client, who, case)


def test_consent_and_shared_information_are_shown_to_those_who_may_read_them(client, world, db, clock):
    case = world.case_in("engagement")
    login(client, world.consultant)
    r = client.post(
        f"/cases/{case.id}/consents",
        data={
            "from_party": "psychiatry",
            "to_party": "ips_team",
            "categories": ["coping_strategies"],
            "purpose": "Støtte i det nye job",
            "given_at": clock.now().date().isoformat(),
        },
    )
    assert r.status_code == 302
    login(client, world.clinician)
    r = client.post(
        f"/cases/{case.id}/shared-health-info", data={"category": "coping_strategies", "text": "Korte pauser hjælper"}
    )
    assert r.status_code == 302
    for who in (world.consultant, world.clinician):
        page = page_of(client, who, case)
        assert "Korte pauser hjælper" in page and "Støtte i det nye job" in page, who.role
    consent_only = page_of(client, world.caseworker, case)
    assert "Støtte i det nye job" in consent_only and "Korte pauser hjælper" not in consent_only


def test_with_consent_psychiatry_is_told_and_the_page_says_so(client, world, db, clock):
    case = world.case_in("job_search")
    world.consent_employment_to_psychiatry(case)
    login(client, world.consultant)
    page = step(
        client,
        db,
        case,
        "start_job",
        employer_name="Bageriet",
        placement_type="ordinary_job",
        start_date=clock.now().date().isoformat(),
        benefits_counselling_offered="y",
    )
    assert "Jobstart gemt. Psykiatrien og jobcentret får besked." in page
    assert "mangler samtykke" not in page

"""The employer register, openings, matching, this week's contacts and moving a follow-up, as pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ips_coord.models import AccessLog, EmployerContact, FollowUp
from ips_coord.models.employer import Employer, FollowUpChange, Opening, Suggestion
from ips_coord.services import activities as act
from ips_coord.services import employers as emp
from tests.factories import login


def _outsider(app, world):
    other = app.test_client()
    login(other, world.outsider)
    return other


def test_register_page_adds_refuses_duplicates_and_searches(app, client, world, db):
    login(client, world.consultant)
    r = client.post("/employers", data={"name": "Føtex Nordby", "cvr": "10150817", "industry": "Detail"})
    assert r.status_code == 302
    r = client.post("/employers", data={"name": "FØTEX NORDBY"})
    assert r.status_code == 400 and "allerede i registret" in r.get_data(as_text=True)
    assert "FØTEX NORDBY" in r.get_data(as_text=True)  # what was typed is shown back
    r = client.post("/employers", data={"name": "Bad", "cvr": "12345678"})
    assert r.status_code == 400 and "CVR" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Employer.id))) == 1
    assert client.get("/employers/search.json?q=FØT").json[0]["name"] == "Føtex Nordby"
    page = client.get("/employers?q=nordby").get_data(as_text=True)
    assert "Føtex Nordby" in page
    employer_id = db.session.scalar(select(Employer.id))
    assert _outsider(app, world).get(f"/employers/{employer_id}").status_code == 404


def test_contact_form_with_person_purpose_and_next_step_then_this_weeks_list(client, world, clock, db):
    employer = emp.create_employer(world.consultant, {"name": "Lageret A/S"})
    person = emp.add_person(employer, world.consultant, {"name": "Mette Madsen"})
    case = world.case_in("job_search")
    login(client, world.consultant)
    form = client.get(f"/employer-contacts/new?employer_id={employer.id}").get_data(as_text=True)
    assert "Mette Madsen" in form and 'value="Lageret A/S"' in form
    r = client.post(
        f"/employer-contacts/new?employer_id={employer.id}",
        data={
            "employer_name": "Lageret A/S",
            "person_id": person.id,
            "purpose": "learn_needs",
            "occurred_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "face_to_face": "y",
            "location": "community",
            "case_id": case.id,
            "outcome": "Mangler folk",
            "next_step": "Send CV",
            "next_step_due": (clock.now() + timedelta(days=2)).date().isoformat(),
        },
    )
    assert r.status_code == 302
    row = db.session.scalar(select(EmployerContact))
    assert (row.employer_id, row.person_id, row.purpose, row.next_step) == (
        employer.id,
        person.id,
        "learn_needs",
        "Send CV",
    )
    week = client.get("/employer-contacts/week").get_data(as_text=True)
    assert "Lageret A/S" in week and "Mette Madsen" in week and case.reference in week and "Send CV" in week
    assert "Lære arbejdsgiverens behov at kende" in week
    assert (
        db.session.scalar(
            select(func.count(AccessLog.id)).where(AccessLog.case_id == case.id, AccessLog.view == "employers.week")
        )
        >= 1
    )
    assert "Se dem" in client.get("/my-day").get_data(as_text=True)
    # No disclosure: the citizen cannot be named on an employer contact.
    act.save_profile(case, world.consultant, {"disclosure": "none"})
    r = client.post(
        "/employer-contacts/new",
        data={
            "employer_name": "Lageret A/S",
            "occurred_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "location": "community",
            "case_id": case.id,
        },
    )
    assert r.status_code == 400 and "valgt ikke at fortælle" in r.get_data(as_text=True)


def test_matches_page_explains_in_danish_and_records_a_suggestion(app, client, world, clock, db):
    employer = emp.create_employer(world.consultant, {"name": "Lageret A/S"})
    opening = emp.create_opening(employer, world.consultant, {"title": "Lagermedarbejder", "hours_per_week": 20})
    case = world.case_in("job_search")
    act.save_profile(case, world.consultant, {"job_preferences": "lager, 20 timer", "disclosure": "full"})
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}/matches").get_data(as_text=True)
    assert "Lagermedarbejder" in page and "ønsker lager; timer 20" in page
    r = client.post("/suggestions", data={"opening_id": opening.id, "case_id": case.id})
    assert r.status_code == 302
    s = db.session.scalar(select(Suggestion))
    assert client.post(f"/suggestions/{s.id}/outcome", data={"outcome": "applied", "note": "Søgt"}).status_code == 302
    db.session.refresh(s)
    assert s.outcome == "applied" and s.note == "Søgt"
    opening_page = client.get(f"/openings/{opening.id}").get_data(as_text=True)
    assert case.reference in opening_page and "Søgt" not in opening_page
    client.post(f"/openings/{opening.id}/status", data={"status": "closed"})
    db.session.expire_all()
    assert db.session.get(Opening, opening.id).status == "closed"
    other = _outsider(app, world)
    assert other.get(f"/cases/{case.id}/matches").status_code == 404
    assert other.get(f"/openings/{opening.id}").status_code == 404


def test_move_page_moves_and_hands_over_with_history(client, world, clock, db):
    case = world.case_in("engagement")
    fu = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == "joint_start_meeting"))
    login(client, world.consultant)
    assert "Flyt eller overdrag" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    r = client.post(f"/follow-ups/{fu.id}/move", data={"due_on": "", "assignee_id": "0", "reason": ""})
    assert r.status_code == 400
    new = (fu.due_at + timedelta(days=7)).date().isoformat()
    r = client.post(
        f"/follow-ups/{fu.id}/move",
        data={"due_on": new, "assignee_id": world.colleague.id, "reason": "Behandleren er på ferie"},
    )
    assert r.status_code == 302
    db.session.refresh(fu)
    assert fu.assignee_id == world.colleague.id and fu.due_at.date().isoformat() == new
    page = client.get(f"/follow-ups/{fu.id}/move").get_data(as_text=True)
    assert "Behandleren er på ferie" in page
    assert db.session.scalar(select(func.count(FollowUpChange.id))) == 1


def test_follow_along_contact_names_a_citizen_in_work_or_referred(client, world, clock, db):
    """A follow-along visit to the employer of a citizen in work is the main reason to name one."""
    employed = world.case_in("employed")
    referred = world.case_in("referred")
    education = world.case_in("in_education")
    paused = world.case_in("paused")
    closed = world.case_in("closed")
    login(client, world.consultant)
    form = client.get("/employer-contacts/new").get_data(as_text=True)
    for case in (employed, referred, education, paused):
        assert case.reference in form
    assert closed.reference not in form
    for case, purpose in ((employed, "follow_along"), (referred, "first_meeting"), (education, "follow_along")):
        r = client.post(
            "/employer-contacts/new",
            data={
                "employer_name": "Bageriet",
                "purpose": purpose,
                "occurred_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
                "face_to_face": "y",
                "location": "community",
                "case_id": case.reference,
            },
        )
        assert r.status_code == 302, r.get_data(as_text=True)
        row = db.session.scalar(select(EmployerContact).where(EmployerContact.case_id == case.id))
        assert row is not None and row.purpose == purpose
    r = client.post(
        "/employer-contacts/new",
        data={
            "employer_name": "Bageriet",
            "occurred_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "location": "community",
            "case_id": closed.reference,
        },
    )
    assert r.status_code == 400 and "Ingen af dine borgere passer" in r.get_data(as_text=True)

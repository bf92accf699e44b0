"""Conversation guides (PostgreSQL and SQLite): the team's own data, started from the standard
set, edited by the team, opened by the consultant, and counted when a contact used one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.clock import utcnow
from ips_coord.models import Contact, ConversationGuide
from ips_coord.services import ServiceError
from ips_coord.services import activities as act
from ips_coord.services import guides as svc
from tests.factories import login


def test_the_team_keeps_its_guides(db, world):
    guides = svc.add_standard_guides(world.coordinator)
    assert len(guides) == len(svc.STANDARD_GUIDES) >= 5
    with pytest.raises(ServiceError):
        svc.add_standard_guides(world.consultant)  # the team has them already
    with pytest.raises(ServiceError):
        svc.save_guide(world.clinician, title="Ikke vores", situation="x" * 5, questions="Hvad?")
    mine = svc.save_guide(
        world.consultant,
        guide=guides[0],
        title="Første samtale",
        situation="De første møder",
        questions="Hvad drømmer du om?\n\nHvornår er du bedst?",
        avoid="",
    )
    assert ConversationGuide.lines(mine.questions) == ["Hvad drømmer du om?", "Hvornår er du bedst?"]
    with pytest.raises(ServiceError) as empty:
        svc.save_guide(world.consultant, title="Tom", situation="Altid", questions="  \n ")
    assert empty.value.field == "questions"
    # Another team's guide cannot be edited, nor used on this team's case.
    other = svc.save_guide(world.outsider, title="Team B's guide", situation="Altid", questions="Hvad?")
    with pytest.raises(ServiceError):
        svc.save_guide(world.consultant, guide=other, title="Overtaget", situation="Altid", questions="Hvad?")
    case = world.case_in("job_search")
    with pytest.raises(ServiceError) as foreign:
        act.log_contact(
            case, world.consultant, kind="contact", occurred_at=utcnow(), location="community", guide_id=other.id
        )
    assert foreign.value.field == "guide_id"
    # A contact records the guide it used, and the coordinator sees the count.
    act.log_contact(
        case, world.consultant, kind="contact", occurred_at=utcnow(), location="community", guide_id=guides[2].id
    )
    act.log_contact(
        case,
        world.consultant,
        kind="contact",
        occurred_at=utcnow() - timedelta(days=100),
        location="office",
        guide_id=guides[2].id,
    )  # older than 90 days: not counted
    assert db.session.scalar(select(Contact.guide_id).order_by(Contact.occurred_at.desc()).limit(1)) == guides[2].id
    assert svc.usage(world.team.id, utcnow()) == {guides[2].id: 1}


def test_the_pages(app, client, db, world):
    login(client, world.consultant)
    page = client.get("/guides").get_data(as_text=True)
    assert "Tilføj standardguiderne" in page
    client.post("/guides/standard")
    page = client.get("/guides").get_data(as_text=True)
    assert "Når borgeren ikke genkender sin sygdom" in page and "<details" in page
    guide = db.session.scalar(select(ConversationGuide).order_by(ConversationGuide.id))
    bad = client.post(
        f"/guides/{guide.id}/edit",
        data={"title": "Ny titel", "situation": "Når som helst", "questions": " ", "avoid": "Intet"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="questions-error"' in html and "Ny titel" in html
    good = client.post(
        f"/guides/{guide.id}/edit",
        data={"title": "Ny titel", "situation": "Når som helst", "questions": "Hvad vil du gerne?", "avoid": ""},
    )
    assert good.status_code == 302 and f"open={guide.id}" in good.headers["Location"]
    assert "Ny titel" in client.get(good.headers["Location"]).get_data(as_text=True)
    coordinator = app.test_client()
    login(coordinator, world.coordinator)
    assert "kontakter de seneste 90 dage" in coordinator.get("/guides").get_data(as_text=True)
    clinician = app.test_client()
    login(clinician, world.clinician)
    assert clinician.get("/guides").status_code == 404


def test_the_contact_form_records_the_guide_used(app, client, db, world):
    guides = svc.add_standard_guides(world.coordinator)
    other = svc.save_guide(world.outsider, title="Team B's guide", situation="Altid", questions="Hvad?")
    case = world.case_in("job_search")
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}?open=contact").get_data(as_text=True)
    assert "Samtaleguide brugt" in page and guides[1].title in page and "Åbn samtaleguiderne" in page
    when = utcnow().strftime("%Y-%m-%dT%H:%M")
    wrong = client.post(
        f"/cases/{case.id}/contacts",
        data={
            "kind": "contact",
            "occurred_at": when,
            "location": "community",
            "note": "Talte om drømme",
            "guide_id": str(other.id),
        },
    )
    html = wrong.get_data(as_text=True)
    assert wrong.status_code in (400, 422) and "Vælg en af teamets samtaleguides." in html
    assert "Talte om drømme" in html  # what was typed is shown back
    done = client.post(
        f"/cases/{case.id}/contacts",
        data={
            "kind": "contact",
            "occurred_at": when,
            "location": "community",
            "note": "Talte om drømme",
            "guide_id": str(guides[1].id),
        },
    )
    assert done.status_code == 302
    assert (
        db.session.scalar(
            select(Contact.guide_id).where(Contact.case_id == case.id).order_by(Contact.id.desc()).limit(1)
        )
        == guides[1].id
    )
    plain = client.post(
        f"/cases/{case.id}/contacts", data={"kind": "contact", "occurred_at": when, "location": "office"}
    )
    assert plain.status_code == 302  # no guide is fine

"""Finding things without the search box: the employer-contact form's searchable "for citizen"
field (no JavaScript needed), the team's case list in whole phase groups under the right
heading, and a coordinator clicking a consultant to see their cases."""

from __future__ import annotations

import html as htmllib
import re

import pytest
from sqlalchemy import select

from ips_coord.models import EmployerContact
from ips_coord.services import activities as act
from ips_coord.web.cases import pack_pages
from ips_coord.workflows.phases import Phase
from tests.factories import login as _login

pytestmark = pytest.mark.sqlite_too  # the citizen search behind the form field differs per database


def login(client, user):
    client.post("/logout")
    assert _login(client, user).status_code == 302


def text(r) -> str:
    return htmllib.unescape(r.get_data(as_text=True))


def test_pages_hold_whole_phase_groups():
    counts = {Phase.REFERRED: 30, Phase.ENGAGEMENT: 60, Phase.JOB_SEARCH: 250, Phase.EMPLOYED: 20, Phase.CLOSED: 90}
    pages = pack_pages(counts, size=100)
    assert pages == [
        [(Phase.REFERRED, 0, 30), (Phase.ENGAGEMENT, 0, 60)],
        [(Phase.JOB_SEARCH, 0, 100)],
        [(Phase.JOB_SEARCH, 100, 100)],
        [(Phase.JOB_SEARCH, 200, 100)],
        [(Phase.EMPLOYED, 0, 20)],
        [(Phase.CLOSED, 0, 90)],
    ]
    # No group that fits on a page is ever split.
    for phase, n in counts.items():
        if n <= 100:
            assert sum(1 for page in pages for p, _o, _l in page if p == phase) == 1
    assert pack_pages({}) == []


def test_citizen_field_is_searchable_by_name_and_number_without_javascript(client, world, db, clock):
    def named(first, last):
        case = act.create_referral(
            {"first_name": first, "last_name": last, "birth_year": 1980},
            world.consultant,
            psychiatry_contact_id=world.clinician.id,
        )
        return world.step(case, "enrol")

    anna, bent, anne = named("Anna", "Østergaard"), named("Bent", "Andersen"), named("Anne", "Holm")
    login(client, world.consultant)
    page = text(client.get("/employer-contacts/new"))
    # A text field with a list the browser filters as one types (HTML, no script), sorted by name.
    assert re.search(r'<input[^>]+id="case_id"[^>]+list="citizen-names"', page) or re.search(
        r'<input[^>]+list="citizen-names"[^>]+id="case_id"', page
    )
    assert '<select id="case_id"' not in page
    options = re.findall(r'<option value="([^"]+ \(IPS-\d+\))">', page)
    assert options == [
        f"Bent Andersen ({bent.reference})",
        f"Anne Holm ({anne.reference})",
        f"Anna Østergaard ({anna.reference})",
    ]

    def post(typed):
        return client.post(
            "/employer-contacts/new",
            data={
                "employer_name": "Cykelsmeden",
                "occurred_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
                "face_to_face": "y",
                "location": "community",
                "case_id": typed,
            },
        )

    for typed, case in ((f"Bent Andersen ({bent.reference})", bent), ("østergaard", anna), (anne.reference, anne)):
        assert post(typed).status_code == 302, typed
        contact = db.session.scalars(select(EmployerContact).order_by(EmployerContact.id.desc())).first()
        assert contact.case_id == case.id, typed
    several = post("ann")
    assert several.status_code == 400
    assert "Flere borgere passer" in text(several) and 'value="ann"' in text(several)
    none = post("Zacharias")
    assert none.status_code == 400 and "Ingen af dine borgere passer." in text(none)
    stranger = act.create_referral({"first_name": "Fremmed", "last_name": "Person", "birth_year": 1970}, world.outsider)
    assert post(stranger.reference).status_code == 400


def test_team_list_is_headed_as_the_team_and_a_coordinator_opens_a_consultants_cases(client, world, db):
    mine = world.referral()
    theirs = world.referral(consultant_id=world.colleague.id)
    login(client, world.consultant)
    own = text(client.get("/cases"))
    assert "<h1>Mine forløb" in own and mine.reference in own and theirs.reference not in own
    team = text(client.get("/cases?scope=team"))
    assert "<h1>Teamets forløb" in team and "Mine forløb" not in team
    assert mine.reference in team and theirs.reference in team
    assert 'Henvist <span class="count">(2)</span>' in team  # the group's count, not the page's

    login(client, world.coordinator)
    assert "<h1>Teamets forløb" in text(client.get("/cases"))
    overview = text(client.get("/coordinator"))
    link = f'href="/cases?consultant={world.colleague.id}"'
    assert link in overview
    colleague = text(client.get(f"/cases?consultant={world.colleague.id}"))
    assert f"Forløb hos {world.colleague.name}" in colleague
    assert theirs.reference in colleague and mine.reference not in colleague
    assert client.get(f"/cases?consultant={world.outsider.id}").status_code == 404  # another team's

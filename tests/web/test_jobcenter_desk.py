"""The jobcenter caseworker's desk: *Mine borgere i IPS* with the active courses first and a
filter; decisions (a fleksjob assessment, mentor hours...) as structured fields (outcome, hours,
date, next date), correctable in place, every field with a label bound to it."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from ips_coord.models import BenefitFact, CaseEvent
from tests.factories import login


def _labels_bound(html: str) -> None:
    """Every input, select and textarea (but hidden ones) has a <label for=its id>."""
    labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag or 'type="checkbox"' in tag:
            continue
        found = re.search(r'\bid="([^"]+)"', tag)
        assert found and found.group(1) in labelled, tag


def test_my_citizens_in_ips_active_first_with_a_filter(client, world, clock):
    employed = world.case_in("employed")
    searching = world.case_in("job_search")
    referred = world.case_in("referred")
    closed = world.case_in("closed")
    login(client, world.caseworker)
    page = client.get("/jobcenter").get_data(as_text=True)
    positions = [page.find(c.reference) for c in (employed, searching, referred)]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    assert closed.reference not in page
    assert re.search(r'<label for="show">Vis</label>', page) and 'option value="active" selected' in page
    ended = client.get("/jobcenter?show=ended").get_data(as_text=True)
    assert closed.reference in ended and employed.reference not in ended
    everything = client.get("/jobcenter?show=all").get_data(as_text=True)
    assert all(c.reference in everything for c in (employed, searching, referred, closed))
    assert everything.find(employed.reference) < everything.find(closed.reference)
    assert client.get("/jobcenter?show=nonsense").status_code == 200  # an unknown filter shows the active
    _labels_bound(page[page.index("<main") :])


def test_a_fleksjob_assessment_as_structured_fields_corrected_in_place(client, world, clock, db):
    case = world.case_in("job_search")
    other = world.case_in("job_search")
    login(client, world.caseworker)
    today = clock.now().date()
    r = client.post(
        f"/cases/{case.id}/decisions",
        data={
            "kind": "flexjob_assessment",
            "benefit": "Fleksjobvurdering",
            "outcome": "pending",
            "on_date": today.isoformat(),
            "next_date": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert r.status_code == 302
    fact = db.session.scalar(select(BenefitFact).where(BenefitFact.case_id == case.id))
    assert (fact.kind, fact.outcome, fact.next_date) == ("flexjob_assessment", "pending", today + timedelta(days=30))
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    section = page[page.index('id="decisions"') :]
    section = section[: section.index("</section>")]
    assert "Afventer afgørelse" in section and (today + timedelta(days=30)).strftime("næste: %d.%m.%Y") in section
    _labels_bound(section)
    # The outcome is known: the decision is changed where it is listed.
    p = f"d{fact.id}-"
    r = client.post(
        f"/cases/{case.id}/decisions/{fact.id}",
        data={
            p + "kind": "flexjob_assessment",
            p + "benefit": "Fleksjobvurdering",
            p + "outcome": "granted",
            p + "hours": "12",
            p + "on_date": today.isoformat(),
            p + "next_date": (today + timedelta(days=365)).isoformat(),
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#decision-{fact.id}")
    db.session.expire_all()
    fact = db.session.get(BenefitFact, fact.id)
    assert (fact.outcome, fact.hours, fact.updated_by_id) == ("granted", 12.0, world.caseworker.id)
    assert "Bevilget" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert db.session.scalar(
        select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.event == "benefit_recorded").limit(1)
    )
    # A next date before the decision: told next to the field, nothing changed.
    r = client.post(
        f"/cases/{case.id}/decisions/{fact.id}",
        data={
            p + "kind": "flexjob_assessment",
            p + "benefit": "Fleksjobvurdering",
            p + "outcome": "granted",
            p + "on_date": today.isoformat(),
            p + "next_date": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert re.search(rf'id="{p}next_date-error">Næste dato kan ikke ligge før afgørelsens dato', body)
    # Another case's decision is not reachable through this one.
    assert client.post(f"/cases/{other.id}/decisions/{fact.id}", data={}).status_code == 404
    # The API carries the same fields.
    from tests.factories import bearer

    r = client.post(
        f"/api/v1/cases/{case.id}/benefit-facts",
        headers=bearer(world.caseworker),
        json={
            "benefit": "Mentor",
            "kind": "mentor_hours",
            "hours": 3,
            "outcome": "granted",
            "next_date": (today + timedelta(days=90)).isoformat(),
        },
    )
    assert r.status_code == 201, r.json
    assert r.json["outcome"] == "granted" and r.json["next_date"] == (today + timedelta(days=90)).isoformat()

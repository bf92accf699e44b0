"""The sectors at work on the pages: the coordinator's queue and assignment, consent asked at enrolment,
what was not sent for lack of consent shown on the case page with a link to record it, sharing
that the team cannot see asks first, and each user's inbox with its unread count."""

from __future__ import annotations

import re

from sqlalchemy import select

from ips_coord.models import AccessLog, InboxItem, IpsCase, Notification, SharedHealthInfo
from ips_coord.services import activities as act
from tests.factories import login as _login


def login(client, user):
    """Sign out whoever is signed in, then sign in as `user`."""
    client.post("/logout")
    return _login(client, user)


def _fresh(db, case):
    db.session.expire_all()
    return db.session.get(IpsCase, case.id)


def _psychiatry_referral(client, world):
    login(client, world.clinician)
    r = client.post(
        "/cases/new",
        data={
            "first_name": "Vibe",
            "last_name": "Henvisning",
            "ips_team_id": world.team.id,
            "psychiatry_contact_id": world.clinician.id,
            "jobcenter_caseworker_id": 0,
            "out_of_work": "y",
        },
    )
    assert r.status_code == 302
    client.post("/logout")
    from ips_coord.extensions import db

    return db.session.scalar(select(IpsCase).order_by(IpsCase.id.desc()).limit(1))


def test_queue_assign_and_the_referrer_is_told(client, world, db, clock):
    case = _psychiatry_referral(client, world)
    login(client, world.coordinator)
    page = client.get("/coordinator").get_data(as_text=True)
    assert "Ufordelte henvisninger (1)" in page and case.reference in page
    assert world.clinician.name in page  # who referred it
    # Assigning is the team's coordinator's: a consultant, or another team's coordinator, gets a 404.
    for other in (world.consultant,):
        login(client, other)
        assert (
            client.post(
                f"/coordinator/cases/{case.id}/assign", data={f"a{case.id}-consultant_id": world.consultant.id}
            ).status_code
            == 404
        )
    login(client, world.coordinator)
    r = client.post(
        f"/coordinator/cases/{case.id}/assign",
        data={
            f"a{case.id}-consultant_id": world.consultant.id,
            f"a{case.id}-team_id": world.team.id,
            f"a{case.id}-next": "/coordinator#queue",
        },
    )
    assert r.status_code == 302 and r.headers["Location"].endswith("/coordinator#queue")
    assert _fresh(db, case).consultant_id == world.consultant.id
    page = client.get("/coordinator").get_data(as_text=True)
    assert "Ufordelte henvisninger (0)" in page and "fordelt til" in page
    assert db.session.scalar(
        select(AccessLog.id).where(
            AccessLog.case_id == case.id, AccessLog.action == "write", AccessLog.user_id == world.coordinator.id
        )
    )
    # The consultant sees the first-contact follow-up; the clinician's inbox says who took it.
    login(client, world.consultant)
    assert "Første kontakt med borgeren (inden 7 dage)" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    login(client, world.clinician)
    home = client.get("/cases").get_data(as_text=True)
    assert re.search(r'Inbox <span class="badge"[^>]*>1</span>', home)  # the clinician reads English
    inbox = client.get("/inbox").get_data(as_text=True)
    assert f"Assigned to {world.consultant.name}" in inbox and case.reference in inbox
    assert db.session.scalar(
        select(AccessLog.id).where(
            AccessLog.case_id == case.id, AccessLog.part == "inbox", AccessLog.user_id == world.clinician.id
        )
    )


def test_coordinator_moves_a_case_from_the_case_page(client, world, db, clock):
    case = world.case_in("engagement")
    login(client, world.coordinator)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Konsulent og team" in page
    r = client.post(
        f"/coordinator/cases/{case.id}/assign",
        data={
            f"a{case.id}-consultant_id": world.outsider.id,
            f"a{case.id}-team_id": world.team.id,
            f"a{case.id}-municipality": "Sydstrand",
            f"a{case.id}-next": f"/cases/{case.id}",
        },
    )
    # A consultant of another team takes the case there; it is no longer this coordinator's.
    assert r.status_code == 302 and r.headers["Location"].endswith("/coordinator")
    moved = _fresh(db, case)
    assert (moved.consultant_id, moved.ips_team_id, moved.citizen.municipality) == (
        world.outsider.id,
        world.other_team.id,
        "Sydstrand",
    )
    login(client, world.outsider)
    history = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Konsulent fordelt" in history
    # The history keeps from where to where: consultant, team and municipality.
    assert f"konsulent: {world.consultant.name} → {world.outsider.name}" in history
    assert "team: IPS Team A → IPS Team B" in history and "kommune: – → Sydstrand" in history


def test_enrolment_asks_for_consent_and_the_case_page_says_what_was_not_sent(client, world, db, clock):
    case = world.referral(first="Ulla")
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}?open=next-enrol").get_data(as_text=True)  # the enrolment form, opened
    assert "Borgeren giver samtykke: psykiatrien orienteres om forløbet" in page
    r = client.post(
        f"/cases/{case.id}/transition",
        data={"event": "enrol", "version": case.version, "psychiatry_contact_id": world.clinician.id},
    )
    assert r.status_code == 302
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Ikke sendt, fordi samtykket mangler" in page and '<a href="#consent">Registrér samtykket</a>' in page
    assert "nej: samtykke mangler" in page
    login(client, world.coordinator)
    overview = client.get("/coordinator").get_data(as_text=True)
    assert re.search(r"<strong>1</strong>forløb, hvor psykiatrien ikke fik besked", overview)
    # The consultant records the consent on the page: the start e-mail goes out after all.
    login(client, world.consultant)
    r = client.post(
        f"/cases/{case.id}/consents",
        data={
            "from_party": "ips_team",
            "to_party": "psychiatry",
            "categories": ["employment_progress"],
            "purpose": "Orientering",
            "given_at": clock.now().date().isoformat(),
        },
    )
    assert r.status_code == 302
    assert (
        db.session.scalar(
            select(Notification.status).where(Notification.case_id == case.id, Notification.kind == "case_enrolled")
        )
        == "pending"
    )
    assert "Ikke sendt, fordi samtykket mangler" not in client.get(f"/cases/{case.id}").get_data(as_text=True)

    # With the box ticked at enrolment, nothing is withheld.
    other = world.referral(first="Ulrik")
    r = client.post(
        f"/cases/{other.id}/transition",
        data={
            "event": "enrol",
            "version": other.version,
            "psychiatry_contact_id": world.clinician.id,
            "consent_psychiatry": "y",
            "consent_jobcenter": "y",
        },
    )
    assert r.status_code == 302
    assert (
        db.session.scalar(
            select(Notification.status).where(Notification.case_id == other.id, Notification.kind == "case_enrolled")
        )
        == "pending"
    )
    assert "Ikke sendt" not in client.get(f"/cases/{other.id}").get_data(as_text=True)


def test_sharing_the_team_cannot_see_asks_and_says_who_will_not_see_it(client, world, db, clock):
    case = world.case_in("engagement")
    login(client, world.clinician)
    page = client.get(f"/cases/{case.id}?open=shared").get_data(as_text=True)  # the form opens on demand
    # (The clinician reads English.)
    assert "The citizen has not consented to psychiatry sharing with the IPS team" in page
    r = client.post(f"/cases/{case.id}/shared-health-info", data={"category": "strengths", "text": "Meget vedholdende"})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "The IPS team cannot see this" in body and "Meget vedholdende" in body  # what was typed is kept
    r = client.post(
        f"/cases/{case.id}/shared-health-info",
        data={"category": "strengths", "text": "Meget vedholdende", "confirm_unseen": "y"},
        follow_redirects=True,
    )
    assert "the IPS team does not see it until the citizen consents" in r.get_data(as_text=True)
    assert db.session.scalar(select(SharedHealthInfo.text).where(SharedHealthInfo.case_id == case.id))
    # Under consent, it is shared at once and the consultant sees it, and is told in the inbox.
    act.record_consent(
        _fresh(db, case),
        world.clinician,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["strengths"],
        purpose="Koordinering",
        given_at=clock.now().date(),
        expires_at=None,
    )
    r = client.post(
        f"/cases/{case.id}/shared-health-info",
        data={"category": "strengths", "text": "Godt humør"},
        follow_redirects=True,
    )
    assert "Shared with the IPS team." in r.get_data(as_text=True)
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Godt humør" in page and "Meget vedholdende" in page
    assert "Delt med dig" in client.get("/inbox").get_data(as_text=True)


def test_inbox_read_unread_is_each_users_own(client, world, db, clock):
    case = world.case_in("engagement")
    consent = world.consent_employment_to_psychiatry(_fresh(db, case))
    act.withdraw_consent(consent, world.consultant, requested_by="citizen", confirmed=True)
    mine = db.session.scalar(select(InboxItem).where(InboxItem.user_id == world.caseworker.id))
    login(client, world.clinician)
    assert client.post(f"/inbox/{mine.id}/read").status_code == 404  # another user's item
    page = client.get("/inbox").get_data(as_text=True)
    assert "Consent withdrawn" in page and "New" in page
    r = client.post("/inbox/read-all", follow_redirects=True)
    assert "All items are marked as read" in r.get_data(as_text=True)
    assert not re.search(r'Inbox <span class="badge"', r.get_data(as_text=True))
    login(client, world.caseworker)
    assert client.post(f"/inbox/{mine.id}/read").status_code == 302
    assert _fresh(db, case) and db.session.get(InboxItem, mine.id).read_at is not None
    login(client, world.admin)
    assert client.get("/inbox").status_code == 404  # no cases, no inbox


def test_an_api_referral_by_a_clinician_reaches_the_team_queue_like_the_page(client, world, db, clock):
    """One referral service for the page and the API: a clinician's referral without a consultant
    lands in an IPS team's queue (chosen, or derived), never in the clinician's own organisation."""
    from ips_coord.models import Organisation
    from ips_coord.workflows.phases import OrgKind
    from tests.factories import bearer

    h = bearer(world.clinician)
    # Derived: the team the clinician already works with (every case of this world is Team A's).
    world.referral(first="Tidligere")
    r = client.post(
        "/api/v1/cases",
        headers=h,
        json={"citizen": {"first_name": "Api", "last_name": "Henvisning"}, "psychiatry_contact_id": world.clinician.id},
    )
    assert r.status_code == 201, r.json
    derived = db.session.get(IpsCase, r.json["id"])
    assert derived.ips_team_id == world.team.id and derived.consultant_id is None
    # Chosen: another team's queue.
    r = client.post(
        "/api/v1/cases",
        headers=h,
        json={"citizen": {"first_name": "Api", "last_name": "Valgt"}, "ips_team_id": world.other_team.id},
    )
    assert r.status_code == 201, r.json
    chosen = db.session.get(IpsCase, r.json["id"])
    assert chosen.ips_team_id == world.other_team.id
    # A psychiatry organisation is no IPS team: refused, naming the field.
    r = client.post(
        "/api/v1/cases",
        headers=h,
        json={"citizen": {"first_name": "Api", "last_name": "Forkert"}, "ips_team_id": world.psychiatry.id},
    )
    assert r.status_code == 422 and "ips_team_id" in r.json["errors"]
    # No case of any referral sits in a non-team organisation.
    kinds = set(db.session.scalars(select(Organisation.kind).join(IpsCase, IpsCase.ips_team_id == Organisation.id)))
    assert kinds == {OrgKind.IPS_TEAM}
    # The coordinator's page shows the API's referral in the queue, with who referred it.
    login(client, world.coordinator)
    page = client.get("/coordinator").get_data(as_text=True)
    queue = page[page.index('id="queue"') :]
    assert derived.reference in queue and world.clinician.name in queue
    # The page refers through the same service: the same queue.
    login(client, world.clinician)
    r = client.post(
        "/cases/new",
        data={
            "first_name": "Side",
            "last_name": "Henvisning",
            "ips_team_id": world.team.id,
            "psychiatry_contact_id": 0,
            "jobcenter_caseworker_id": 0,
            "out_of_work": "y",
        },
    )
    assert r.status_code == 302
    page_case = db.session.scalar(select(IpsCase).order_by(IpsCase.id.desc()).limit(1))
    assert page_case.ips_team_id == world.team.id and page_case.consultant_id is None


def test_a_referral_with_no_team_to_derive_asks_for_one(client, world, db):
    from tests.factories import bearer

    # The other clinician works with no team yet and there are two teams: the API asks.
    r = client.post(
        "/api/v1/cases",
        headers=bearer(world.other_clinician),
        json={"citizen": {"first_name": "Ingen", "last_name": "Hold"}},
    )
    assert r.status_code == 422 and "ips_team_id" in r.json["errors"]


def test_the_clinician_sees_who_the_citizen_is_and_the_share_form_starts_on_what_the_team_sees(
    client, world, db, clock
):
    case = world.case_in("engagement")
    login(client, world.clinician)  # the clinician on the case (a relation), reading English
    name = case.citizen.full_name
    # The page every e-mail to psychiatry links to, and the case page: the citizen by name.
    treatment = client.get(f"/cases/{case.id}/treatment").get_data(as_text=True)
    assert re.search(rf"<h1>[^<]*{case.reference} · {name}</h1>", treatment)
    page = client.get(f"/cases/{case.id}?open=shared").get_data(as_text=True)
    assert re.search(rf"<h1>{case.reference} · {name}</h1>", page)
    # No consent to share with the team: no category is preselected, each says the team will not see it.
    form = page[page.index('id="shared"') :]
    assert re.search(r'<option selected value="">Choose a category</option>', form)
    assert "Symptoms (the IPS team does not see it)" in form
    # Under consent to one category, the form starts on it; the others are marked.
    act.record_consent(
        _fresh(db, case),
        world.clinician,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["coping_strategies"],
        purpose="Koordinering",
        given_at=clock.now().date(),
        expires_at=None,
    )
    form = client.get(f"/cases/{case.id}?open=shared").get_data(as_text=True)
    form = form[form.index('id="shared"') :]
    selected = re.search(r'<option selected value="([a-z_]+)">([^<]*)</option>', form)
    assert selected.group(1) == "coping_strategies" and "does not see" not in selected.group(2)
    assert "Symptoms (the IPS team does not see it)" in form
    # Another clinician, with no relation to the case, sees nothing of it.
    login(client, world.other_clinician)
    assert client.get(f"/cases/{case.id}/treatment").status_code == 404

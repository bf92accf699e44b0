"""A consultant takes a citizen through IPS on the case page alone; refusals are explained,
typed data is kept on errors, and a stale edit is told, not written."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ips_coord.models import CareerProfile, Contact, IpsCase, JobEndingReview
from tests.factories import login


def post_step(client, case, event, **fields):
    return client.post(f"/cases/{case.id}/transition", data={"event": event, "version": case.version, **fields})


def fresh(db, case):
    db.session.expire_all()
    return db.session.get(IpsCase, case.id)


def test_whole_path_through_the_page(client, world, db, clock):
    case = world.referral()
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Optag i IPS" in page or "Enrol" in page or "Opstart" in page
    r = post_step(client, case, "enrol", psychiatry_contact_id=world.clinician.id)
    assert r.status_code == 302
    case = fresh(db, case)
    assert case.phase == "engagement"
    # Zero exclusion: closing for missed appointments is refused, in plain words, nothing lost.
    r = post_step(client, case, "close", reason="missed_appointments", note="Udeblevet tre gange")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "Nul-eksklusion" in html and "Udeblevet tre gange" in html
    assert fresh(db, case).phase == "engagement"
    r = client.post(
        f"/cases/{case.id}/contacts",
        data={
            "kind": "joint_start_meeting",
            "location": "office",
            "occurred_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 302
    r = client.post(f"/cases/{case.id}/profile", data={"job_preferences": "Lager", "disclosure": "partial"})
    assert r.status_code == 302
    r = post_step(client, fresh(db, case), "start_search")
    assert r.status_code == 302
    # An internship is not a job start.
    r = post_step(
        client,
        fresh(db, case),
        "start_job",
        employer_name="Lageret",
        placement_type="internship",
        start_date=clock.now().date().isoformat(),
    )
    assert r.status_code == 422 and "Ordinær beskæftigelse" in r.get_data(as_text=True)
    r = post_step(
        client,
        fresh(db, case),
        "start_job",
        employer_name="Lageret",
        placement_type="ordinary_job",
        hours_per_week="20",
        start_date=clock.now().date().isoformat(),
        benefits_counselling_offered="y",
    )
    assert r.status_code == 302 and fresh(db, case).phase == "employed"
    clock.advance(days=40)
    login(client, world.consultant)  # the session ended while idle
    r = post_step(client, fresh(db, case), "end_job", end_reason="dismissed", end_date=clock.now().date().isoformat())
    assert r.status_code == 302 and fresh(db, case).phase == "job_ended"
    r = post_step(client, fresh(db, case), "resume_search")
    assert r.status_code == 422 and "opfølgningsmødet" in r.get_data(as_text=True)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Opfølgningsmøde efter jobophør" in page
    r = client.post(
        f"/cases/{case.id}/reviews",
        data={
            "held_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "clinician_present": "y",
            "what_worked": "Kollegerne",
            "what_did_not": "For mange timer",
            "adjust_hours": "12 timer",
            "adjust_mentor": "Mentor fra dag 1",
            "job_preferences": "Lager, færre timer",
        },
    )
    assert r.status_code == 302
    review = db.session.scalar(select(JobEndingReview))
    assert review.adjustments == {"hours": "12 timer", "mentor": "Mentor fra dag 1"}
    newest = db.session.scalar(select(CareerProfile).order_by(CareerProfile.version.desc()))
    assert newest.job_preferences == "Lager, færre timer"
    r = post_step(client, fresh(db, case), "resume_search")
    assert r.status_code == 302 and fresh(db, case).phase == "job_search"


def test_form_errors_keep_what_was_typed(client, world, db):
    case = world.case_in("engagement")
    login(client, world.consultant)
    r = client.post(
        f"/cases/{case.id}/contacts",
        data={"kind": "contact", "location": "office", "occurred_at": "", "note": "Talte om nattevagter"},
    )
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Talte om nattevagter" in html and 'aria-invalid="true"' in html
    assert db.session.scalar(select(Contact)) is None


def test_stale_edit_is_told(client, world, db):
    case = world.case_in("engagement")
    login(client, world.consultant)
    stale_version = case.version
    world.step(case, "start_search")  # someone else moves the case
    r = client.post(
        f"/cases/{case.id}/transition",
        data={"event": "pause", "version": stale_version, "resume_date": "2026-04-01", "note": "Indlagt"},
    )
    assert r.status_code == 409
    html = r.get_data(as_text=True)
    assert "Nogen har ændret forløbet" in html and "Indlagt" in html
    assert fresh(db, case).phase == "job_search"


def test_psychiatry_acknowledges_and_shares_from_the_page(client, world, db, clock):
    case = world.case_in("employed")
    world.consent_employment_to_psychiatry(case)
    clock.advance(days=10)
    case = world.step(fresh(db, case), "end_job", end_reason="quit_with_plan")
    client.post("/logout")
    login(client, world.clinician)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "awaits your acknowledgement" in page  # the clinician reads English
    from ips_coord.models import Notification

    note = db.session.scalar(
        select(Notification).where(Notification.recipient_id == world.clinician.id, Notification.requires_ack.is_(True))
    )
    assert client.post(f"/cases/{case.id}/acknowledge/{note.id}").status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, note.id).acknowledged_at is not None
    # Without the citizen's consent the team would not see it: the page asks first.
    r = client.post(f"/cases/{case.id}/shared-health-info", data={"category": "strengths", "text": "Stabil og grundig"})
    assert r.status_code == 400 and "The IPS team cannot see this" in r.get_data(as_text=True)
    r = client.post(
        f"/cases/{case.id}/shared-health-info",
        data={"category": "strengths", "text": "Stabil og grundig", "confirm_unseen": "y"},
    )
    assert r.status_code == 302
    # The consultant sees it only under consent.
    client.post("/logout")
    login(client, world.consultant)
    assert "Stabil og grundig" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    client.post(
        f"/cases/{case.id}/consents",
        data={
            "from_party": "psychiatry",
            "to_party": "ips_team",
            "categories": ["strengths"],
            "purpose": "Koordinering",
            "given_at": clock.now().date().isoformat(),
            "expires_at": (clock.now().date() + timedelta(days=365)).isoformat(),
        },
    )
    assert "Stabil og grundig" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_referral_form(client, world, db):
    login(client, world.caseworker)
    r = client.post(
        "/cases/new",
        data={
            "first_name": "",
            "last_name": "Lyngvig",
            "psychiatry_contact_id": "0",
            "jobcenter_caseworker_id": str(world.caseworker.id),
        },
    )
    assert r.status_code == 400 and "Lyngvig" in r.get_data(as_text=True)
    r = client.post(
        "/cases/new",
        data={
            "first_name": "Ida",
            "last_name": "Lyngvig",
            "psychiatry_contact_id": "0",
            "jobcenter_caseworker_id": str(world.caseworker.id),
            "out_of_work": "y",
            "ips_team_id": str(world.team.id),
        },
    )
    assert r.status_code == 302
    case = db.session.scalar(select(IpsCase).order_by(IpsCase.id.desc()))
    assert case.phase == "referred" and case.citizen.full_name == "Ida Lyngvig"
    assert case.jobcenter_caseworker_id == world.caseworker.id and case.ips_team_id == world.team.id
    client.post("/logout")
    login(client, world.admin)
    assert client.get("/cases/new").status_code == 404


def test_steps_are_recorded_but_are_not_jobs(client, world, db, clock):
    case = world.case_in("job_search")
    login(client, world.consultant)
    day = clock.now().date().isoformat()
    r = client.post(
        f"/cases/{case.id}/steps",
        data={"type": "internship", "employer_name": "Lageret", "start_date": day, "end_date": "2020-01-01"},
    )
    assert r.status_code == 400 and "Lageret" in r.get_data(as_text=True)
    r = client.post(
        f"/cases/{case.id}/steps", data={"type": "internship", "employer_name": "Lageret", "start_date": day}
    )
    assert r.status_code == 302
    assert fresh(db, case).phase == "job_search"  # a step is not a job start


def test_psychiatry_choices_are_the_regions_clinicians(client, world, db):
    """Enrolment and re-entry offer the clinicians of the region the case works with."""
    from ips_coord.models import Organisation
    from ips_coord.workflows.phases import OrgKind, Role
    from tests.factories import user

    other_region = Organisation(name="Psykiatri Nord", kind=OrgKind.PSYCHIATRY)
    db.session.add(other_region)
    db.session.flush()
    far = user("far@example.test", Role.PSYCHIATRY, other_region, "Fjern Behandler")
    db.session.commit()
    login(client, world.consultant)
    with_contact = world.referral()
    page = client.get(f"/cases/{with_contact.id}?open=next-enrol").get_data(as_text=True)
    assert world.other_clinician.name in page and far.name not in page
    without = world.referral(psychiatry_contact_id=None)
    page = client.get(f"/cases/{without.id}?open=next-enrol").get_data(as_text=True)
    assert world.other_clinician.name in page and far.name in page

"""Services are the only writer: the pages and the API write through the same functions, and a
change that spans several rows is one transaction (written together or not at all)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ips_coord.models import (
    ApiToken,
    CareerProfile,
    CaseEvent,
    FollowUp,
    IpsCase,
    JobEndingReview,
    Placement,
    SharedHealthInfo,
    UserSession,
)
from ips_coord.services import ServiceError, Unprocessable, accounts
from ips_coord.services import activities as act
from tests.factories import bearer, login


def _count(db, model, case):
    return db.session.scalar(select(func.count()).select_from(model).where(model.case_id == case.id))


def _state(db, case):
    """Everything a review (and its profile update) may write on the case."""
    db.session.expire_all()
    fresh = db.session.get(IpsCase, case.id)
    open_fus = sorted(
        db.session.scalars(select(FollowUp.kind).where(FollowUp.case_id == case.id, FollowUp.status == "open"))
    )
    return (
        fresh.version,
        fresh.last_contact_at,
        _count(db, JobEndingReview, case),
        _count(db, CareerProfile, case),
        _count(db, CaseEvent, case),
        open_fus,
    )


def test_review_and_its_profile_update_are_one_transaction(db, world, clock):
    case = world.case_in("job_ended", clock=clock)
    act.save_profile(case, world.consultant, {"wishes_and_dreams": "Arbejde med dyr", "disclosure": "partial"})
    clock.advance(days=2)
    before = _state(db, case)
    # The profile part fails after the review part has been written into the transaction.
    with pytest.raises(ServiceError) as err:
        act.record_review(
            db.session.get(IpsCase, case.id),
            world.consultant,
            held_at=clock.now(),
            what_worked="Kolleger",
            what_did_not="Timer",
            adjustments={"hours": "12 timer"},
            clinician_present=True,
            job_preferences="x" * 5001,
        )
    assert err.value.field == "job_preferences"
    assert _state(db, case) == before  # no review, no profile version, no event, no follow-up change

    review = act.record_review(
        db.session.get(IpsCase, case.id),
        world.consultant,
        held_at=clock.now(),
        what_worked="Kolleger",
        what_did_not="Timer",
        adjustments={},
        clinician_present=True,
        job_preferences="Lager, færre timer",
    )
    assert review.id is not None
    latest = db.session.scalars(
        select(CareerProfile).where(CareerProfile.case_id == case.id).order_by(CareerProfile.version.desc())
    ).first()
    # The new version keeps the rest of the profile and takes the review's job preferences.
    assert (latest.version, latest.job_preferences, latest.wishes_and_dreams, latest.disclosure) == (
        2,
        "Lager, færre timer",
        "Arbejde med dyr",
        "partial",
    )
    assert "job_ending_review" not in _state(db, case)[-1]


def test_review_page_writes_review_and_profile_together(client, world, db, clock):
    case = world.case_in("job_ended", clock=clock)
    clock.advance(days=1)
    login(client, world.consultant)
    held = clock.now().strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        f"/cases/{case.id}/reviews",
        data={"held_at": held, "what_worked": "Kolleger", "job_preferences": "Gartneri", "clinician_present": "y"},
    )
    assert r.status_code == 302
    assert _count(db, JobEndingReview, case) == 1
    newest = select(CareerProfile.job_preferences).where(CareerProfile.case_id == case.id)
    assert db.session.scalar(newest) == "Gartneri"


def test_steps_are_one_rule_for_the_api_and_the_page(client, world, db, clock):
    case = world.case_in("job_search")
    day = clock.now().date()
    with pytest.raises(Unprocessable):
        act.add_step(case, world.consultant, type="ordinary_job", employer_name="Lageret", start_date=day)
    with pytest.raises(ServiceError) as err:
        act.add_step(
            case,
            world.consultant,
            type="internship",
            employer_name="Lageret",
            start_date=day,
            end_date=day - timedelta(days=1),
        )
    assert err.value.field == "end_date"
    # The API and the page answer the same rule from the same service...
    r = client.post(
        f"/api/v1/cases/{case.id}/placements",
        headers=bearer(world.consultant),
        json={"type": "ordinary_job", "employer_name": "Lageret", "start_date": day.isoformat()},
    )
    assert r.status_code == 422 and "type" in r.json["errors"]
    r = client.post(
        f"/api/v1/cases/{case.id}/placements",
        headers=bearer(world.consultant),
        json={
            "type": "internship",
            "employer_name": "Lageret",
            "start_date": day.isoformat(),
            "end_date": (day - timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 422 and "end_date" in r.json["errors"]
    # ...and write the same row.
    r = client.post(
        f"/api/v1/cases/{case.id}/placements",
        headers=bearer(world.consultant),
        json={"type": "internship", "employer_name": "Via API", "start_date": day.isoformat()},
    )
    assert r.status_code == 201
    login(client, world.consultant)
    r = client.post(
        f"/cases/{case.id}/steps",
        data={"type": "internship", "employer_name": "Via siden", "start_date": day.isoformat()},
    )
    assert r.status_code == 302
    rows = {p.employer_name: p for p in db.session.scalars(select(Placement).where(Placement.case_id == case.id))}
    api, page = rows["Via API"], rows["Via siden"]
    assert (api.type, api.start_date, api.end_date, api.supports, api.created_at) == (
        page.type,
        page.start_date,
        page.end_date,
        page.supports,
        page.created_at,
    )
    assert db.session.get(IpsCase, case.id).phase == "job_search"  # a step is not a job start


def test_shared_information_is_one_writer_for_the_api_and_the_page(client, world, db):
    case = world.case_in("engagement")
    r = client.post(
        f"/api/v1/cases/{case.id}/shared-health-info",
        headers=bearer(world.clinician),
        json={"category": "strengths", "text": "Via API"},
    )
    assert r.status_code == 201
    login(client, world.clinician)
    # No consent for the team to see it: the page asks to confirm first.
    r = client.post(
        f"/cases/{case.id}/shared-health-info",
        data={"category": "strengths", "text": "Via siden", "confirm_unseen": "y"},
    )
    assert r.status_code == 302
    rows = db.session.scalars(
        select(SharedHealthInfo).where(SharedHealthInfo.case_id == case.id).order_by(SharedHealthInfo.id)
    ).all()
    assert [(s.text, s.category, s.author_id) for s in rows] == [
        ("Via API", "strengths", world.clinician.id),
        ("Via siden", "strengths", world.clinician.id),
    ]


def test_log_out_everywhere_ends_every_session_and_the_generation_at_once(db, world):
    user = world.consultant
    sids = [accounts.start_session(user) for _ in range(2)]
    generation = user.session_generation
    accounts.end_all_sessions(user)
    db.session.expire_all()
    assert db.session.get(type(user), user.id).session_generation == generation + 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.id.in_(sids), UserSession.ended_at.is_(None))
        )
        == 0
    )


def test_a_token_is_revoked_only_by_its_owner(client, world, db):
    token, row = accounts.create_token(world.consultant, "laptop", days=30)
    r = client.delete(f"/api/v1/tokens/{row.id}", headers=bearer(world.clinician))
    assert r.status_code == 404
    assert db.session.get(ApiToken, row.id).revoked_at is None
    r = client.delete(f"/api/v1/tokens/{row.id}", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json["revoked_at"]
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).revoked_at is not None


def test_review_api_writes_review_and_profile_together(client, world, db, clock):
    case = world.case_in("job_ended", clock=clock)
    clock.advance(days=1)
    r = client.post(
        f"/api/v1/cases/{case.id}/reviews",
        headers=bearer(world.consultant),
        json={"held_at": clock.now().isoformat(), "what_worked": "Kolleger", "job_preferences": "Gartneri"},
    )
    assert r.status_code == 201 and "job_preferences" not in r.json
    assert _count(db, JobEndingReview, case) == 1
    newest = select(CareerProfile.job_preferences).where(CareerProfile.case_id == case.id)
    assert db.session.scalar(newest) == "Gartneri"

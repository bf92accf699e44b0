"""Systematic job development on both databases: the employer register (CVR check, duplicates,
the name merge), disclosure-respecting employer contacts, openings and matching with explanations,
the follow-ups around a job and moving a follow-up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ips_coord.models import CareerProfile, EmployerContact, FollowUp, Placement
from ips_coord.models.employer import Employer, FollowUpChange, OpeningKeyword, Suggestion
from ips_coord.services import Forbidden, ServiceError, matching
from ips_coord.services import activities as act
from ips_coord.services import employers as emp
from ips_coord.services import followups as fus
from ips_coord.workflows.phases import FollowUpKind, FollowUpStatus


def open_kinds(db, case):
    return sorted(
        db.session.scalars(
            select(FollowUp.kind).where(FollowUp.case_id == case.id, FollowUp.status == FollowUpStatus.OPEN)
        )
    )


# --- the register -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "cvr,ok",
    [
        ("10150817", True),
        ("25313763", True),
        ("10150818", False),
        ("1015081", False),
        ("01234567", False),
        ("1015081a", False),
        ("", False),
    ],
)
def test_cvr_number_has_eight_digits_and_a_modulus_11_check(cvr, ok):
    assert emp.cvr_valid(cvr) is ok


def test_register_refuses_a_bad_cvr_and_duplicates_and_merges_names(db, world):
    e = emp.create_employer(
        world.consultant,
        {
            "name": "Føtex Nordby",
            "cvr": "10150817",
            "industry": "Detail",
            "address": "Torvet 1",
            "municipality": "Nordby",
        },
    )
    assert e.name_key == "føtex nordby" and e.ips_team_id == world.team.id
    with pytest.raises(ServiceError) as err:
        emp.create_employer(world.consultant, {"name": "Bad CVR ApS", "cvr": "10150818"})
    assert err.value.field == "cvr"
    with pytest.raises(ServiceError) as err:
        emp.create_employer(world.colleague, {"name": "Another name", "cvr": "10150817"})
    assert err.value.field == "cvr"
    with pytest.raises(ServiceError) as err:
        emp.create_employer(world.colleague, {"name": "  FØTEX   NORDBY "})
    assert err.value.field == "name"
    # Another team keeps a register of its own.
    assert emp.create_employer(world.outsider, {"name": "Føtex Nordby", "cvr": "10150817"}).id != e.id
    # A contact typed in capitals lands on the same employer, and so does a job start.
    contact = act.log_employer_contact(
        world.consultant, employer_name="FØTEX NORDBY", occurred_at=world_now(), location="community"
    )
    assert contact.employer_id == e.id and contact.employer_name == "Føtex Nordby"
    case = world.case_in("job_search")
    world.step(case, "start_job", employer_name="føtex  nordby", benefits_counselling_offered=True)
    assert db.session.scalar(select(Placement.employer_id).where(Placement.case_id == case.id)) == e.id
    assert db.session.scalar(select(func.count(Employer.id)).where(Employer.ips_team_id == world.team.id)) == 1
    assert [x.name for x in emp.search_employers(world.team.id, "føt")] == ["Føtex Nordby"]
    assert emp.search_employers(world.team.id, "100%_") == []


def test_contact_persons_and_a_contact_with_purpose_outcome_and_next_step(db, world, clock):
    e = emp.create_employer(world.consultant, {"name": "Lageret A/S"})
    person = emp.add_person(
        e,
        world.consultant,
        {"name": "Mette Madsen", "phone": "12345678", "email": "mette@lageret.test", "title": "Driftsleder"},
    )
    case = world.case_in("job_search")
    row = act.log_employer_contact(
        world.consultant,
        employer_id=e.id,
        person_id=person.id,
        occurred_at=clock.now(),
        location="community",
        case=case,
        purpose="learn_needs",
        outcome="Mangler folk om formiddagen",
        next_step="Vis CV",
        next_step_due=clock.now().date() + timedelta(days=5),
    )
    fu = db.session.scalar(select(FollowUp).where(FollowUp.kind == FollowUpKind.EMPLOYER_NEXT_STEP))
    assert fu.case_id == case.id and fu.assignee_id == world.consultant.id and fu.data["employer_contact_id"] == row.id
    assert FollowUpKind.FIRST_EMPLOYER_CONTACT not in open_kinds(db, case)  # the contact counted
    emp.complete_next_step(row, world.consultant)
    db.session.refresh(fu)
    assert fu.status == "done" and row.next_step_done_at is not None
    # Done from My day (the follow-up) is done on the contact too.
    again = act.log_employer_contact(
        world.consultant,
        employer_id=e.id,
        occurred_at=clock.now(),
        location="community",
        case=case,
        next_step="Ring",
        next_step_due=clock.now().date(),
    )
    fu2 = db.session.scalar(
        select(FollowUp).where(FollowUp.kind == FollowUpKind.EMPLOYER_NEXT_STEP, FollowUp.status == "open")
    )
    act.complete_follow_up(fu2, world.consultant)
    db.session.refresh(again)
    assert again.next_step_done_at is not None
    with pytest.raises(ServiceError) as err:
        act.log_employer_contact(
            world.consultant, employer_id=e.id, occurred_at=clock.now(), location="community", next_step="Ring igen"
        )
    assert err.value.field == "next_step_due"
    other = emp.create_employer(world.consultant, {"name": "Bageriet"})
    with pytest.raises(ServiceError) as err:  # a person of another employer
        act.log_employer_contact(
            world.consultant, employer_id=other.id, person_id=person.id, occurred_at=clock.now(), location="community"
        )
    assert err.value.field == "person_id"
    foreign = emp.create_employer(world.outsider, {"name": "Andet hold"})
    with pytest.raises(ServiceError):
        act.log_employer_contact(world.consultant, employer_id=foreign.id, occurred_at=clock.now(), location="office")


def test_no_disclosure_means_no_citizen_on_an_employer_contact(db, world, clock):
    case = world.case_in("job_search")
    act.save_profile(case, world.consultant, {"disclosure": "none", "job_preferences": "lager"})
    with pytest.raises(Forbidden) as err:
        act.log_employer_contact(
            world.consultant,
            employer_name="Lageret",
            occurred_at=clock.now(),
            location="community",
            case=case,
            purpose="present_candidate",
        )
    assert err.value.field == "case_id"
    assert db.session.scalar(select(func.count(EmployerContact.id))) == 0
    # Without the citizen, job development goes on.
    act.log_employer_contact(
        world.consultant, employer_name="Lageret", occurred_at=clock.now(), location="community", purpose="learn_needs"
    )


def test_follow_along_with_the_employer_counts_as_follow_along_support(db, world, clock):
    case = world.case_in("employed")
    assert FollowUpKind.JOB_START_CONTACT in open_kinds(db, case)
    clock.advance(days=2)
    act.log_employer_contact(
        world.consultant,
        employer_name="Bageriet",
        occurred_at=clock.now(),
        location="community",
        case=case,
        purpose="follow_along",
    )
    assert FollowUpKind.JOB_START_CONTACT not in open_kinds(db, case)


# --- openings and matching ----------------------------------------------------------------------
def _seeker(world, clock, preferences, history=None, municipality="Nordby"):
    case = act.create_referral(
        {"first_name": "Job", "last_name": f"Søger {preferences[:10]}", "municipality": municipality},
        world.consultant,
        psychiatry_contact_id=world.clinician.id,
    )
    case = world.step(case, "enrol")
    case = world.step(case, "start_search")
    act.save_profile(
        case, world.consultant, {"job_preferences": preferences, "work_history": history, "disclosure": "full"}
    )
    return case


def test_openings_are_ranked_against_the_profile_and_explained(db, world, clock):
    lager = emp.create_employer(world.consultant, {"name": "Lageret A/S", "municipality": "Nordby"})
    cafe = emp.create_employer(world.consultant, {"name": "Café Havnen", "municipality": "Sydby"})
    o1 = emp.create_opening(
        lager,
        world.consultant,
        {"title": "Lagermedarbejder", "hours_per_week": 20, "requirements": "Formiddage, truckcertifikat er et plus"},
    )
    o2 = emp.create_opening(
        cafe,
        world.consultant,
        {"title": "Køkkenhjælp", "hours_per_week": 24, "place": "Sydby", "requirements": "Opvask"},
    )
    too_long = emp.create_opening(cafe, world.consultant, {"title": "Opvasker", "hours_per_week": 37, "place": "Sydby"})
    closed = emp.create_opening(lager, world.consultant, {"title": "Lagerchef", "hours_per_week": 20})
    emp.set_opening_status(closed, world.consultant, "filled")
    assert (
        db.session.scalar(
            select(func.count()).select_from(OpeningKeyword).where(OpeningKeyword.opening_id == closed.id)
        )
        == 0
    )
    case = _seeker(world, clock, "Lager, gerne formiddage, 20 timer", history="Opvask på kro")
    ranked = matching.suggestions_for_case(case)
    assert [m.opening.id for m in ranked] == [o1.id, o2.id]
    top = ranked[0]
    assert ("wish", "formiddage, lager") in top.reasons and ("hours", "20") in top.reasons
    assert ("place", "Nordby") in top.reasons
    assert top.explanation() == "wishes formiddage, lager; hours 20; in Nordby"
    assert ranked[1].reasons == [("experience", "opvask"), ("hours", "24")] and ranked[1].score == 3
    # 17 hours more than wished outweighs the experience: not suggested at all.
    assert matching.score(matching.profile_of(case, matching.latest_profile(case.id)), too_long).score == -1
    # For the opening: the team's job seekers, ranked the same way.
    other = _seeker(world, clock, "Kontor", municipality="Sydby")
    cands = matching.candidates_for_opening(o1, world.consultant)
    assert [m.case.id for m in cands] == [case.id] and other.id not in [m.case.id for m in cands]


def test_a_suggestion_and_what_came_of_it(db, world, clock):
    e = emp.create_employer(world.consultant, {"name": "Lageret A/S"})
    o = emp.create_opening(e, world.consultant, {"title": "Lagermedarbejder", "hours_per_week": 20})
    case = _seeker(world, clock, "lager 20 timer")
    s = matching.record_suggestion(case, o, world.consultant)
    assert s.explanation == "wishes lager; hours 20" and s.outcome == "suggested"
    with pytest.raises(ServiceError):
        matching.record_suggestion(case, o, world.consultant)
    matching.record_outcome(s, world.consultant, "applied", note="Sendt ansøgning")
    assert db.session.get(Suggestion, s.id).outcome == "applied"
    with pytest.raises(ServiceError):
        matching.record_outcome(s, world.consultant, "decided_for_them")


# --- the follow-ups around a job ----------------------------------------------------------------
def test_job_start_and_ending_make_a_profile_update_due_and_the_review_updates_it(db, world, clock):
    case = world.case_in("employed")
    assert FollowUpKind.CAREER_PROFILE_UPDATE in open_kinds(db, case)
    act.save_profile(case, world.consultant, {"job_preferences": "lager", "disclosure": "partial"})
    assert FollowUpKind.CAREER_PROFILE_UPDATE not in open_kinds(db, case)
    clock.advance(days=40)
    case = world.step(case, "end_job", end_reason="dismissed")
    assert open_kinds(db, case).count(FollowUpKind.CAREER_PROFILE_UPDATE) == 1
    # The review writes the profile's next version in the same transaction and completes the update.
    act.record_review(
        case,
        world.consultant,
        held_at=clock.now(),
        what_worked="Kolleger",
        what_did_not="Tidlige vagter",
        adjustments={"hours": "Senere start"},
        clinician_present=True,
        profile_changes={"job_preferences": "lager, ikke før kl. 9"},
    )
    latest = db.session.scalar(
        select(CareerProfile).where(CareerProfile.case_id == case.id).order_by(CareerProfile.version.desc()).limit(1)
    )
    assert latest.version == 2 and latest.job_preferences == "lager, ikke før kl. 9" and latest.disclosure == "partial"
    assert FollowUpKind.CAREER_PROFILE_UPDATE not in open_kinds(db, case)


def test_resuming_the_search_makes_the_next_employer_contact_due(db, world, clock):
    case = world.case_in("job_ended", clock=clock)
    act.record_review(
        case,
        world.consultant,
        held_at=clock.now(),
        what_worked=None,
        what_did_not=None,
        adjustments={},
        clinician_present=False,
    )
    case = world.step(case, "resume_search")
    fu = db.session.scalar(
        select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == FollowUpKind.NEXT_EMPLOYER_CONTACT)
    )
    assert fu.status == "open" and fu.due_at == clock.now() + timedelta(days=30) and fu.escalate_at == fu.due_at
    act.log_employer_contact(
        world.consultant, employer_name="Lageret", occurred_at=clock.now(), location="community", case=case
    )
    db.session.refresh(fu)
    assert fu.status == "done"


def test_moving_and_handing_over_a_follow_up_keeps_both_in_its_history(db, world, clock):
    case = world.case_in("engagement")
    fu = db.session.scalar(
        select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == FollowUpKind.JOINT_START_MEETING)
    )
    due, remind, escalate = fu.due_at, fu.remind_at, fu.escalate_at
    with pytest.raises(ServiceError) as err:
        fus.move_follow_up(fu, world.consultant, reason="", due_at=due + timedelta(days=7))
    assert err.value.field == "reason"
    with pytest.raises(ServiceError) as err:
        fus.move_follow_up(fu, world.consultant, reason="Ferie", assignee_id=world.outsider.id)
    assert err.value.field == "assignee_id"
    fus.move_follow_up(fu, world.consultant, reason="Behandleren er syg", due_at=due + timedelta(days=7))
    fus.move_follow_up(fu, world.consultant, reason="Ferie", assignee_id=world.colleague.id)
    db.session.refresh(fu)
    assert fu.due_at == due + timedelta(days=7) and fu.remind_at == remind + timedelta(days=7)
    assert fu.escalate_at == escalate + timedelta(days=7) and fu.assignee_id == world.colleague.id
    changes = fus.history(fu.id)
    assert [(c.reason, c.to_due_at - c.from_due_at, c.to_assignee_id) for c in changes] == [
        ("Behandleren er syg", timedelta(days=7), world.consultant.id),
        ("Ferie", timedelta(0), world.colleague.id),
    ]
    moves = fus.moves_per_consultant(world.team.id, clock.now() - timedelta(days=90))
    assert moves[world.consultant.id] == {"later": 1, "handed": 1, "total": 2}
    assert db.session.scalar(select(func.count(FollowUpChange.id))) == 2


def world_now():
    from ips_coord.clock import utcnow

    return utcnow()


# --- reports ------------------------------------------------------------------------------------
def test_fidelity_job_development_items_and_the_quarterly_figures(app, db, world, clock):
    from ips_coord.reports.fidelity import fidelity
    from ips_coord.reports.job_development import job_development

    for purpose in ("first_meeting", "learn_needs", "present_candidate", "follow_along"):
        act.log_employer_contact(
            world.consultant, employer_name="Lageret", occurred_at=clock.now(), location="community", purpose=purpose
        )
    act.log_employer_contact(
        world.colleague, employer_name="Café Havnen", occurred_at=clock.now(), location="community"
    )
    for title in ("Lagermedarbejder", "LAGERMEDARBEJDER", "Køkkenhjælp"):
        case = world.case_in("job_search")
        world.step(case, "start_job", employer_name="Lageret", job_title=title, benefits_counselling_offered=True)
    e = db.session.scalar(select(Employer).where(Employer.name_key == "lageret"))
    o = emp.create_opening(e, world.consultant, {"title": "Pakker"})
    emp.set_opening_status(o, world.consultant, "filled")
    with app.test_request_context("/?lang=en"):
        items = {i["item"]: i for i in fidelity(world.team.id, clock.now())["items"]}
    assert items[18]["figure"].startswith("3 of 5 ") and items[18]["score"] == 3  # 60 %
    assert items[19]["figure"].startswith("2 different job titles among 3") and items[19]["score"] == 3  # 67 %
    assert items[20]["score"] == 1  # all three jobs with one employer (the register's record)
    q = job_development(world.team.id, clock.now().date())[-1]
    assert q == {
        "quarter": "2026-Q1",
        "employers_engaged": 2,
        "contacts": 5,
        "developing_contacts": 3,
        "openings_learned": 1,
        "openings_filled": 1,
        "suggestions": 0,
        "hired": 0,
    }

"""Applying workflow events to the stored case: one transaction, history, follow-ups, outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ips_coord.models import CaseEvent, FollowUp, IpsCase, Notification, Placement
from ips_coord.services import Conflict, ServiceError, WorkflowRefused
from ips_coord.services import activities as act
from ips_coord.services.transitions import apply_event
from ips_coord.workflows.phases import ContactKind, FollowUpKind, FollowUpStatus


def open_kinds(db, case):
    return sorted(
        db.session.scalars(
            select(FollowUp.kind).where(FollowUp.case_id == case.id, FollowUp.status == FollowUpStatus.OPEN)
        )
    )


def history(db, case):
    return db.session.execute(
        select(CaseEvent.seq, CaseEvent.event, CaseEvent.from_phase, CaseEvent.to_phase)
        .where(CaseEvent.case_id == case.id)
        .order_by(CaseEvent.seq)
    ).all()


def test_enrolment_writes_phase_event_and_follow_ups(db, world, clock):
    case = world.referral()
    assert case.reference == f"IPS-{case.id:06d}" and case.version == 1
    case = world.step(case, "enrol")
    assert case.phase == "engagement" and case.version == 2 and case.enrolled_at == clock.now()
    assert history(db, case) == [(1, "referred", None, "referred"), (2, "enrol", "referred", "engagement")]
    due = {f.kind: f.due_at for f in db.session.scalars(select(FollowUp).where(FollowUp.case_id == case.id))}
    assert due[FollowUpKind.FIRST_EMPLOYER_CONTACT] == clock.now() + timedelta(days=30)
    assert due[FollowUpKind.JOINT_START_MEETING] == clock.now() + timedelta(days=14)
    fu = db.session.scalar(select(FollowUp).where(FollowUp.kind == FollowUpKind.FIRST_EMPLOYER_CONTACT))
    assert fu.assignee_id == world.consultant.id


def test_stale_version_is_a_conflict_and_changes_nothing(db, world):
    case = world.referral()
    with pytest.raises(Conflict) as err:
        apply_event(case.id, "enrol", case.version + 5, {}, world.consultant)
    assert err.value.current_version == 1
    db.session.expire_all()
    assert db.session.get(IpsCase, case.id).phase == "referred"


def test_refusal_changes_nothing(db, world):
    case = world.case_in("job_search")
    before = (case.version, len(history(db, case)), open_kinds(db, case))
    with pytest.raises(WorkflowRefused) as err:
        world.step(case, "close", reason="missed_appointments")
    assert err.value.refusal.code == "close_reason_not_allowed"
    db.session.expire_all()
    case = db.session.get(IpsCase, case.id)
    assert (case.version, len(history(db, case)), open_kinds(db, case)) == before


def test_an_exception_midway_leaves_the_case_as_before(db, world):
    case = world.case_in("job_search")
    before = (case.version, case.phase, len(history(db, case)))
    # A job start without an employer name fails after the workflow said yes: nothing may remain.
    with pytest.raises(ServiceError, match="Name the employer"):
        world.step(case, "start_job", employer_name="", benefits_counselling_offered=True)
    db.session.expire_all()
    case = db.session.get(IpsCase, case.id)
    assert (case.version, case.phase, len(history(db, case))) == before
    assert db.session.scalar(select(func.count(Placement.id))) == 0


def test_job_start_and_early_ending_write_outbox_under_consent(db, world, clock):
    case = world.case_in("job_search")
    world.consent_employment_to_psychiatry(case)
    case = db.session.get(IpsCase, case.id)
    case = world.step(
        case, "start_job", employer_name="Bageriet", placement_type="ordinary_job", benefits_counselling_offered=False
    )
    assert "job_start_contact" in open_kinds(db, case)
    deviations = db.session.scalars(select(CaseEvent.reason).where(CaseEvent.event == "deviation")).all()
    assert deviations == ["job_start_without_benefits_counselling"]
    clock.advance(days=40)
    case = world.step(case, "end_job", end_reason="dismissed")
    rows = db.session.execute(
        select(Notification.kind, Notification.recipient_id, Notification.requires_ack).order_by(Notification.id)
    ).all()
    assert ("job_ended", world.clinician.id, True) in rows
    assert ("job_ended", world.caseworker.id, False) in rows
    assert ("early_ending", world.coordinator.id, False) in rows
    assert ("job_started", world.clinician.id, False) in rows
    placement = db.session.scalar(select(Placement))
    assert placement.end_reason == "dismissed" and placement.end_date == clock.now().date()
    assert open_kinds(db, case) == sorted(
        [
            "joint_start_meeting",
            "job_ending_contact",
            "job_ending_review",
            "psychiatry_ack",
            "profile_reassessment",
            "progress_rating",
            "resume_search",
            "career_profile_update",
        ]
    )


def test_psychiatry_hears_nothing_without_consent(db, world):
    case = world.case_in("job_search")
    world.step(case, "start_job", employer_name="Bageriet", benefits_counselling_offered=True)
    recipients = db.session.scalars(select(Notification.recipient_id).where(Notification.status != "withheld")).all()
    assert world.clinician.id not in recipients and world.caseworker.id in recipients
    # Not dropped silently: kept as withheld, for the case page and the coordinator's count.
    withheld = db.session.scalars(select(Notification.kind).where(Notification.status == "withheld")).all()
    assert sorted(withheld) == ["case_enrolled", "job_started"]


def test_review_then_resume_search(db, world, clock):
    case = world.case_in("job_ended", clock=clock)
    with pytest.raises(WorkflowRefused) as err:
        world.step(case, "resume_search")
    assert err.value.refusal.code == "review_required"
    clock.advance(days=2)
    act.record_review(
        case,
        world.consultant,
        held_at=clock.now(),
        what_worked="Kolleger",
        what_did_not="Timer",
        adjustments={"hours": "12 timer"},
        clinician_present=True,
    )
    case = db.session.get(IpsCase, case.id)
    case = world.step(case, "resume_search")
    assert case.phase == "job_search"
    assert "job_ending_review" not in open_kinds(db, case) and "resume_search" not in open_kinds(db, case)


def test_contact_completes_follow_ups_and_employer_contact_deviation(db, world, clock):
    case = world.case_in("job_search")
    clock.advance(days=31)
    act.log_employer_contact(
        world.consultant, employer_name="Lageret", occurred_at=clock.now(), location="community", case=case
    )
    case = db.session.get(IpsCase, case.id)
    assert case.first_employer_contact_at == clock.now()
    assert "first_employer_contact" not in open_kinds(db, case)
    deviation = db.session.scalar(select(CaseEvent.reason).where(CaseEvent.event == "deviation"))
    assert deviation == "first_employer_contact_late"
    act.log_contact(
        case, world.consultant, kind=ContactKind.JOINT_START_MEETING, occurred_at=clock.now(), location="office"
    )
    assert "joint_start_meeting" not in open_kinds(db, case)


def test_career_profile_is_versioned(db, world):
    case = world.case_in("engagement")
    first = act.save_profile(case, world.consultant, {"job_preferences": "Lager"})
    second = act.save_profile(case, world.consultant, {"job_preferences": "Butik"})
    assert (first.version, second.version) == (1, 2)


def test_closed_case_can_re_enter(db, world):
    case = world.case_in("closed")
    assert open_kinds(db, case) == []
    case = world.step(case, "re_enter")
    assert case.phase == "engagement" and case.close_reason is None
    assert "first_employer_contact" in open_kinds(db, case)

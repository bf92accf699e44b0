"""Psychiatry in the course of treatment, the jobcenter's decisions and a running job's changed
terms, written by the services: what each step changes, creates and tells."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import Admission, BenefitFact, CaseEvent, FollowUp, IpsCase, Notification
from ips_coord.notifications.sweep import escalate_due
from ips_coord.reports.fidelity import fidelity
from ips_coord.services import ServiceError, WorkflowRefused
from ips_coord.services import activities as act
from ips_coord.services.jobcenter import change_job_terms
from ips_coord.services.treatment import record_admission, record_discharge, record_team_meeting
from ips_coord.workflows.phases import ContactKind, FollowUpKind, FollowUpStatus, NotificationKind, Phase


def _open(case_id, kind):
    return _db.session.scalars(
        select(FollowUp).where(
            FollowUp.case_id == case_id, FollowUp.kind == kind, FollowUp.status == FollowUpStatus.OPEN
        )
    ).all()


def _kinds_to(case_id, recipient_id):
    return [
        n.kind
        for n in _db.session.scalars(
            select(Notification)
            .where(Notification.case_id == case_id, Notification.recipient_id == recipient_id)
            .order_by(Notification.id)
        )
    ]


def test_admission_pauses_and_discharge_makes_the_3_day_contact_due(world, clock):
    case = world.case_in("employed")
    today = clock.now().date()
    record_admission(case.id, world.clinician, admitted_on=today, reason="Akut forværring")
    case = _db.session.get(IpsCase, case.id)
    assert (case.phase, case.paused_from, case.resume_date) == (Phase.PAUSED, Phase.EMPLOYED, None)
    assert not _open(case.id, FollowUpKind.WEEKLY_CONTACT)  # paused: the job's contacts wait
    assert [f.due_at for f in _open(case.id, FollowUpKind.PAUSED_OUTREACH)] == [clock.now() + timedelta(days=14)]
    assert NotificationKind.ADMITTED in _kinds_to(case.id, world.consultant.id)
    # The reason is health information: on the admission row only, never in the history or an email.
    event = _db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.event == "admitted"))
    assert event.reason is None and "Akut" not in str(event.data)
    assert all("Akut" not in str(n.data) for n in _db.session.scalars(select(Notification)))
    with pytest.raises(WorkflowRefused):
        record_admission(case.id, world.clinician, admitted_on=today, reason=None)  # already admitted

    clock.advance(days=9)
    record_discharge(case.id, world.clinician, discharged_on=clock.now().date())
    case = _db.session.get(IpsCase, case.id)
    assert (case.phase, case.paused_from) == (Phase.EMPLOYED, None)
    [contact] = _open(case.id, FollowUpKind.DISCHARGE_CONTACT)
    assert contact.due_at == contact.escalate_at == clock.now() + timedelta(days=3)
    assert contact.assignee_id == world.consultant.id
    assert not _open(case.id, FollowUpKind.PAUSED_OUTREACH)
    assert _kinds_to(case.id, world.consultant.id)[-1] == NotificationKind.DISCHARGED

    # Missed: escalated to the coordinator on day 3.
    clock.advance(days=3, minutes=1)
    assert escalate_due(clock.now(), 100) >= 1
    assert NotificationKind.ESCALATION in _kinds_to(case.id, world.coordinator.id)


def test_a_contact_after_the_discharge_completes_it(world, clock):
    case = world.case_in("job_search")
    record_admission(case.id, world.clinician, admitted_on=clock.now().date(), reason=None)
    clock.advance(days=2)
    record_discharge(case.id, world.clinician, discharged_on=clock.now().date())
    clock.advance(days=1)
    act.log_contact(
        _db.session.get(IpsCase, case.id),
        world.consultant,
        kind=ContactKind.CONTACT,
        occurred_at=clock.now(),
        location="community",
    )
    assert not _open(case.id, FollowUpKind.DISCHARGE_CONTACT)


def test_the_citizens_own_pause_survives_an_admission(world, clock):
    case = world.case_in("paused")
    record_admission(case.id, world.clinician, admitted_on=clock.now().date(), reason=None)
    assert _db.session.scalar(select(Admission.paused_case).where(Admission.case_id == case.id)) is False
    record_discharge(case.id, world.clinician, discharged_on=clock.now().date())
    case = _db.session.get(IpsCase, case.id)
    assert case.phase == Phase.PAUSED and case.resume_date is not None
    assert _open(case.id, FollowUpKind.DISCHARGE_CONTACT)  # contact after the discharge all the same


def test_dates_are_checked(world, clock):
    case = world.case_in("job_search")
    with pytest.raises(WorkflowRefused) as exc:
        record_admission(case.id, world.clinician, admitted_on=clock.now().date() + timedelta(days=1), reason=None)
    assert exc.value.field == "admitted_on"
    with pytest.raises(WorkflowRefused):
        record_discharge(case.id, world.clinician, discharged_on=clock.now().date())  # not admitted
    record_admission(case.id, world.clinician, admitted_on=clock.now().date(), reason=None)
    with pytest.raises(WorkflowRefused) as exc:
        record_discharge(case.id, world.clinician, discharged_on=clock.now().date() - timedelta(days=1))
    assert exc.value.field == "discharged_on"


def test_changed_hours_offer_benefits_counselling_and_tell_the_jobcenter(world, clock):
    case = world.case_in("employed")
    change_job_terms(case.id, world.consultant, hours_per_week=22, hourly_pay=None)
    [fu] = _open(case.id, FollowUpKind.BENEFITS_COUNSELLING)
    assert fu.due_at == clock.now() + timedelta(days=7) and fu.assignee_id == world.consultant.id
    assert NotificationKind.JOB_TERMS_CHANGED in _kinds_to(case.id, world.caseworker.id)
    with pytest.raises(WorkflowRefused):
        change_job_terms(case.id, world.consultant, hours_per_week=22, hourly_pay=None)  # nothing changed
    # Counselling given: the follow-up is done, and fidelity item 12 counts the offer.
    act.log_contact(
        _db.session.get(IpsCase, case.id),
        world.consultant,
        kind=ContactKind.BENEFITS_COUNSELLING,
        occurred_at=clock.now(),
        location="office",
    )
    assert not _open(case.id, FollowUpKind.BENEFITS_COUNSELLING)
    item = next(i for i in fidelity(world.team.id, clock.now())["items"] if i["item"] == 12)
    assert "1 of 1 changes of hours or pay" in str(item["figure"]) and item["score"] == 5


def test_no_change_of_terms_without_a_running_job(world):
    case = world.case_in("job_search")
    with pytest.raises(WorkflowRefused):
        change_job_terms(case.id, world.consultant, hours_per_week=10, hourly_pay=None)


def test_the_jobcenters_decisions_have_kinds_hours_and_dates(world, clock):
    case = world.case_in("employed")
    act.record_benefit_fact(
        case, world.caseworker, benefit="Mentor 4 t/uge", kind="mentor_hours", hours=4, on_date=clock.now().date()
    )
    row = _db.session.scalar(select(BenefitFact).where(BenefitFact.case_id == case.id))
    assert (row.kind, row.hours, row.on_date) == ("mentor_hours", 4, clock.now().date())
    with pytest.raises(ServiceError):
        act.record_benefit_fact(case, world.caseworker, benefit="x", kind="no_such_kind")


def test_treatment_team_meetings_score_the_integration_items(world, clock):
    world.case_in("job_search")
    items = {i["item"]: i for i in fidelity(world.team.id, clock.now())["items"]}
    assert items[4]["score"] == 1 and items[5]["score"] == 1  # no meetings recorded yet
    for week in range(8):
        for consultant in (world.consultant, world.colleague):
            record_team_meeting(
                consultant,
                held_on=clock.now().date() - timedelta(weeks=week),
                attended=True,
                clinicians_present=2,
                cases_discussed=5,
            )
    items = {i["item"]: i for i in fidelity(world.team.id, clock.now())["items"]}
    assert items[4]["score"] == 5 and items[5]["score"] == 5
    with pytest.raises(ServiceError):
        record_team_meeting(
            world.clinician, held_on=clock.now().date(), attended=True, clinicians_present=1, cases_discussed=1
        )

"""Referrals reach a consultant, consent at enrolment, nothing withheld silently:
the rules on the stored record, with the real services and the sweep's escalation step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.models import CaseEvent, Consent, FollowUp, InboxItem, IpsCase, Notification
from ips_coord.notifications.sweep import escalate_due
from ips_coord.reports.referrals import missing_consent_cases, unassigned_cases
from ips_coord.services import ServiceError, inbox
from ips_coord.services import activities as act
from ips_coord.services.referrals import assign_case


def _psychiatry_referral(world, first="Rikke"):
    """A clinician refers a patient to the IPS team: no consultant yet."""
    return act.create_referral(
        {"first_name": first, "last_name": "Henvist", "birth_year": 1990},
        world.clinician,
        psychiatry_contact_id=world.clinician.id,
        ips_team_id=world.team.id,
    )


def _rows(db, model, *where):
    db.session.expire_all()
    return db.session.scalars(select(model).where(*where).order_by(model.id)).all()


def test_psychiatry_referral_queue_assignment_first_contact_and_escalation(db, world, clock):
    case = _psychiatry_referral(world)
    assert case.consultant_id is None
    assert [c.id for c, _r in unassigned_cases(world.team.id)] == [case.id]
    assert unassigned_cases(world.other_team.id) == []

    assign_case(db.session.get(IpsCase, case.id), world.coordinator, consultant_id=world.consultant.id)
    assert unassigned_cases(world.team.id) == []
    first = _rows(db, FollowUp, FollowUp.case_id == case.id, FollowUp.kind == "first_citizen_contact")
    assert len(first) == 1 and first[0].assignee_id == world.consultant.id
    assert first[0].due_at == clock.now() + timedelta(days=7) and first[0].escalate_at == first[0].due_at
    # The referrer (and the consultant) are told who took the case: e-mail through the outbox, and in-app.
    told = _rows(db, Notification, Notification.case_id == case.id, Notification.kind == "case_assigned")
    assert {n.recipient_id for n in told} == {world.clinician.id, world.consultant.id}
    assert all(n.data["consultant"] == world.consultant.name and n.status == "pending" for n in told)
    items = _rows(db, InboxItem, InboxItem.case_id == case.id, InboxItem.kind == "case_assigned")
    assert {i.user_id for i in items} == {world.clinician.id, world.consultant.id}
    event = _rows(db, CaseEvent, CaseEvent.case_id == case.id, CaseEvent.event == "case_assigned")[0]
    assert event.data == {"consultant_id": world.consultant.id, "from_consultant_id": None}
    assert event.actor_id == world.coordinator.id

    # Missed: on day 7 the coordinator is alerted (e-mail and inbox), the consultant's inbox too.
    clock.advance(days=7, minutes=1)
    assert escalate_due(clock.now(), 100) == 1
    esc = _rows(db, Notification, Notification.case_id == case.id, Notification.kind == "escalation")
    assert [n.recipient_id for n in esc] == [world.coordinator.id]
    assert esc[0].data["follow_up_kind"] == "first_citizen_contact"
    assert {i.user_id for i in _rows(db, InboxItem, InboxItem.kind == "escalation")} == {
        world.coordinator.id,
        world.consultant.id,
    }

    # A late first contact still answers it.
    act.log_contact(
        db.session.get(IpsCase, case.id), world.consultant, kind="contact", occurred_at=clock.now(), location="phone"
    )
    assert _rows(db, FollowUp, FollowUp.id == first[0].id)[0].status == "done"


def test_reassign_and_move_keep_the_history_and_hand_over(db, world, clock):
    case = _psychiatry_referral(world, "Sune")
    assign_case(db.session.get(IpsCase, case.id), world.coordinator, consultant_id=world.consultant.id)
    # Another coordinator's case is not theirs to move; a consultant may not assign.
    with pytest.raises(ServiceError):
        assign_case(db.session.get(IpsCase, case.id), world.consultant, consultant_id=world.colleague.id)
    with pytest.raises(ServiceError):
        assign_case(db.session.get(IpsCase, case.id), world.coordinator, consultant_id=world.outsider.id)
    assign_case(db.session.get(IpsCase, case.id), world.coordinator, consultant_id=world.colleague.id)
    open_first = _rows(
        db, FollowUp, FollowUp.case_id == case.id, FollowUp.kind == "first_citizen_contact", FollowUp.status == "open"
    )
    assert [f.assignee_id for f in open_first] == [world.colleague.id]
    assert _rows(db, InboxItem, InboxItem.user_id == world.consultant.id, InboxItem.kind == "case_moved")
    # Moved to another team and municipality: it waits in that team's queue; the history says from where.
    assign_case(
        db.session.get(IpsCase, case.id),
        world.coordinator,
        consultant_id=None,
        team_id=world.other_team.id,
        municipality="Sydstrand",
    )
    moved = _rows(db, IpsCase, IpsCase.id == case.id)[0]
    assert (moved.ips_team_id, moved.consultant_id, moved.citizen.municipality) == (
        world.other_team.id,
        None,
        "Sydstrand",
    )
    assert [c.id for c, _r in unassigned_cases(world.other_team.id)] == [case.id]
    events = _rows(db, CaseEvent, CaseEvent.case_id == case.id, CaseEvent.event == "case_assigned")
    assert events[-1].data == {
        "consultant_id": None,
        "from_consultant_id": world.colleague.id,
        "team_id": world.other_team.id,
        "from_team_id": world.team.id,
        "municipality": "Sydstrand",
        "from_municipality": None,
    }
    assert len(events) == 3


def test_enrolment_records_consents_so_psychiatry_is_told(db, world, clock):
    case = world.referral(first="Med")
    world.step(case, "enrol", consent_psychiatry=True, consent_jobcenter=True)
    consents = _rows(db, Consent, Consent.case_id == case.id)
    assert {(c.from_party, c.to_party, tuple(c.categories)) for c in consents} == {
        ("ips_team", "psychiatry", ("employment_progress",)),
        ("ips_team", "jobcenter", ("employment_progress",)),
    }
    start = _rows(db, Notification, Notification.case_id == case.id, Notification.kind == "case_enrolled")
    assert [(n.recipient_id, n.status) for n in start] == [(world.clinician.id, "pending")]
    assert missing_consent_cases(world.team.id) == 0


def test_without_consent_the_notification_is_withheld_shown_and_released(db, world, clock):
    case = world.referral(first="Uden")
    world.step(case, "enrol")
    start = _rows(db, Notification, Notification.case_id == case.id, Notification.kind == "case_enrolled")
    assert [(n.recipient_id, n.status) for n in start] == [(world.clinician.id, "withheld")]
    assert missing_consent_cases(world.team.id) == 1
    missing = _rows(db, InboxItem, InboxItem.case_id == case.id, InboxItem.kind == "consent_missing")
    assert [i.user_id for i in missing] == [world.consultant.id]
    # Recording the consent releases what was not sent (recent enough to matter).
    clock.advance(days=2)
    world.consent_employment_to_psychiatry(db.session.get(IpsCase, case.id))
    assert _rows(db, Notification, Notification.id == start[0].id)[0].status == "pending"
    assert missing_consent_cases(world.team.id) == 0


def test_only_the_consultant_on_the_case_records_consents_at_enrolment(db, world, clock):
    case = _psychiatry_referral(world, "Koord")
    with pytest.raises(ServiceError) as exc:
        from ips_coord.services.transitions import apply_event

        apply_event(case.id, "enrol", case.version, {"consent_psychiatry": True}, world.coordinator)
    assert exc.value.field == "consent_psychiatry"
    assert _rows(db, Consent, Consent.case_id == case.id) == []


def test_sharing_what_the_team_cannot_see_asks_for_confirmation(db, world, clock):
    case = world.case_in("engagement")
    with pytest.raises(ServiceError) as exc:
        act.share_health_info(case, world.clinician, category="symptoms", text="Uroligt", confirmed=False)
    assert exc.value.field == "confirm_unseen"
    act.share_health_info(
        db.session.get(IpsCase, case.id), world.clinician, category="symptoms", text="Uroligt", confirmed=True
    )
    assert not _rows(db, InboxItem, InboxItem.kind == "shared_with_you")  # the consultant cannot see it
    act.record_consent(
        db.session.get(IpsCase, case.id),
        world.clinician,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["strengths"],
        purpose="Koordinering",
        given_at=clock.now().date(),
        expires_at=None,
    )
    act.share_health_info(
        db.session.get(IpsCase, case.id), world.clinician, category="strengths", text="Vedholdende", confirmed=False
    )
    shared = _rows(db, InboxItem, InboxItem.kind == "shared_with_you")
    assert [(i.user_id, i.data["by"]) for i in shared] == [(world.consultant.id, world.clinician.name)]


def test_inbox_marks_read_per_user(db, world, clock):
    case = world.case_in("engagement")
    c = world.consent_employment_to_psychiatry(db.session.get(IpsCase, case.id))
    act.withdraw_consent(c, world.consultant, requested_by="citizen", confirmed=True)
    items = _rows(db, InboxItem, InboxItem.kind == "consent_withdrawn")
    assert {i.user_id for i in items} == {world.clinician.id, world.caseworker.id}  # not the one who withdrew
    assert inbox.unread_count(world.clinician) == 1
    with pytest.raises(ServiceError):
        inbox.mark_read(world.caseworker, next(i.id for i in items if i.user_id == world.clinician.id))
    assert inbox.mark_read(world.clinician) == 1
    assert inbox.unread_count(world.clinician) == 0 and inbox.unread_count(world.caseworker) == 1

"""The first-contact rule after an assignment, as plain workflow data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ips_coord.workflows import OpenFollowUp, on_activity
from ips_coord.workflows.machine import CaseFacts, assignment_follow_ups, decide
from ips_coord.workflows.phases import ContactKind, FollowUpKind, Phase, Role
from ips_coord.workflows.rules import ESCALATION_NOTIFY, TO_COORDINATOR

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_assignment_makes_a_7_day_first_contact_escalated_to_the_coordinator():
    (spec,) = assignment_follow_ups(NOW)
    assert spec.kind == FollowUpKind.FIRST_CITIZEN_CONTACT
    assert (spec.due_at, spec.remind_at, spec.escalate_at) == (
        NOW + timedelta(days=7),
        NOW + timedelta(days=5),
        NOW + timedelta(days=7),
    )
    assert ESCALATION_NOTIFY[FollowUpKind.FIRST_CITIZEN_CONTACT] == TO_COORDINATOR


def test_any_conversation_answers_it_however_early_and_enrolment_completes_it():
    facts = CaseFacts(phase=Phase.REFERRED, has_psychiatry_contact=True)
    open_one = [OpenFollowUp(1, FollowUpKind.FIRST_CITIZEN_CONTACT, NOW + timedelta(days=7))]
    for kind in (ContactKind.CONTACT, ContactKind.BENEFITS_COUNSELLING, ContactKind.JOINT_START_MEETING):
        assert on_activity(facts, kind, NOW + timedelta(hours=1), open_one).complete == (1,)
    assert on_activity(facts, ContactKind.TREATMENT_TEAM_MEETING, NOW, open_one).complete == ()
    decision = decide(facts, "enrol", {}, Role.IPS_CONSULTANT, NOW)
    assert FollowUpKind.FIRST_CITIZEN_CONTACT in decision.complete

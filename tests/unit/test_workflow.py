"""The IPS state machine, without Flask or a database."""

from __future__ import annotations

import ast
import pathlib
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ips_coord.workflows import CaseFacts, Decision, Event, OpenFollowUp, Phase, Refusal, decide, on_activity
from ips_coord.workflows.machine import (
    HANDLERS,
    RETURNS_FROM_PAUSE,
    TRANSITIONS,
    add_working_days,
    allowed_events,
    contact_gap,
)
from ips_coord.workflows.phases import ACTIVE, ENDED, FollowUpKind, PlacementType

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# A payload that satisfies every event's own checks, so the table below tests the phase rules.
GOOD = {
    "close": {"reason": "citizen_choice"},
    "pause": {"resume_date": (NOW + timedelta(days=10)).date()},
    "start_job": {"placement_type": "ordinary_job", "benefits_counselling_offered": True},
    "start_education": {"placement_type": "education", "benefits_counselling_offered": True},
    "end_job": {"end_reason": "dismissed"},
    "end_education": {"end_reason": "quit_with_plan"},
}

# The expected target of every allowed (phase, event) pair; every other pair is refused.
EXPECTED = {
    ("referred", "enrol"): "engagement",
    ("referred", "decline"): "closed",
    ("referred", "close"): "closed",
    ("engagement", "start_search"): "job_search",
    ("engagement", "pause"): "paused",
    ("engagement", "close"): "closed",
    ("job_search", "start_job"): "employed",
    ("job_search", "start_education"): "in_education",
    ("job_search", "pause"): "paused",
    ("job_search", "close"): "closed",
    ("employed", "end_job"): "job_ended",
    ("employed", "handover_to_natural_supports"): "transitioned",
    ("employed", "pause"): "paused",
    ("employed", "close"): "closed",
    ("in_education", "end_education"): "job_ended",
    ("in_education", "handover_to_natural_supports"): "transitioned",
    ("in_education", "pause"): "paused",
    ("in_education", "close"): "closed",
    ("job_ended", "resume_search"): "job_search",
    ("job_ended", "start_job"): "employed",
    ("job_ended", "start_education"): "in_education",
    ("job_ended", "pause"): "paused",
    ("job_ended", "close"): "closed",
    ("paused", "resume"): "job_search",
    ("paused", "close"): "closed",
    ("transitioned", "re_enter"): "engagement",
    ("closed", "re_enter"): "engagement",
}


def facts(phase, **kw):
    base = dict(
        phase=Phase(phase),
        has_psychiatry_contact=True,
        enrolled_at=NOW - timedelta(days=40),
        review_recorded=True,
        paused_from=Phase.JOB_SEARCH if phase == "paused" else None,
        placement_started_on=date(2026, 1, 5),
    )
    base.update(kw)
    return CaseFacts(**base)


@pytest.mark.parametrize("phase", list(Phase))
@pytest.mark.parametrize("event", list(Event))
def test_every_phase_event_pair(phase, event):
    result = decide(facts(phase), event, GOOD.get(event, {}), "ips_consultant", NOW)
    expected = EXPECTED.get((phase.value, event.value))
    if expected is None:
        assert isinstance(result, Refusal)
        assert result.code == "event_not_allowed_in_phase"
        assert result.message("da") and result.message("en")
    else:
        assert isinstance(result, Decision), result
        assert result.to_phase == expected
        assert result.from_phase == phase


def test_transition_table_matches_the_design():
    assert {(p.value, e.value) for p, e in set(TRANSITIONS) | RETURNS_FROM_PAUSE} == set(EXPECTED)
    assert allowed_events(Phase.REFERRED) == [Event.ENROL, Event.DECLINE, Event.CLOSE]


def test_every_event_has_exactly_one_handler():
    """decide() is a table: a new Event without a handler fails here, not at a user's click."""
    assert set(HANDLERS) == set(Event)
    assert all(callable(h) for h in HANDLERS.values())


def test_no_placeholder_targets():
    """Every fixed target is a real move (resume's target comes from the case, not a stand-in)."""
    assert all(target != phase for (phase, _event), target in TRANSITIONS.items())
    assert (Phase.PAUSED, Event.RESUME) not in TRANSITIONS
    assert RETURNS_FROM_PAUSE == {(Phase.PAUSED, Event.RESUME)}


@pytest.mark.parametrize("paused_from", [Phase.ENGAGEMENT, Phase.JOB_SEARCH, Phase.EMPLOYED, Phase.JOB_ENDED])
def test_resume_returns_to_the_phase_it_paused_from(paused_from):
    result = decide(facts("paused", paused_from=paused_from), "resume", {}, "ips_consultant", NOW)
    assert isinstance(result, Decision) and result.to_phase == paused_from
    assert result.updates == {"paused_from": None, "resume_date": None}


@pytest.mark.parametrize(
    "reason", ["missed_appointments", "not_ready", "symptoms", "substance_use", "lost_job", "other", "xyz"]
)
def test_zero_exclusion_refuses_forbidden_close_reasons(reason):
    result = decide(facts("job_search"), "close", {"reason": reason}, "ips_consultant", NOW)
    assert isinstance(result, Refusal) and result.code == "close_reason_not_allowed" and result.field == "reason"
    assert "Nul-eksklusion" in result.message("da") and "Zero exclusion" in result.message("en")


@pytest.mark.parametrize("reason", ["citizen_choice", "moved_away", "died", "transferred"])
def test_allowed_close_reasons(reason):
    result = decide(facts("employed"), "close", {"reason": reason}, "ips_consultant", NOW)
    assert isinstance(result, Decision) and result.to_phase == Phase.CLOSED and result.reason == reason
    assert FollowUpKind.WEEKLY_CONTACT in result.cancel and result.create == ()


def test_close_needs_a_reason():
    assert decide(facts("job_search"), "close", {}, "ips_consultant", NOW).code == "close_reason_required"


@pytest.mark.parametrize("ptype", ["internship", "wage_subsidy", "sheltered", "other"])
def test_steps_are_not_competitive_employment(ptype):
    result = decide(facts("job_search"), "start_job", {"placement_type": ptype}, "ips_consultant", NOW)
    assert isinstance(result, Refusal) and result.code == "not_competitive_employment"
    assert result.field == "placement_type"


def test_flexjob_counts_as_a_job_start():
    payload = {"placement_type": "flexjob", "benefits_counselling_offered": True}
    result = decide(facts("job_search"), "start_job", payload, "ips_consultant", NOW)
    assert isinstance(result, Decision) and result.to_phase == Phase.EMPLOYED


def test_education_start_must_be_education():
    result = decide(facts("job_search"), "start_education", {"placement_type": "internship"}, "ips_consultant", NOW)
    assert result.code == "education_type_required"


def test_enrol_needs_psychiatry_contact():
    result = decide(facts("referred", has_psychiatry_contact=False), "enrol", {}, "ips_consultant", NOW)
    assert result.code == "psychiatry_contact_required" and result.field == "psychiatry_contact_id"


def test_resume_search_needs_the_review():
    result = decide(facts("job_ended", review_recorded=False), "resume_search", {}, "ips_consultant", NOW)
    assert result.code == "review_required"


@pytest.mark.parametrize("role", ["psychiatry", "jobcenter", "admin", "citizen"])
def test_only_consultants_and_coordinators_move_phases(role):
    assert decide(facts("engagement"), "start_search", {}, role, NOW).code == "role_not_allowed"


def test_unknown_event():
    assert decide(facts("engagement"), "hire", {}, "ips_consultant", NOW).code == "unknown_event"


def test_enrolment_creates_deadlines_from_the_clock():
    result = decide(facts("referred"), "enrol", {}, "ips_consultant", NOW)
    by_kind = {s.kind: s for s in result.create}
    first = by_kind[FollowUpKind.FIRST_EMPLOYER_CONTACT]
    assert first.due_at == NOW + timedelta(days=30)
    assert first.remind_at == NOW + timedelta(days=21)
    assert first.escalate_at == NOW + timedelta(days=30)
    assert by_kind[FollowUpKind.JOINT_START_MEETING].due_at == NOW + timedelta(days=14)
    assert result.updates["enrolled_at"] == NOW


def test_job_start_follow_along_schedule_and_deviation():
    result = decide(facts("job_search"), "start_job", {"placement_type": "ordinary_job"}, "ips_consultant", NOW)
    dues = sorted((s.due_at - NOW).days for s in result.create if s.kind != FollowUpKind.CAREER_PROFILE_UPDATE)
    assert dues == [3, 7, 14, 21, 28, 58]
    # The career profile is updated after every job: a start makes it due too.
    assert [(s.due_at - NOW).days for s in result.create if s.kind == FollowUpKind.CAREER_PROFILE_UPDATE] == [14]
    assert result.deviations == ("job_start_without_benefits_counselling",)
    assert {(n.kind, n.recipient) for n in result.notify} == {
        ("job_started", "psychiatry_contact"),
        ("job_started", "jobcenter_caseworker"),
    }


def test_future_start_date_counts_from_the_start():
    start = (NOW + timedelta(days=10)).date()
    result = decide(
        facts("job_search"),
        "start_job",
        {"start_date": start, "benefits_counselling_offered": True},
        "ips_consultant",
        NOW,
    )
    first = min(s.due_at for s in result.create)
    assert first.date() == start + timedelta(days=3)


def test_early_job_ending_notifies_the_coordinator():
    f = facts("employed", placement_started_on=NOW.date() - timedelta(days=40))
    result = decide(f, "end_job", {"end_reason": "dismissed"}, "ips_consultant", NOW)
    recipients = {(n.kind, n.recipient, n.requires_ack) for n in result.notify}
    assert ("job_ended", "psychiatry_contact", True) in recipients
    assert ("job_ended", "jobcenter_caseworker", False) in recipients
    assert ("early_ending", "coordinator", False) in recipients
    assert result.data["early_ending"] is True
    kinds = {s.kind: (s.due_at - NOW).days for s in result.create}
    # NOW is a Monday: 2 working days is Wednesday.
    assert kinds == {
        FollowUpKind.JOB_ENDING_CONTACT: 3,
        FollowUpKind.JOB_ENDING_REVIEW: 7,
        FollowUpKind.RESUME_SEARCH: 14,
        FollowUpKind.PSYCHIATRY_ACK: 2,
        FollowUpKind.CAREER_PROFILE_UPDATE: 14,
    }
    ack = next(s for s in result.create if s.kind == FollowUpKind.PSYCHIATRY_ACK)
    assert ack.assignee == "psychiatry_contact" and ack.escalate_at == ack.due_at


def test_late_ending_is_not_early():
    f = facts("employed", placement_started_on=NOW.date() - timedelta(days=120))
    result = decide(f, "end_job", {"end_reason": "quit_with_plan"}, "ips_consultant", NOW)
    assert all(n.recipient != "coordinator" for n in result.notify)


def test_pause_needs_a_future_resume_date():
    assert decide(facts("job_search"), "pause", {}, "ips_consultant", NOW).code == "resume_date_required"
    today = {"resume_date": NOW.date()}
    assert decide(facts("job_search"), "pause", today, "ips_consultant", NOW).code == "resume_date_in_past"


def test_pause_outreach_then_resume_to_the_paused_phase():
    resume = (NOW + timedelta(days=20)).date()
    paused = decide(facts("employed"), "pause", {"resume_date": resume}, "ips_consultant", NOW)
    assert paused.updates["paused_from"] == Phase.EMPLOYED
    assert [s.kind for s in paused.create] == [FollowUpKind.PAUSED_OUTREACH]
    assert paused.create[0].due_at.date() == resume
    back = decide(facts("paused", paused_from=Phase.EMPLOYED), "resume", {}, "ips_consultant", NOW)
    assert back.to_phase == Phase.EMPLOYED


def test_first_employer_contact_after_day_30_is_a_deviation():
    f = facts("job_search", enrolled_at=NOW - timedelta(days=31))
    outcome = on_activity(f, "employer_contact", NOW, [OpenFollowUp(1, FollowUpKind.FIRST_EMPLOYER_CONTACT, NOW)])
    assert outcome.deviations == ("first_employer_contact_late",) and outcome.complete == (1,)
    on_time = on_activity(facts("job_search", enrolled_at=NOW - timedelta(days=29)), "employer_contact", NOW, [])
    assert on_time.deviations == ()


def test_contact_completes_due_contact_follow_ups_and_monthly_recurs():
    rows = [
        OpenFollowUp(1, FollowUpKind.WEEKLY_CONTACT, NOW - timedelta(days=1)),
        OpenFollowUp(2, FollowUpKind.WEEKLY_CONTACT, NOW + timedelta(days=6)),
        OpenFollowUp(3, FollowUpKind.MONTHLY_CONTACT, NOW + timedelta(days=2)),
        OpenFollowUp(4, FollowUpKind.JOB_ENDING_REVIEW, NOW),
    ]
    outcome = on_activity(facts("employed"), "contact", NOW, rows)
    assert outcome.complete == (1, 3)
    assert [(s.kind, s.due_at) for s in outcome.create] == [(FollowUpKind.MONTHLY_CONTACT, NOW + timedelta(days=32))]


def test_no_contact_for_30_days():
    assert contact_gap(facts("job_search", last_contact_at=NOW - timedelta(days=31)), NOW) == "no_contact_30_days"
    assert contact_gap(facts("job_search", last_contact_at=NOW - timedelta(days=29)), NOW) is None
    assert contact_gap(facts("closed", last_contact_at=NOW - timedelta(days=90)), NOW) is None


def test_working_days_skip_weekends():
    friday = datetime(2026, 3, 6, 10, tzinfo=UTC)
    assert add_working_days(friday, 2) == datetime(2026, 3, 10, 10, tzinfo=UTC)


def test_core_has_no_flask_or_database_import():
    root = pathlib.Path(__file__).parents[2] / "ips_coord" / "workflows"
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                assert not name.startswith(("flask", "sqlalchemy", "celery")), (path, name)


# --- property-based: random event sequences keep the invariants -----------------------------

EVENT_PAYLOADS = st.sampled_from(
    [
        ("enrol", {}),
        ("decline", {}),
        ("start_search", {}),
        ("start_job", {"placement_type": "ordinary_job", "benefits_counselling_offered": True}),
        ("start_job", {"placement_type": "internship"}),
        ("start_job", {"placement_type": "flexjob"}),
        ("start_education", {"placement_type": "education"}),
        ("end_job", {"end_reason": "dismissed"}),
        ("end_education", {"end_reason": "health"}),
        ("resume_search", {}),
        ("handover_to_natural_supports", {}),
        ("pause", {"resume_date": "2099-01-01"}),
        ("resume", {}),
        ("close", {"reason": "missed_appointments"}),
        ("close", {"reason": "symptoms"}),
        ("close", {"reason": "moved_away"}),
        ("close", {"reason": "citizen_choice"}),
        ("re_enter", {}),
        ("fire", {}),
    ]
)


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(st.tuples(EVENT_PAYLOADS, st.integers(0, 40), st.booleans()), max_size=40))
def test_random_sequences_keep_the_invariants(steps):
    phase, paused_from, now, review = Phase.REFERRED, None, NOW, False
    open_kinds: set = set()
    for (event, payload), days, psych in steps:
        now += timedelta(days=days)
        f = CaseFacts(
            phase=phase,
            paused_from=paused_from,
            has_psychiatry_contact=psych,
            enrolled_at=NOW,
            review_recorded=review,
            placement_started_on=NOW.date(),
        )
        result = decide(f, event, payload, "ips_consultant", now)
        if isinstance(result, Refusal):
            assert result.message("da") and result.message("en")
            continue
        assert result.to_phase in set(Phase)
        if result.to_phase == Phase.CLOSED:
            assert result.reason in {"citizen_choice", "moved_away", "died", "transferred"}
        if result.to_phase in ENDED:
            assert result.create == ()
            open_kinds.clear()
        else:
            assert result.to_phase in ACTIVE
        if result.event in (Event.START_JOB, Event.START_EDUCATION):
            kinds = {s.kind for s in result.create}
            assert {FollowUpKind.JOB_START_CONTACT, FollowUpKind.WEEKLY_CONTACT, FollowUpKind.MONTHLY_CONTACT} <= kinds
            assert payload.get("placement_type") in (
                None,
                PlacementType.ORDINARY_JOB,
                PlacementType.FLEXJOB,
                PlacementType.EDUCATION,
            )
        open_kinds = (open_kinds - result.cancel) | {s.kind for s in result.create}
        paused_from = result.updates.get("paused_from", paused_from) if result.to_phase == Phase.PAUSED else None
        review = result.to_phase == Phase.JOB_ENDED and days % 2 == 0
        phase = result.to_phase
    # A closed or transitioned case can always re-enter.
    if phase in ENDED:
        again = decide(CaseFacts(phase=phase, has_psychiatry_contact=True), "re_enter", {}, "ips_consultant", now)
        assert isinstance(again, Decision) and again.to_phase == Phase.ENGAGEMENT


def test_resuming_the_search_makes_the_next_employer_contact_due():
    result = decide(facts("job_ended", review_recorded=True), "resume_search", {}, "ips_consultant", NOW)
    kinds = {s.kind: ((s.due_at - NOW).days, s.escalate_at is not None) for s in result.create}
    assert kinds == {FollowUpKind.NEXT_EMPLOYER_CONTACT: (30, True)}


def test_an_employer_contact_completes_the_next_employer_contact_and_follow_along_counts():
    open_rows = [
        OpenFollowUp(1, FollowUpKind.NEXT_EMPLOYER_CONTACT, NOW + timedelta(days=30)),
        OpenFollowUp(2, FollowUpKind.WEEKLY_CONTACT, NOW + timedelta(days=2)),
        OpenFollowUp(3, FollowUpKind.CAREER_PROFILE_UPDATE, NOW + timedelta(days=14)),
    ]
    assert on_activity(facts("job_search"), "employer_contact", NOW, open_rows).complete == (1,)
    assert on_activity(facts("employed"), "employer_follow_along", NOW, open_rows).complete == (2,)
    assert on_activity(facts("employed"), "career_profile", NOW, open_rows).complete == (3,)

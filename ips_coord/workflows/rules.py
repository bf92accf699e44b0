"""Follow-up rules as data.

A rule says which follow-up a trigger creates and when it is due, reminded and escalated,
counted from the moment the workflow is asked (the injected clock) or the start date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .constants import FIRST_EMPLOYER_CONTACT_DEADLINE
from .phases import CITIZEN_CONTACT_FOLLOW_UPS, Activity, ContactKind, Event, FollowUpKind, NotificationKind, Recipient


@dataclass(frozen=True)
class Rule:
    kind: FollowUpKind
    due: timedelta
    remind: timedelta | None = None  # before due, counted from the same base
    escalate: timedelta | None = None  # counted from the same base
    assignee: Recipient = Recipient.CONSULTANT
    recur: timedelta | None = None  # the next one is created when this one is completed


def days(n: int) -> timedelta:
    return timedelta(days=n)


START_RULES = (
    Rule(
        FollowUpKind.FIRST_EMPLOYER_CONTACT,
        due=FIRST_EMPLOYER_CONTACT_DEADLINE,
        remind=days(21),
        escalate=FIRST_EMPLOYER_CONTACT_DEADLINE,
    ),
    Rule(FollowUpKind.JOINT_START_MEETING, due=days(14), remind=days(10), escalate=days(14)),
)
# Time-unlimited follow-along support: 3 days, weekly for 4 weeks, then monthly for as long as wanted.
PLACEMENT_RULES = (
    Rule(FollowUpKind.JOB_START_CONTACT, due=days(3), remind=days(2)),
    Rule(FollowUpKind.WEEKLY_CONTACT, due=days(7)),
    Rule(FollowUpKind.WEEKLY_CONTACT, due=days(14)),
    Rule(FollowUpKind.WEEKLY_CONTACT, due=days(21)),
    Rule(FollowUpKind.WEEKLY_CONTACT, due=days(28)),
    Rule(FollowUpKind.MONTHLY_CONTACT, due=days(58), recur=days(30)),
)
# "Hvis noget glipper, så justér i stedet for at opgive."
ENDING_RULES = (
    Rule(FollowUpKind.JOB_ENDING_CONTACT, due=days(3), remind=days(2)),
    Rule(FollowUpKind.JOB_ENDING_REVIEW, due=days(7), remind=days(5), escalate=days(7)),
    Rule(FollowUpKind.RESUME_SEARCH, due=days(14), remind=days(12)),
)
PAUSE_OUTREACH = Rule(FollowUpKind.PAUSED_OUTREACH, due=days(0), recur=days(14))
RESUME_CONTACT = Rule(FollowUpKind.WEEKLY_CONTACT, due=days(7))
PROFILE_REASSESSMENT = Rule(FollowUpKind.PROFILE_REASSESSMENT, due=days(90), recur=days(90))
# The progress measure (progressionsmåling): the first at enrolment (with the start meeting, within
# 14 days), then every 90 days, by the citizen and by the consultant. The consultant's rating
# completes it and makes the next one due (services/plan.record_rating); done by hand, it recurs.
PROGRESS_RATING = Rule(FollowUpKind.PROGRESS_RATING, due=days(14), remind=days(10), recur=days(90))
# The career profile is updated after every job (IPS-25 item 14): after a start and an ending.
PROFILE_UPDATE = Rule(FollowUpKind.CAREER_PROFILE_UPDATE, due=days(14), remind=days(10))
# Resuming the search starts rapid job search again, as enrolment does.
NEXT_EMPLOYER_CONTACT = Rule(
    FollowUpKind.NEXT_EMPLOYER_CONTACT,
    due=FIRST_EMPLOYER_CONTACT_DEADLINE,
    remind=days(21),
    escalate=FIRST_EMPLOYER_CONTACT_DEADLINE,
)

# A referral assigned to a consultant: first contact with the citizen within 7 days, else the coordinator hears.
FIRST_CITIZEN_CONTACT = Rule(FollowUpKind.FIRST_CITIZEN_CONTACT, due=days(7), remind=days(5), escalate=days(7))
# Psychiatry in the course of treatment: assertive outreach during an admission, and the
# consultant's contact within 3 days of the discharge, escalated to the coordinator when missed.
ADMISSION_OUTREACH = Rule(FollowUpKind.PAUSED_OUTREACH, due=days(14))
DISCHARGE_CONTACT = Rule(FollowUpKind.DISCHARGE_CONTACT, due=days(3), remind=days(2), escalate=days(3))
# Benefits counselling is offered again when a running job's hours or pay change (IPS-25 item 12).
BENEFITS_COUNSELLING = Rule(FollowUpKind.BENEFITS_COUNSELLING, due=days(7), remind=days(5))

# Who hears of an escalation, by follow-up kind: (recipient, notification kind).
TO_COORDINATOR = ((Recipient.COORDINATOR, NotificationKind.ESCALATION),)
ESCALATION_NOTIFY: dict[FollowUpKind, tuple[tuple[Recipient, NotificationKind], ...]] = {
    FollowUpKind.FIRST_EMPLOYER_CONTACT: TO_COORDINATOR,
    FollowUpKind.JOINT_START_MEETING: TO_COORDINATOR,
    FollowUpKind.JOB_ENDING_REVIEW: TO_COORDINATOR,
    FollowUpKind.NEXT_EMPLOYER_CONTACT: TO_COORDINATOR,
    FollowUpKind.FIRST_CITIZEN_CONTACT: TO_COORDINATOR,
    FollowUpKind.PSYCHIATRY_ACK: ((Recipient.PSYCHIATRY_CONTACT, NotificationKind.ACK_REMINDER), *TO_COORDINATOR),
    # An overdue action of the shared plan also reaches the case's coordinating professional.
    FollowUpKind.PLAN_ACTION: (*TO_COORDINATOR, (Recipient.COORDINATING_PROFESSIONAL, NotificationKind.ESCALATION)),
}

CREATED_BY_EVENT: dict[Event, tuple[Rule, ...]] = {
    Event.ENROL: (*START_RULES, PROFILE_REASSESSMENT, PROGRESS_RATING),
    Event.RE_ENTER: (*START_RULES, PROFILE_REASSESSMENT, PROGRESS_RATING),
    Event.START_JOB: (*PLACEMENT_RULES, PROFILE_UPDATE),
    Event.START_EDUCATION: (*PLACEMENT_RULES, PROFILE_UPDATE),
    Event.END_JOB: (*ENDING_RULES, PROFILE_UPDATE),
    Event.END_EDUCATION: (*ENDING_RULES, PROFILE_UPDATE),
    Event.RESUME_SEARCH: (NEXT_EMPLOYER_CONTACT,),
}

PLACEMENT_KINDS = frozenset({FollowUpKind.JOB_START_CONTACT, FollowUpKind.WEEKLY_CONTACT, FollowUpKind.MONTHLY_CONTACT})
ENDING_KINDS = frozenset({FollowUpKind.JOB_ENDING_CONTACT, FollowUpKind.JOB_ENDING_REVIEW, FollowUpKind.RESUME_SEARCH})
ALL_KINDS = frozenset(FollowUpKind)

# Which open follow-ups each event cancels ("all but" consent reminders where noted).
CANCELLED_BY_EVENT: dict[Event, frozenset[FollowUpKind]] = {
    Event.START_JOB: ENDING_KINDS
    | PLACEMENT_KINDS
    | {FollowUpKind.FIRST_EMPLOYER_CONTACT, FollowUpKind.NEXT_EMPLOYER_CONTACT, FollowUpKind.CAREER_PROFILE_UPDATE},
    Event.START_EDUCATION: ENDING_KINDS
    | PLACEMENT_KINDS
    | {FollowUpKind.FIRST_EMPLOYER_CONTACT, FollowUpKind.NEXT_EMPLOYER_CONTACT, FollowUpKind.CAREER_PROFILE_UPDATE},
    Event.END_JOB: PLACEMENT_KINDS | {FollowUpKind.CAREER_PROFILE_UPDATE},
    Event.END_EDUCATION: PLACEMENT_KINDS | {FollowUpKind.CAREER_PROFILE_UPDATE},
    Event.PAUSE: ALL_KINDS
    - {FollowUpKind.CONSENT_EXPIRY, FollowUpKind.PROFILE_REASSESSMENT, FollowUpKind.PROGRESS_RATING},
    Event.RESUME: frozenset({FollowUpKind.PAUSED_OUTREACH}),
    Event.CLOSE: ALL_KINDS,
    Event.DECLINE: ALL_KINDS,
    Event.HANDOVER_TO_NATURAL_SUPPORTS: ALL_KINDS,
}
# Which follow-ups an event itself completes.
COMPLETED_BY_EVENT: dict[Event, frozenset[FollowUpKind]] = {
    Event.RESUME_SEARCH: frozenset({FollowUpKind.RESUME_SEARCH}),
    # Enrolment needs the citizen's agreement: the first contact has happened.
    Event.ENROL: frozenset({FollowUpKind.FIRST_CITIZEN_CONTACT}),
}

# Which logged activity completes which follow-ups.
CITIZEN_CONTACT_KINDS = CITIZEN_CONTACT_FOLLOW_UPS
# The first contact after an assignment is answered by any conversation, however early.
FIRST_CONTACT = frozenset({FollowUpKind.FIRST_CITIZEN_CONTACT})
COMPLETED_BY_ACTIVITY: dict[str, frozenset[FollowUpKind]] = {
    ContactKind.CONTACT: CITIZEN_CONTACT_KINDS | FIRST_CONTACT,
    ContactKind.BENEFITS_COUNSELLING: CITIZEN_CONTACT_KINDS | FIRST_CONTACT | {FollowUpKind.BENEFITS_COUNSELLING},
    ContactKind.JOINT_START_MEETING: CITIZEN_CONTACT_KINDS | FIRST_CONTACT | {FollowUpKind.JOINT_START_MEETING},
    ContactKind.JOB_ENDING_REVIEW: CITIZEN_CONTACT_KINDS | {FollowUpKind.JOB_ENDING_REVIEW},
    ContactKind.TREATMENT_TEAM_MEETING: frozenset(),
    Activity.EMPLOYER_CONTACT: frozenset({FollowUpKind.FIRST_EMPLOYER_CONTACT, FollowUpKind.NEXT_EMPLOYER_CONTACT}),
    # A follow-along visit to the employer of a citizen in work counts as follow-along support.
    Activity.EMPLOYER_FOLLOW_ALONG: PLACEMENT_KINDS,
    Activity.CAREER_PROFILE: frozenset({FollowUpKind.PROFILE_REASSESSMENT, FollowUpKind.CAREER_PROFILE_UPDATE}),
}

"""Follow-up rules as data (DESIGN section 4).

A rule says which follow-up a trigger creates and when it is due, reminded and escalated,
counted from the moment the workflow is asked (the injected clock) or the start date.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .phases import CITIZEN_CONTACT_FOLLOW_UPS, ContactKind, Event, FollowUpKind as K


@dataclass(frozen=True)
class Rule:
    kind: K
    due: timedelta
    remind: timedelta | None = None  # before due, counted from the same base
    escalate: timedelta | None = None  # counted from the same base
    assignee: str = "consultant"
    recur: timedelta | None = None  # the next one is created when this one is completed


D = timedelta

START_RULES = (
    Rule(K.FIRST_EMPLOYER_CONTACT, due=D(days=30), remind=D(days=21), escalate=D(days=30)),
    Rule(K.JOINT_START_MEETING, due=D(days=14), remind=D(days=10), escalate=D(days=14)),
)
# Time-unlimited follow-along support: 3 days, weekly for 4 weeks, then monthly for as long as wanted.
PLACEMENT_RULES = (
    Rule(K.JOB_START_CONTACT, due=D(days=3), remind=D(days=2)),
    Rule(K.WEEKLY_CONTACT, due=D(days=7)),
    Rule(K.WEEKLY_CONTACT, due=D(days=14)),
    Rule(K.WEEKLY_CONTACT, due=D(days=21)),
    Rule(K.WEEKLY_CONTACT, due=D(days=28)),
    Rule(K.MONTHLY_CONTACT, due=D(days=58), recur=D(days=30)),
)
# "Hvis noget glipper, så justér i stedet for at opgive."
ENDING_RULES = (
    Rule(K.JOB_ENDING_CONTACT, due=D(days=3), remind=D(days=2)),
    Rule(K.JOB_ENDING_REVIEW, due=D(days=7), remind=D(days=5), escalate=D(days=7)),
    Rule(K.RESUME_SEARCH, due=D(days=14), remind=D(days=12)),
)
PAUSE_OUTREACH = Rule(K.PAUSED_OUTREACH, due=D(0), recur=D(days=14))
RESUME_CONTACT = Rule(K.WEEKLY_CONTACT, due=D(days=7))
NO_CONTACT_AFTER = D(days=30)
FIRST_EMPLOYER_CONTACT_DEADLINE = D(days=30)
EARLY_ENDING = D(days=90)
CONSENT_EXPIRY_NOTICE = D(days=30)
PROFILE_REASSESSMENT = Rule(K.PROFILE_REASSESSMENT, due=D(days=90), recur=D(days=90))
# The career profile is updated after every job (IPS-25 item 14): after a start and an ending.
PROFILE_UPDATE = Rule(K.CAREER_PROFILE_UPDATE, due=D(days=14), remind=D(days=10))
# Resuming the search starts rapid job search again, as enrolment does.
NEXT_EMPLOYER_CONTACT = Rule(K.NEXT_EMPLOYER_CONTACT, due=D(days=30), remind=D(days=21), escalate=D(days=30))
# Psychiatry acknowledges a job-ending notification within 2 working days.
ACK_WORKING_DAYS = 2

# Who hears of an escalation, by follow-up kind: (recipient, notification kind).
ESCALATION_NOTIFY: dict[K, tuple[tuple[str, str], ...]] = {
    K.FIRST_EMPLOYER_CONTACT: (("coordinator", "escalation"),),
    K.JOINT_START_MEETING: (("coordinator", "escalation"),),
    K.JOB_ENDING_REVIEW: (("coordinator", "escalation"),),
    K.NEXT_EMPLOYER_CONTACT: (("coordinator", "escalation"),),
    K.PSYCHIATRY_ACK: (("psychiatry_contact", "ack_reminder"), ("coordinator", "escalation")),
}

CREATED_BY_EVENT: dict[Event, tuple[Rule, ...]] = {
    Event.ENROL: START_RULES + (PROFILE_REASSESSMENT,),
    Event.RE_ENTER: START_RULES + (PROFILE_REASSESSMENT,),
    Event.START_JOB: PLACEMENT_RULES + (PROFILE_UPDATE,),
    Event.START_EDUCATION: PLACEMENT_RULES + (PROFILE_UPDATE,),
    Event.END_JOB: ENDING_RULES + (PROFILE_UPDATE,),
    Event.END_EDUCATION: ENDING_RULES + (PROFILE_UPDATE,),
    Event.RESUME_SEARCH: (NEXT_EMPLOYER_CONTACT,),
}

PLACEMENT_KINDS = frozenset({K.JOB_START_CONTACT, K.WEEKLY_CONTACT, K.MONTHLY_CONTACT})
ENDING_KINDS = frozenset({K.JOB_ENDING_CONTACT, K.JOB_ENDING_REVIEW, K.RESUME_SEARCH})
ALL_KINDS = frozenset(K)

# Which open follow-ups each event cancels ("all but" consent reminders where noted).
CANCELLED_BY_EVENT: dict[Event, frozenset[K]] = {
    Event.START_JOB: ENDING_KINDS | PLACEMENT_KINDS | {K.FIRST_EMPLOYER_CONTACT, K.NEXT_EMPLOYER_CONTACT,
                                                       K.CAREER_PROFILE_UPDATE},
    Event.START_EDUCATION: ENDING_KINDS | PLACEMENT_KINDS | {K.FIRST_EMPLOYER_CONTACT, K.NEXT_EMPLOYER_CONTACT,
                                                             K.CAREER_PROFILE_UPDATE},
    Event.END_JOB: PLACEMENT_KINDS | {K.CAREER_PROFILE_UPDATE},
    Event.END_EDUCATION: PLACEMENT_KINDS | {K.CAREER_PROFILE_UPDATE},
    Event.PAUSE: ALL_KINDS - {K.CONSENT_EXPIRY, K.PROFILE_REASSESSMENT},
    Event.RESUME: frozenset({K.PAUSED_OUTREACH}),
    Event.CLOSE: ALL_KINDS,
    Event.DECLINE: ALL_KINDS,
    Event.TRANSITION: ALL_KINDS,
}
# Which follow-ups an event itself completes.
COMPLETED_BY_EVENT: dict[Event, frozenset[K]] = {
    Event.RESUME_SEARCH: frozenset({K.RESUME_SEARCH}),
}

# Which logged activity completes which follow-ups.
CITIZEN_CONTACT_KINDS = CITIZEN_CONTACT_FOLLOW_UPS
COMPLETED_BY_ACTIVITY: dict[str, frozenset[K]] = {
    ContactKind.CONTACT: CITIZEN_CONTACT_KINDS,
    ContactKind.BENEFITS_COUNSELLING: CITIZEN_CONTACT_KINDS,
    ContactKind.JOINT_START_MEETING: CITIZEN_CONTACT_KINDS | {K.JOINT_START_MEETING},
    ContactKind.JOB_ENDING_REVIEW: CITIZEN_CONTACT_KINDS | {K.JOB_ENDING_REVIEW},
    ContactKind.TREATMENT_TEAM_MEETING: frozenset(),
    "employer_contact": frozenset({K.FIRST_EMPLOYER_CONTACT, K.NEXT_EMPLOYER_CONTACT}),
    # A follow-along visit to the employer of a citizen in work counts as follow-along support.
    "employer_follow_along": PLACEMENT_KINDS,
    "career_profile": frozenset({K.PROFILE_REASSESSMENT, K.CAREER_PROFILE_UPDATE}),
}
# A contact satisfies contact follow-ups that are due up to this long after it.
CONTACT_WINDOW = D(days=3)

"""The words a person reads for the domain's codes, in one place.

Keyed by the enums of ips_coord.workflows.phases (a StrEnum is equal to its stored string, so
a value read from the database finds its label too). English msgids, translated by Flask-Babel
when shown; the pages, the forms and the emails all take their labels from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from .workflows.fidelity_scale import FidelityLevel, ReviewStatus
from .workflows.network import NetworkCategory, NetworkRelation, NetworkRole
from .workflows.phases import (
    NEUTRAL_FOLLOW_UP,
    TREATMENT_FOLLOW_UP_KINDS,
    AccessAction,
    Adjustment,
    AuditPart,
    BenefitKind,
    ChangeKind,
    CloseReason,
    ConsentCategory,
    ContactKind,
    ContactPurpose,
    DecisionOutcome,
    Deviation,
    Disclosure,
    EndReason,
    Event,
    FollowUpKind,
    HistoryEntry,
    InboxKind,
    Location,
    MatchReason,
    NotificationKind,
    OpeningStatus,
    OrgKind,
    Part,
    Party,
    Phase,
    PlacementType,
    ReferralReason,
    Role,
    ServiceScope,
    SuggestionOutcome,
    WebhookStatus,
    WithdrawalRequester,
)
from .workflows.plan import Dimension, PlanOwner, SupportField

# Every table is keyed by its enum, so a key of another kind is a type error (and a test holds each
# table to every member of its enum). A reader that looks up a stored code (a plain str, equal to its
# member) sees a table as CodeWords.
CodeWords = Mapping[Any, LazyString]

PHASES: dict[Phase, LazyString] = {
    Phase.REFERRED: _l("Referred"),
    Phase.ENGAGEMENT: _l("Engagement"),
    Phase.JOB_SEARCH: _l("Job search"),
    Phase.EMPLOYED: _l("Employed"),
    Phase.IN_EDUCATION: _l("In education"),
    Phase.JOB_ENDED: _l("Job ended"),
    Phase.PAUSED: _l("Paused"),
    Phase.TRANSITIONED: _l("Transitioned to natural supports"),
    Phase.CLOSED: _l("Closed"),
}
ROLES: dict[Role, LazyString] = {
    Role.IPS_CONSULTANT: _l("IPS consultant"),
    Role.PSYCHIATRY: _l("Clinician"),
    Role.JOBCENTER: _l("Caseworker"),
    Role.COORDINATOR: _l("Coordinator"),
    Role.ADMIN: _l("Admin"),
    Role.PRIVACY_OFFICER: _l("Privacy officer"),
    Role.INTEGRATION: _l("Integration"),
}
ORG_KINDS: dict[OrgKind, LazyString] = {
    OrgKind.JOBCENTER: _l("Jobcenter"),
    OrgKind.PSYCHIATRY: _l("Psychiatry"),
    OrgKind.IPS_TEAM: _l("IPS team"),
    OrgKind.NATIONAL: _l("National IPS support"),
}
PARTIES: dict[Party, LazyString] = {
    Party.PSYCHIATRY: _l("Psychiatry"),
    Party.JOBCENTER: _l("Jobcenter"),
    Party.IPS_TEAM: _l("IPS team"),
}
CATEGORIES: dict[ConsentCategory, LazyString] = {
    ConsentCategory.SYMPTOMS: _l("Symptoms"),
    ConsentCategory.COPING_STRATEGIES: _l("Coping strategies"),
    ConsentCategory.WARNING_SIGNS: _l("Triggers and warning signs"),
    ConsentCategory.MEDICATION_SIDE_EFFECTS: _l("Medication side effects and changes"),
    ConsentCategory.STRENGTHS: _l("Strengths"),
    ConsentCategory.EMPLOYMENT_PROGRESS: _l("Employment progress"),
    ConsentCategory.BENEFIT_FACTS: _l("Benefit-relevant facts"),
}
# The same, in the citizen's own view: plain words for someone who may be having a bad period.
CATEGORIES_FOR_CITIZEN: dict[ConsentCategory, LazyString] = {
    ConsentCategory.SYMPTOMS: _l("how you are feeling"),
    ConsentCategory.COPING_STRATEGIES: _l("what helps you when things are hard"),
    ConsentCategory.WARNING_SIGNS: _l("signs that things are getting hard for you"),
    ConsentCategory.MEDICATION_SIDE_EFFECTS: _l("your medicine and how it affects you"),
    ConsentCategory.STRENGTHS: _l("what you are good at"),
    ConsentCategory.EMPLOYMENT_PROGRESS: _l("how your job or education is going"),
    ConsentCategory.BENEFIT_FACTS: _l("your benefits"),
}
# Who may tell whom, and why, in the citizen's words (from party, to party).
CONSENTS_FOR_CITIZEN: dict[tuple[str, str], tuple[LazyString, LazyString]] = {
    (Party.PSYCHIATRY, Party.IPS_TEAM): (
        _l("Your treatment place may tell your IPS consultant about"),
        _l("So your consultant knows what helps you and can support you at work in a way that fits you."),
    ),
    (Party.IPS_TEAM, Party.PSYCHIATRY): (
        _l("Your IPS consultant may tell your treatment place about"),
        _l("So your treatment and your job search can work together."),
    ),
    (Party.IPS_TEAM, Party.JOBCENTER): (
        _l("Your IPS consultant may tell the jobcenter about"),
        _l("So the jobcenter can get your benefits and support right when you start work or education."),
    ),
    (Party.JOBCENTER, Party.IPS_TEAM): (
        _l("The jobcenter may tell your IPS consultant about"),
        _l("So your consultant can help you understand what work means for your benefits."),
    ),
    (Party.PSYCHIATRY, Party.JOBCENTER): (
        _l("Your treatment place may tell the jobcenter about"),
        _l("So the jobcenter knows what support you need."),
    ),
    (Party.JOBCENTER, Party.PSYCHIATRY): (
        _l("The jobcenter may tell your treatment place about"),
        _l("So your treatment place knows about your situation with the jobcenter."),
    ),
}
# The entries of a case's history: the workflow's events and the other things recorded there.
EVENTS: dict[Event | HistoryEntry, LazyString] = {
    Event.ENROL: _l("Enrol"),
    Event.DECLINE: _l("Citizen declines"),
    Event.START_SEARCH: _l("Start job search"),
    Event.START_JOB: _l("Start a job"),
    Event.START_EDUCATION: _l("Start an education"),
    Event.END_JOB: _l("Job ended"),
    Event.END_EDUCATION: _l("Education ended"),
    Event.RESUME_SEARCH: _l("Resume job search"),
    Event.HANDOVER_TO_NATURAL_SUPPORTS: _l("Hand over to natural supports"),
    Event.PAUSE: _l("Pause"),
    Event.RESUME: _l("Resume"),
    Event.CLOSE: _l("Close the case"),
    Event.RE_ENTER: _l("Re-enter IPS"),
    HistoryEntry.REFERRED: _l("Referred"),
    HistoryEntry.DEVIATION: _l("Deviation"),
    HistoryEntry.ESCALATED: _l("Escalated"),
    HistoryEntry.ACKNOWLEDGED: _l("Acknowledged"),
    HistoryEntry.REVIEW_RECORDED: _l("Job-ending review"),
    HistoryEntry.CONSENT_RECORDED: _l("Consent recorded"),
    HistoryEntry.CONSENT_WITHDRAWN: _l("Consent withdrawn"),
    HistoryEntry.CITIZEN_MERGED: _l("Merged with an earlier record"),
    HistoryEntry.FOLLOW_UP_MOVED: _l("Follow-up moved"),
    HistoryEntry.PLAN_GOAL_SAVED: _l("Goals saved"),
    HistoryEntry.PLAN_ACTION_ADDED: _l("Plan action added"),
    HistoryEntry.PLAN_ACTION_DONE: _l("Plan action done"),
    HistoryEntry.INTERVENTION_STARTED: _l("Parallel intervention started"),
    HistoryEntry.INTERVENTION_ENDED: _l("Parallel intervention ended"),
    HistoryEntry.SUPPORTS_CHANGED: _l("Job supports changed"),
    HistoryEntry.PROGRESS_RATED: _l("Progress rated"),
    HistoryEntry.CITIZEN_NOTE: _l("Note from the citizen"),
    HistoryEntry.PARTICIPATION_AGREED: _l("The citizen agreed to take part"),
    HistoryEntry.CITIZEN_INVITED: _l("Citizen invited"),
    HistoryEntry.PLAN_CHANGED: _l("Plan changed"),
    HistoryEntry.ANONYMISED: _l("Anonymised (retention period ended)"),
    HistoryEntry.COORDINATING_PROFESSIONAL_NAMED: _l("Coordinating professional named"),
    HistoryEntry.NETWORK_CHANGED: _l("The citizen's network changed"),
    HistoryEntry.CASE_ASSIGNED: _l("Consultant assigned"),
    HistoryEntry.ADMITTED: _l("Admission"),
    HistoryEntry.DISCHARGED: _l("Discharge"),
    HistoryEntry.JOB_TERMS_CHANGED: _l("Job's hours or pay changed"),
    HistoryEntry.BENEFIT_RECORDED: _l("Jobcenter decision recorded"),
}
FOLLOW_UP_KINDS: dict[FollowUpKind, LazyString] = {
    FollowUpKind.FIRST_EMPLOYER_CONTACT: _l("First employer contact (day 30)"),
    FollowUpKind.JOINT_START_MEETING: _l("Joint start meeting"),
    FollowUpKind.JOB_START_CONTACT: _l("Contact after job start"),
    FollowUpKind.WEEKLY_CONTACT: _l("Weekly contact"),
    FollowUpKind.MONTHLY_CONTACT: _l("Monthly contact"),
    FollowUpKind.JOB_ENDING_CONTACT: _l("Contact after job ending"),
    FollowUpKind.JOB_ENDING_REVIEW: _l("Job-ending review"),
    FollowUpKind.RESUME_SEARCH: _l("Resume job search"),
    FollowUpKind.PAUSED_OUTREACH: _l("Outreach during pause"),
    FollowUpKind.NO_CONTACT: _l("No contact for 30 days"),
    FollowUpKind.CONSENT_EXPIRY: _l("Consent expires soon"),
    FollowUpKind.PROFILE_REASSESSMENT: _l("Reassess career profile"),
    FollowUpKind.PSYCHIATRY_ACK: _l("Psychiatry acknowledgement"),
    FollowUpKind.CAREER_PROFILE_UPDATE: _l("Update the career profile after the job"),
    FollowUpKind.NEXT_EMPLOYER_CONTACT: _l("Next employer contact (job search resumed)"),
    FollowUpKind.EMPLOYER_NEXT_STEP: _l("Next step with an employer"),
    FollowUpKind.PLAN_ACTION: _l("Action in the shared plan"),
    FollowUpKind.PROGRESS_RATING: _l("Progress rating (every 90 days)"),
    FollowUpKind.FIRST_CITIZEN_CONTACT: _l("First contact with the citizen (within 7 days)"),
    FollowUpKind.DISCHARGE_CONTACT: _l("Contact after discharge (3 days)"),
    FollowUpKind.BENEFITS_COUNSELLING: _l("Benefits counselling after changed hours or pay"),
}
NEUTRAL_FOLLOW_UP_LABEL = _l("Follow-up")
# What an unacknowledged job ending is called outside psychiatry: what is missing, not who treats.
OUTWARD_ACK_LABEL = _l("Acknowledgement of a job ending")


def outward_follow_up_kind(kind: str) -> LazyString | str:
    """A follow-up kind as it may be said outside the application (a calendar, an e-mail to
    anyone but psychiatry): the kinds that tell of treatment by the neutral word."""
    if kind == FollowUpKind.PSYCHIATRY_ACK:
        return OUTWARD_ACK_LABEL
    if kind in TREATMENT_FOLLOW_UP_KINDS or kind == NEUTRAL_FOLLOW_UP:
        return NEUTRAL_FOLLOW_UP_LABEL
    words: CodeWords = FOLLOW_UP_KINDS
    return words.get(kind, kind)


CLOSE_REASONS: dict[CloseReason, LazyString] = {
    CloseReason.CITIZEN_CHOICE: _l("The citizen's own choice"),
    CloseReason.MOVED_AWAY: _l("Moved away"),
    CloseReason.DIED: _l("Died"),
    CloseReason.TRANSFERRED: _l("Transferred to another service"),
}
# Reasons IPS forbids, offered in the close form all the same: choosing one shows the
# zero-exclusion refusal, which says why (the workflow refuses every reason not in CloseReason).
FORBIDDEN_CLOSE_REASONS: dict[str, LazyString] = {
    "missed_appointments": _l("Missed appointments"),
    "not_ready": _l("Not ready"),
}
END_REASONS: dict[EndReason, LazyString] = {
    EndReason.QUIT_WITH_PLAN: _l("Quit with a plan"),
    EndReason.QUIT_WITHOUT_PLAN: _l("Quit without a plan"),
    EndReason.DISMISSED: _l("Dismissed"),
    EndReason.TEMPORARY_ENDED: _l("Temporary job ended"),
    EndReason.HEALTH: _l("Health"),
    EndReason.OTHER: _l("Other"),
}
PLACEMENT_TYPES: dict[PlacementType, LazyString] = {
    PlacementType.ORDINARY_JOB: _l("Ordinary job"),
    PlacementType.FLEXJOB: _l("Flexjob"),
    PlacementType.EDUCATION: _l("Education"),
    PlacementType.INTERNSHIP: _l("Internship (step)"),
    PlacementType.WAGE_SUBSIDY: _l("Wage subsidy (step)"),
    PlacementType.SHELTERED: _l("Sheltered work (step)"),
    PlacementType.OTHER: _l("Other"),
}
CONTACT_KINDS: dict[ContactKind, LazyString] = {
    ContactKind.CONTACT: _l("Contact with the citizen"),
    ContactKind.JOINT_START_MEETING: _l("Joint start meeting"),
    ContactKind.TREATMENT_TEAM_MEETING: _l("Treatment-team meeting"),
    ContactKind.BENEFITS_COUNSELLING: _l("Benefits counselling"),
}
LOCATIONS: dict[Location, LazyString] = {
    Location.COMMUNITY: _l("In the community"),
    Location.OFFICE: _l("At the office"),
    Location.PHONE: _l("Phone"),
    Location.VIDEO: _l("Video"),
}
DISCLOSURES: dict[Disclosure, LazyString] = {
    Disclosure.UNDECIDED: _l("Undecided"),
    Disclosure.FULL: _l("Full"),
    Disclosure.PARTIAL: _l("Partial"),
    Disclosure.NONE: _l("None"),
}
# Who asked for a consent to be withdrawn.
WITHDRAWAL_REQUESTERS: dict[WithdrawalRequester, LazyString] = {
    WithdrawalRequester.CITIZEN: _l("The citizen"),
    WithdrawalRequester.GIVING_PARTY: _l("The party that gave the consent"),
}
# Job development: why a consultant met an employer, where an opening stands, what
# came of suggesting an opening to a citizen.
CONTACT_PURPOSES: dict[ContactPurpose, LazyString] = {
    ContactPurpose.FIRST_MEETING: _l("First meeting"),
    ContactPurpose.LEARN_NEEDS: _l("Learning the employer's needs"),
    ContactPurpose.PRESENT_CANDIDATE: _l("Presenting a candidate"),
    ContactPurpose.FOLLOW_ALONG: _l("Follow-along"),
}
OPENING_STATUSES: dict[OpeningStatus, LazyString] = {
    OpeningStatus.OPEN: _l("Open"),
    OpeningStatus.FILLED: _l("Filled"),
    OpeningStatus.CLOSED: _l("Closed"),
}
SUGGESTION_OUTCOMES: dict[SuggestionOutcome, LazyString] = {
    SuggestionOutcome.SUGGESTED: _l("Suggested"),
    SuggestionOutcome.NOT_INTERESTED: _l("Not interested"),
    SuggestionOutcome.APPLIED: _l("Applied"),
    SuggestionOutcome.INTERVIEW: _l("Interview"),
    SuggestionOutcome.HIRED: _l("Hired"),
    SuggestionOutcome.NOT_HIRED: _l("Not hired"),
}
# A match's reasons, each followed by the words it found ("wishes lager", "in Nordby").
MATCH_REASONS: dict[MatchReason, LazyString] = {
    MatchReason.WISH: _l("wishes"),
    MatchReason.EXPERIENCE: _l("has worked with"),
    MatchReason.HOURS: _l("hours"),
    MatchReason.MORE_HOURS: _l("more hours than wished"),
    MatchReason.PLACE: _l("in"),
}
# Codes shown on the pages as plain words (contact kinds, where, placement types).
WORDS: CodeWords = {**PLACEMENT_TYPES, **CONTACT_KINDS, **LOCATIONS}

# Notifications: a kind's subject and one line, the words of the generic e-mail template (email/any.txt)
# for a kind or recipient without a template of its own (never a diagnosis, a note or a benefit fact).
NOTIFICATION_SUBJECTS: dict[str, LazyString] = {
    NotificationKind.CASE_ENROLLED: _l("New IPS case"),
    NotificationKind.JOB_STARTED: _l("Job start"),
    NotificationKind.EDUCATION_STARTED: _l("Education start"),
    NotificationKind.JOB_ENDED: _l("Job ended: please acknowledge"),
    NotificationKind.EDUCATION_ENDED: _l("Education ended: please acknowledge"),
    NotificationKind.EARLY_ENDING: _l("Early job ending"),
    NotificationKind.CASE_CLOSED: _l("IPS case closed"),
    NotificationKind.ESCALATION: _l("Escalation: a deadline has passed"),
    NotificationKind.ACK_REMINDER: _l("Reminder: please acknowledge the job ending"),
    NotificationKind.DAILY_DIGEST: _l("Your follow-ups today"),
    NotificationKind.POSSIBLE_DUPLICATE: _l("A referral may duplicate an earlier case"),
    NotificationKind.CITIZEN_CODE: _l("Your sign-in code for IPS"),
    NotificationKind.CITIZEN_INVITATION: _l("Your IPS consultant invites you to see your plan"),
    NotificationKind.NETWORK_INVITATION: _l("Invitation to a meeting"),
    NotificationKind.PASSWORD_RESET: _l("Choose a new password for IPS"),
    NotificationKind.CASE_ASSIGNED: _l("An IPS consultant has taken the case"),
    NotificationKind.ADMITTED: _l("Case paused"),
    NotificationKind.DISCHARGED: _l("Case resumed: contact the citizen within 3 days"),
    NotificationKind.JOB_TERMS_CHANGED: _l("Changed hours or pay"),
}
NOTIFICATION_LINES: dict[NotificationKind, LazyString] = {
    NotificationKind.CASE_ENROLLED: _l("The citizen has started in IPS. A joint start meeting is due within 14 days."),
    NotificationKind.JOB_STARTED: _l("The citizen has started in a job. Follow-along support has begun."),
    NotificationKind.EDUCATION_STARTED: _l("The citizen has started an education. Follow-along support has begun."),
    NotificationKind.JOB_ENDED: _l(
        "The citizen's job has ended. A joint review meeting is due within 7 days. Please acknowledge."
    ),
    NotificationKind.EDUCATION_ENDED: _l(
        "The citizen's education has ended. A joint review meeting is due within 7 days. Please acknowledge."
    ),
    NotificationKind.EARLY_ENDING: _l("A job ended within 90 days of its start. The plan is being adjusted."),
    NotificationKind.CASE_CLOSED: _l("The IPS case has been closed."),
    NotificationKind.ESCALATION: _l("A follow-up on the case has passed its deadline."),
    NotificationKind.ACK_REMINDER: _l("The job ending on this case has not been acknowledged yet."),
    NotificationKind.DAILY_DIGEST: _l("These follow-ups are due today or overdue."),
    NotificationKind.POSSIBLE_DUPLICATE: _l(
        "A new referral has the same name as a citizen already known. "
        "Check it on your overview and merge if it is the same person."
    ),
    NotificationKind.CITIZEN_CODE: _l(
        "Your code is %(code)s. It works once, for 15 minutes. If you did not ask for it, ignore this e-mail."
    ),
    NotificationKind.CITIZEN_INVITATION: _l("Open this link to sign in to your own page. It works once, for 7 days:"),
    NotificationKind.NETWORK_INVITATION: _l("A person of the citizen's network is invited to a meeting."),
    NotificationKind.PASSWORD_RESET: _l(
        "Open this link to choose a new password. It works once, for 1 hour. "
        "If you did not ask for it, ignore this e-mail:"
    ),
    NotificationKind.CASE_ASSIGNED: _l(
        "The coordinator has assigned an IPS consultant to the case. The consultant contacts the citizen within 7 days."
    ),
    NotificationKind.ADMITTED: _l("The case is paused. Log in to see why, if the consent allows."),
    NotificationKind.DISCHARGED: _l("The case is resumed. Contact the citizen within 3 days."),
    NotificationKind.JOB_TERMS_CHANGED: _l("The hours or pay of the citizen's job have changed."),
}
# The subject of a notification of a kind that has no words of its own yet.
NOTIFICATION_FALLBACK = _l("Notification")

# --- The shared plan and the citizen's own view --------------------------------------------
# Who owns an action of the plan, as staff read it and as the citizen reads it.
PLAN_OWNERS: dict[PlanOwner, LazyString] = {
    PlanOwner.IPS_TEAM: _l("IPS team"),
    PlanOwner.PSYCHIATRY: _l("Psychiatry"),
    PlanOwner.JOBCENTER: _l("Jobcenter"),
    PlanOwner.SOCIAL_PSYCHIATRY: _l("Social psychiatry"),
    PlanOwner.CITIZEN: _l("The citizen"),
    PlanOwner.NETWORK: _l("The citizen's network"),
}
PLAN_OWNERS_FOR_CITIZEN: dict[PlanOwner, LazyString] = {
    PlanOwner.IPS_TEAM: _l("IPS consultant"),
    PlanOwner.PSYCHIATRY: _l("Psychiatry"),
    PlanOwner.JOBCENTER: _l("Jobcenter"),
    PlanOwner.SOCIAL_PSYCHIATRY: _l("Social psychiatry"),
    PlanOwner.CITIZEN: _l("You"),
    PlanOwner.NETWORK: _l("Someone from your network"),
}
SUPPORTS: dict[SupportField, LazyString] = {
    SupportField.MENTOR: _l("Mentor"),
    SupportField.MENTOR_HOURS: _l("Mentor hours a week"),
    SupportField.PERSONAL_ASSISTANCE: _l("Personal assistance"),
    SupportField.AIDS: _l("Aids"),
    SupportField.FLEXJOB_TERMS: _l("Flexjob terms"),
    SupportField.ADJUSTMENTS: _l("Workplace adjustments"),
}
# The progress instrument's dimensions, in the citizen's words (the staff form uses them too).
DIMENSIONS: dict[Dimension, LazyString] = {
    Dimension.WISH_TO_WORK: _l("My wish to work"),
    Dimension.HEALTH_AND_WELLBEING: _l("My health and well-being"),
    Dimension.DAILY_STRUCTURE: _l("Structure in my day"),
    Dimension.SOCIAL_RELATIONS: _l("Friends, family and other people"),
    Dimension.FINANCES_AND_SECURITY: _l("Money and security"),
    Dimension.BELIEF_IN_OWN_ABILITIES: _l("Belief in what I can do"),
}
# What happens next, in plain words, per phase (the citizen's view).
NEXT_STEPS: dict[Phase, LazyString] = {
    Phase.REFERRED: _l(
        "You have been referred to IPS. An IPS consultant will contact you to talk about whether you want to take part."
    ),
    Phase.ENGAGEMENT: _l(
        "You and your consultant get to know each other, write down what you want, and hold a "
        "start meeting with your contact in psychiatry."
    ),
    Phase.JOB_SEARCH: _l(
        "You and your consultant look for a job or an education that fits what you want. Your "
        "consultant visits employers."
    ),
    Phase.EMPLOYED: _l("You have a job. Your consultant keeps in touch for as long as you want support."),
    Phase.IN_EDUCATION: _l("You are in education. Your consultant keeps in touch for as long as you want support."),
    Phase.JOB_ENDED: _l(
        "Your job has ended. You and your consultant look at what worked and what to change, then carry on."
    ),
    Phase.PAUSED: _l("Your course is paused. Your consultant will get in touch again."),
    Phase.TRANSITIONED: _l("You manage without IPS support now. You can always come back."),
    Phase.CLOSED: _l("Your IPS course has ended. You can always come back."),
}
# Follow-ups a citizen takes part in, said plainly. Others are the staff's own work.
CITIZEN_MEETINGS: dict[FollowUpKind, LazyString] = {
    FollowUpKind.JOINT_START_MEETING: _l("Start meeting with you, your consultant and psychiatry"),
    FollowUpKind.JOB_START_CONTACT: _l("Your consultant contacts you after your start"),
    FollowUpKind.WEEKLY_CONTACT: _l("Talk with your consultant"),
    FollowUpKind.MONTHLY_CONTACT: _l("Talk with your consultant"),
    FollowUpKind.JOB_ENDING_CONTACT: _l("Your consultant contacts you"),
    FollowUpKind.JOB_ENDING_REVIEW: _l("Meeting: what worked, what to change"),
    FollowUpKind.PAUSED_OUTREACH: _l("Your consultant contacts you"),
    FollowUpKind.PROGRESS_RATING: _l("You and your consultant look at your progress"),
    FollowUpKind.DISCHARGE_CONTACT: _l("Your consultant contacts you"),
}
# The parts of the record as the citizen reads them in "who has read my record". Health and
# benefit parts are left out on purpose: they show as "your record", so no label tells what is held.
PARTS_FOR_CITIZEN: dict[Part, LazyString] = {
    Part.IDENTITY: _l("your course"),
    Part.PHASE: _l("your course"),
    Part.CAREER_PROFILE: _l("your career profile"),
    Part.PLACEMENTS: _l("your jobs and education"),
    Part.SHARED_PLAN: _l("your plan"),
    Part.FOLLOW_UPS: _l("your appointments"),
    Part.CONSENTS: _l("your consents"),
    Part.PROGRESS: _l("your progress"),
    Part.CONTACT_NOTES: _l("notes from your conversations"),
}
# Notification kinds as a short name (the coordinator's notification list).
NOTIFICATION_KINDS: dict[NotificationKind, LazyString] = {
    NotificationKind.JOB_ENDED: _l("Job ended"),
    NotificationKind.JOB_STARTED: _l("Job started"),
    NotificationKind.EDUCATION_STARTED: _l("Education started"),
    NotificationKind.EDUCATION_ENDED: _l("Education ended"),
    NotificationKind.CASE_ENROLLED: _l("Enrolled in IPS"),
    NotificationKind.CASE_CLOSED: _l("Case closed"),
    NotificationKind.EARLY_ENDING: _l("Early job ending"),
    NotificationKind.ESCALATION: _l("Escalation"),
    NotificationKind.ACK_REMINDER: _l("Reminder to acknowledge"),
    NotificationKind.DAILY_DIGEST: _l("Daily overview"),
    NotificationKind.POSSIBLE_DUPLICATE: _l("A referral may duplicate an earlier case"),
    NotificationKind.CITIZEN_CODE: _l("Sign-in code to a citizen"),
    NotificationKind.CITIZEN_INVITATION: _l("Invitation to a citizen"),
    NotificationKind.NETWORK_INVITATION: _l("Invitation to the citizen's network"),
    NotificationKind.PASSWORD_RESET: _l("Password reset link"),
    NotificationKind.CASE_ASSIGNED: _l("Consultant assigned"),
    NotificationKind.ADMITTED: _l("Admission"),
    NotificationKind.DISCHARGED: _l("Discharge"),
    NotificationKind.JOB_TERMS_CHANGED: _l("Changed hours or pay"),
}

# The access log in words: what was done, to which part, and from which page.
ACCESS_ACTIONS: dict[AccessAction, LazyString] = {
    AccessAction.READ: _l("Read"),
    AccessAction.WRITE: _l("Changed"),
    AccessAction.REFUSED: _l("Refused"),
}
ACCESS_PARTS: dict[AuditPart | Part, LazyString] = {
    Part.IDENTITY: _l("Name and contact details"),
    Part.PHASE: _l("Phase"),
    Part.CAREER_PROFILE: _l("Career profile"),
    Part.PLACEMENTS: _l("Jobs, education and steps"),
    Part.CONTACT_NOTES: _l("Contacts and meetings"),
    Part.SHARED_HEALTH_INFO: _l("Shared by psychiatry"),
    Part.BENEFIT_FACTS: _l("Benefit-relevant facts"),
    Part.HISTORY: _l("History"),
    Part.CONSENTS: _l("Consents"),
    Part.FOLLOW_UPS: _l("Follow-ups"),
    Part.ACCESS_LOG: _l("Access log"),
    Part.EXPORT: _l("Export"),
    AuditPart.CASE_LIST: _l("Case list"),
    AuditPart.MY_DAY: _l("My day"),
    AuditPart.ACKNOWLEDGEMENT: _l("Acknowledgement"),
    AuditPart.NOTIFICATION: _l("Notification"),
    AuditPart.ROUTE: _l("Page"),
    Part.SHARED_PLAN: _l("Shared plan"),
    Part.PARALLEL_INTERVENTIONS: _l("Parallel interventions"),
    Part.PROGRESS: _l("Progress"),
    AuditPart.SIGN_IN: _l("The citizen's sign-in"),
    AuditPart.INBOX: _l("Inbox"),
    AuditPart.ASSIGNMENT: _l("Unassigned referrals"),
    AuditPart.WEBHOOK_DELIVERY: _l("Webhook delivery log"),
    AuditPart.SERVICE_TOKEN: _l("Service token"),
}
# Endpoints (Flask's names for the pages) an access-log row was written from.
ENDPOINTS: dict[str, LazyString] = {
    "case_page.detail": _l("Case page"),
    "cases.index": _l("Case list"),
    "cases.home": _l("Front page"),
    "cases.access_log": _l("Access log"),
    "consultant.my_day": _l("My day"),
    "consultant.employer_contact": _l("Employer contact"),
    "consultant.log_contact_for": _l("My day"),
    "coordinator.overview": _l("Team overview"),
    "coordinator.reports": _l("Outcomes and fidelity"),
    "coordinator.notifications": _l("Notifications"),
    "privacy.index": _l("Data protection"),
    "privacy.export": _l("Export"),
    "case_page.new_referral": _l("Refer a citizen"),
    "cli": _l("Command line"),
    "search.results": _l("Search"),
    "account.calendar": _l("Calendar feed"),
}
# An endpoint without its own word: the area (blueprint) a person knows it as; "page" otherwise.
API_AREA = _l("API")
ENDPOINT_AREAS: dict[str, LazyString] = {
    "case_page": _l("Case page"),
    "cases": _l("Case list"),
    "consultant": _l("My day"),
    "coordinator": _l("Team overview"),
    "privacy": _l("Data protection"),
    "ack": _l("Acknowledgement"),
    "auth": _l("Log in"),
    "page": _l("Page"),
}
# What a refused request tried to reach, by the URL argument it named (access.audit._refused_case).
REFUSAL_TARGETS: dict[str, LazyString] = {
    "case": _l("case"),
    "citizen": _l("citizen"),
    "follow-up": _l("follow-up"),
    "consent": _l("consent"),
    "notification": _l("notification"),
    "into-case": _l("case"),
    "token": _l("Service token"),
}
# The HTTP status of a refused request, in the refusal lists.
REFUSAL_OUTCOMES: dict[str, LazyString] = {
    "403": _l("Forbidden"),
    "404": _l("Not found"),
    "400": _l("Bad request"),
    "401": _l("Not logged in"),
    "409": _l("Changed by someone else"),
    "412": _l("Changed by someone else"),
    "422": _l("Invalid request"),
    "428": _l("Invalid request"),
    "500": _l("Server error"),
}
# Error pages: a title and what the person can do, by HTTP status.
ERROR_PAGES: dict[int, tuple[LazyString, LazyString]] = {
    400: (_l("Something in the request was not right"), _l("Go back, check what you filled in and try again.")),
    403: (_l("You do not have access"), _l("Your role does not give access to this page or case.")),
    404: (_l("The page was not found"), _l("The page or case does not exist, or you do not have access to it.")),
    405: (_l("That cannot be done here"), _l("Go back and use the page's buttons.")),
    409: (_l("Someone else changed it first"), _l("Open the page again and check before you save.")),
    413: (_l("Too much was sent"), _l("Shorten the text and try again.")),
    429: (_l("Too many requests"), _l("Wait a minute and try again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("What you did may not have been saved. Try again in a moment; if it keeps happening, tell support."),
    ),
}

# Records shown back on the case page, under the forms' own labels.
ADJUSTMENTS: dict[Adjustment, LazyString] = {
    Adjustment.HOURS: _l("Adjust hours"),
    Adjustment.TASKS: _l("Adjust tasks"),
    Adjustment.MENTOR: _l("Mentor"),
    Adjustment.AIDS: _l("Aids"),
    Adjustment.DISCLOSURE: _l("Disclosure"),
    Adjustment.OTHER: _l("Other"),
}
PROFILE_FIELDS: dict[str, LazyString] = {
    "wishes_and_dreams": _l("Wishes and dreams, in the citizen's words"),
    "job_preferences": _l("Job preferences"),
    "work_history": _l("Work history"),
    "education": _l("Education"),
    "strengths": _l("Strengths"),
    "support_needs": _l("Support needs"),
    "disclosure": _l("Disclosure to the employer"),
    "relatives_involved": _l("Relatives and network involved"),
}

# After a step on the case page: what happened, in words.
STEP_DONE: dict[Event, LazyString] = {
    Event.ENROL: _l("The citizen is enrolled in IPS."),
    Event.RE_ENTER: _l("The citizen is enrolled in IPS again."),
    Event.DECLINE: _l("Saved: the citizen declines IPS."),
    Event.START_SEARCH: _l("The job search has started."),
    Event.START_JOB: _l("Job start saved."),
    Event.START_EDUCATION: _l("Education start saved."),
    Event.END_JOB: _l("The job ending is saved. Hold the job-ending review within a week."),
    Event.END_EDUCATION: _l("The end of the education is saved. Hold the review within a week."),
    Event.RESUME_SEARCH: _l("The job search is resumed."),
    Event.HANDOVER_TO_NATURAL_SUPPORTS: _l("The case is handed over to natural supports."),
    Event.PAUSE: _l("The case is paused."),
    Event.RESUME: _l("The case is resumed."),
    Event.CLOSE: _l("The case is closed."),
}
# Who is told of a step, as the sentence names them.
TOLD: dict[Role, LazyString] = {
    Role.PSYCHIATRY: _l("psychiatry"),
    Role.JOBCENTER: _l("the jobcenter"),
    Role.COORDINATOR: _l("the coordinator"),
    Role.IPS_CONSULTANT: _l("the consultant"),
}

# Outcome reports: metric definitions by key (ips_coord/reports/outcomes.py METRICS), CSV headings.
METRIC_NAMES: dict[str, LazyString] = {
    "ipsec-v1": _l("IPS Employment Center employment rate"),
    "grow-2024": _l("IPS Grow employment rate (from April 2024)"),
    "job-or-education-v1": _l("Job or education (Danish IPS proposal)"),
}
CSV_HEADINGS: dict[str, LazyString] = {
    "quarter": _l("Quarter"),
    "metric": _l("Definition"),
    "served": _l("Served"),
    "employed": _l("Employed"),
    "employment_rate": _l("Employment rate (percent)"),
    "first_job_starts": _l("First job starts"),
    "job_starts": _l("Job starts"),
    "flexjob_starts": _l("Flexjob starts"),
    "education_starts": _l("Education starts"),
    "job_endings": _l("Job endings"),
    "early_endings": _l("Early endings"),
    "median_days_to_first_employer_contact": _l("Median days to first employer contact"),
    "reference": _l("Case"),
    "phase": _l("Phase"),
    "consultant": _l("Consultant"),
    "referred": _l("Referred"),
    "enrolled": _l("Enrolled"),
    "last_contact": _l("Last contact"),
}
# Deviations from the IPS standard, as the case's history shows them.
DEVIATIONS: dict[Deviation, LazyString] = {
    Deviation.FIRST_EMPLOYER_CONTACT_LATE: _l("First employer contact came after day 30."),
    Deviation.JOB_START_WITHOUT_BENEFITS_COUNSELLING: _l("Job start without benefits counselling offered."),
    Deviation.NO_CONTACT_30_DAYS: _l("No contact for 30 days."),
}

# The in-app inbox: what each kind of item tells (ips_coord.services.inbox).
INBOX_KINDS: dict[InboxKind, LazyString] = {
    InboxKind.CASE_ASSIGNED: _l("Case assigned"),
    InboxKind.CASE_MOVED: _l("Case moved"),
    InboxKind.ACKNOWLEDGED: _l("Acknowledged by psychiatry"),
    InboxKind.SHARED_WITH_YOU: _l("Shared with you"),
    InboxKind.CONSENT_WITHDRAWN: _l("Consent withdrawn"),
    InboxKind.CITIZEN_NOTE: _l("Note from the citizen"),
    InboxKind.CONSENT_MISSING: _l("Not sent: consent missing"),
    InboxKind.ESCALATION: _l("Escalation"),
    InboxKind.MESSAGE: _l("Message"),
}

# --- Psychiatry in the course of treatment, the jobcenter's workspace ---------------
BENEFIT_KINDS: dict[BenefitKind, LazyString] = {
    BenefitKind.BENEFIT: _l("Benefit"),
    BenefitKind.MENTOR_HOURS: _l("Mentor hours granted"),
    BenefitKind.AIDS: _l("Aids"),
    BenefitKind.PERSONAL_ASSISTANCE: _l("Personal assistance"),
    BenefitKind.FLEXJOB_ASSESSMENT: _l("Flexjob assessment"),
    BenefitKind.RESOURCE_COURSE: _l("Resource course"),
    BenefitKind.REHABILITATION_TEAM: _l("Rehabilitation team"),
}
REFERRAL_REASONS: dict[ReferralReason, LazyString] = {
    ReferralReason.WANTS_WORK: _l("Wants an ordinary job"),
    ReferralReason.WANTS_EDUCATION: _l("Wants an education"),
    ReferralReason.JOB_AT_RISK: _l("In work, the job is at risk"),
    ReferralReason.BACK_FROM_SICK_LEAVE: _l("Back to work after sick leave"),
    ReferralReason.OTHER: _l("Other"),
}
DECISION_OUTCOMES: dict[DecisionOutcome, LazyString] = {
    DecisionOutcome.GRANTED: _l("Granted"),
    DecisionOutcome.REFUSED: _l("Refused"),
    DecisionOutcome.PENDING: _l("Awaiting decision"),
}
# System integrations (the admin's integrations page): kinds of change, scopes, delivery statuses.
CHANGE_KINDS: dict[ChangeKind, LazyString] = {
    ChangeKind.CASE: _l("Case"),
    ChangeKind.CASE_EVENT: _l("History entry"),
    ChangeKind.CONSENT: _l("Consent"),
    ChangeKind.CONTACT: _l("Contact"),
    ChangeKind.EMPLOYER_CONTACT: _l("Employer contact"),
    ChangeKind.PLACEMENT: _l("Job, education or step"),
    ChangeKind.REVIEW: _l("Job-ending review"),
    ChangeKind.INTERVENTION: _l("Parallel intervention"),
    ChangeKind.CAREER_PROFILE: _l("Career profile"),
    ChangeKind.SHARED_HEALTH_INFO: _l("Shared by psychiatry"),
    ChangeKind.BENEFIT_FACT: _l("Benefit-relevant fact"),
    ChangeKind.FOLLOW_UP: _l("Follow-up"),
    ChangeKind.PLAN: _l("Shared plan"),
    ChangeKind.PROGRESS: _l("Progress"),
    ChangeKind.CITIZEN_NOTE: _l("The citizen's note"),
}
SERVICE_SCOPES: dict[ServiceScope, LazyString] = {
    ServiceScope.CASES_READ: _l("Read cases"),
    ServiceScope.CONTACTS_WRITE: _l("Log contacts"),
    ServiceScope.CHANGES_READ: _l("Read the change feed"),
    ServiceScope.WEBHOOKS_RECEIVE: _l("Receive webhooks"),
    ServiceScope.STAFF_READ: _l("Read the staff directory"),
}
# Where a service token is (services/integrations.TokenState), for the admin and the privacy officer.
TOKEN_STATES: dict[str, LazyString] = {
    "pending": _l("Waiting for approval"),
    "active": _l("Active"),
    "rejected": _l("Rejected"),
    "revoked": _l("Revoked"),
    "expired": _l("Expired"),
}
# What an access-log row about a service token records (its `reason`), in words.
TOKEN_EVENTS: dict[str, LazyString] = {
    "created": _l("Asked for"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "revoked": _l("Revoked"),
    "not approved": _l("Not approved yet"),
    "approver's half missing": _l("Only one half of the token"),
    "revoked or expired": _l("Revoked or expired"),
}
WEBHOOK_STATUSES: dict[WebhookStatus, LazyString] = {
    WebhookStatus.PENDING: _l("Waiting"),
    WebhookStatus.QUEUED: _l("Queued"),
    WebhookStatus.SENDING: _l("Sending"),
    WebhookStatus.SENT: _l("Sent"),
    WebhookStatus.FAILED: _l("Failed"),
    WebhookStatus.UNCERTAIN: _l("Maybe delivered"),
}

# --- Fidelity reviews on the IPS-25 scale ------------------------------------------------------
# The 25 items by number, named as the data-scored panel names the ones it scores.
FIDELITY_ITEMS: dict[int, LazyString] = {
    1: _l("Caseload size"),
    2: _l("Employment services staff"),
    3: _l("Vocational generalists"),
    4: _l("Integration with treatment through team assignment"),
    5: _l("Integration with treatment through frequent team contact"),
    6: _l("Collaboration between IPS and the jobcenter"),
    7: _l("Vocational unit"),
    8: _l("Role of the employment supervisor"),
    9: _l("Zero exclusion"),
    10: _l("Agency focus on competitive employment"),
    11: _l("Executive team support"),
    12: _l("Benefits counselling"),
    13: _l("Disclosure discussed"),
    14: _l("Career profile updated after each job"),
    15: _l("Rapid job search"),
    16: _l("Individualised job search"),
    17: _l("Job development frequency"),
    18: _l("Job development: quality of employer contact"),
    19: _l("Diversity of job types"),
    20: _l("Employer diversity"),
    21: _l("Competitive jobs"),
    22: _l("Individualised follow-along supports"),
    23: _l("Time-unlimited follow-along"),
    24: _l("Community-based services"),
    25: _l("No discharge for missed appointments"),
}
FIDELITY_LEVELS: dict[FidelityLevel, LazyString] = {
    FidelityLevel.EXEMPLARY: _l("Exemplary fidelity (115-125)"),
    FidelityLevel.GOOD: _l("Good fidelity (100-114)"),
    FidelityLevel.FAIR: _l("Fair fidelity (74-99)"),
    FidelityLevel.NOT_IPS: _l("Not IPS (73 or less)"),
}
REVIEW_STATUSES: dict[ReviewStatus, LazyString] = {ReviewStatus.DRAFT: _l("Draft"), ReviewStatus.FINAL: _l("Final")}

# --- The citizen's network ---------------------------------------------------------------------
NETWORK_RELATIONS: dict[NetworkRelation, LazyString] = {
    NetworkRelation.RELATIVE: _l("Relative"),
    NetworkRelation.FRIEND: _l("Friend"),
    NetworkRelation.MENTOR: _l("Mentor outside the system"),
    NetworkRelation.PEER_SUPPORTER: _l("Peer supporter"),
    NetworkRelation.OTHER: _l("Other"),
}
NETWORK_ROLES: dict[NetworkRole, LazyString] = {
    NetworkRole.MEETINGS: _l("Support at meetings"),
    NetworkRole.PRACTICAL: _l("Practical help"),
    NetworkRole.BAD_PERIODS: _l("The one to call in a bad period"),
}
NETWORK_CATEGORIES: dict[NetworkCategory, LazyString] = {
    NetworkCategory.MEETINGS: _l("Meetings: may be invited, and know when and where"),
    NetworkCategory.PLAN: _l("The plan: may know the goals and actions, and own an action"),
    NetworkCategory.JOB: _l("Job and education: may know where and how it goes"),
}

"""The vocabulary of the IPS case: phases, events and reasons (DESIGN sections 2-4)."""
from enum import StrEnum


class Phase(StrEnum):
    REFERRED = "referred"
    ENGAGEMENT = "engagement"
    JOB_SEARCH = "job_search"
    EMPLOYED = "employed"
    IN_EDUCATION = "in_education"
    JOB_ENDED = "job_ended"
    PAUSED = "paused"
    TRANSITIONED = "transitioned"
    CLOSED = "closed"


class Event(StrEnum):
    ENROL = "enrol"
    DECLINE = "decline"
    START_SEARCH = "start_search"
    START_JOB = "start_job"
    START_EDUCATION = "start_education"
    END_JOB = "end_job"
    END_EDUCATION = "end_education"
    RESUME_SEARCH = "resume_search"
    TRANSITION = "transition"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"
    RE_ENTER = "re_enter"


# Phases in which the citizen is being actively supported (can pause).
PAUSABLE = frozenset({Phase.ENGAGEMENT, Phase.JOB_SEARCH, Phase.EMPLOYED, Phase.IN_EDUCATION, Phase.JOB_ENDED})
# Phases that can be closed (for an allowed reason).
CLOSABLE = PAUSABLE | {Phase.REFERRED, Phase.PAUSED}
# Phases in which follow-ups may be open.
ACTIVE = PAUSABLE | {Phase.PAUSED}
ENDED = frozenset({Phase.TRANSITIONED, Phase.CLOSED})


class CloseReason(StrEnum):
    """The only reasons a case may close (zero exclusion)."""

    CITIZEN_CHOICE = "citizen_choice"
    MOVED_AWAY = "moved_away"
    DIED = "died"
    TRANSFERRED = "transferred"


# Reasons people try that IPS forbids; named so the refusal can say why.
FORBIDDEN_CLOSE_REASONS = frozenset(
    {"missed_appointments", "not_ready", "symptoms", "substance_use", "lost_job", "no_contact", "other"}
)


class PlacementType(StrEnum):
    ORDINARY_JOB = "ordinary_job"
    FLEXJOB = "flexjob"
    EDUCATION = "education"
    INTERNSHIP = "internship"  # virksomhedspraktik: a step, never the goal
    WAGE_SUBSIDY = "wage_subsidy"  # løntilskud
    SHELTERED = "sheltered"
    OTHER = "other"


COMPETITIVE_JOB_TYPES = frozenset({PlacementType.ORDINARY_JOB, PlacementType.FLEXJOB})
STEP_TYPES = frozenset({PlacementType.INTERNSHIP, PlacementType.WAGE_SUBSIDY, PlacementType.SHELTERED, PlacementType.OTHER})


class EndReason(StrEnum):
    QUIT_WITH_PLAN = "quit_with_plan"
    QUIT_WITHOUT_PLAN = "quit_without_plan"
    DISMISSED = "dismissed"
    TEMPORARY_ENDED = "temporary_ended"
    HEALTH = "health"
    OTHER = "other"


class Role(StrEnum):
    IPS_CONSULTANT = "ips_consultant"
    PSYCHIATRY = "psychiatry"
    JOBCENTER = "jobcenter"
    COORDINATOR = "coordinator"
    ADMIN = "admin"
    PRIVACY_OFFICER = "privacy_officer"  # databeskyttelsesrådgiver: access logs and exports, nothing else


class FollowUpKind(StrEnum):
    FIRST_EMPLOYER_CONTACT = "first_employer_contact"
    JOINT_START_MEETING = "joint_start_meeting"
    JOB_START_CONTACT = "job_start_contact"  # within 3 days of a start
    WEEKLY_CONTACT = "weekly_contact"
    MONTHLY_CONTACT = "monthly_contact"
    JOB_ENDING_CONTACT = "job_ending_contact"
    JOB_ENDING_REVIEW = "job_ending_review"
    RESUME_SEARCH = "resume_search"
    PAUSED_OUTREACH = "paused_outreach"
    NO_CONTACT = "no_contact"
    CONSENT_EXPIRY = "consent_expiry"
    PROFILE_REASSESSMENT = "profile_reassessment"
    PSYCHIATRY_ACK = "psychiatry_ack"  # psychiatry acknowledges a job-ending notification
    PLAN_ACTION = "plan_action"  # an action of the shared plan, due for its owner
    PROGRESS_RATING = "progress_rating"  # the 90-day progress measure


class ContactKind(StrEnum):
    CONTACT = "contact"  # a conversation with the citizen
    JOINT_START_MEETING = "joint_start_meeting"
    TREATMENT_TEAM_MEETING = "treatment_team_meeting"
    BENEFITS_COUNSELLING = "benefits_counselling"
    JOB_ENDING_REVIEW = "job_ending_review"


class Location(StrEnum):
    COMMUNITY = "community"
    OFFICE = "office"
    PHONE = "phone"
    VIDEO = "video"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class NotificationStatus(StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OrgKind(StrEnum):
    JOBCENTER = "jobcenter"
    PSYCHIATRY = "psychiatry"
    IPS_TEAM = "ips_team"
    NATIONAL = "national"  # national IPS support: sees country-wide aggregates, never a case


class Party(StrEnum):
    """Parties named in a consent (from / to)."""

    PSYCHIATRY = "psychiatry"
    JOBCENTER = "jobcenter"
    IPS_TEAM = "ips_team"


class ConsentCategory(StrEnum):
    """What psychiatry typically shares (STAR guidance), and what the jobcenter holds."""

    SYMPTOMS = "symptoms"
    COPING_STRATEGIES = "coping_strategies"
    WARNING_SIGNS = "warning_signs"
    MEDICATION_SIDE_EFFECTS = "medication_side_effects"
    STRENGTHS = "strengths"
    EMPLOYMENT_PROGRESS = "employment_progress"
    BENEFIT_FACTS = "benefit_facts"


# Follow-ups that a conversation with the citizen answers.
CITIZEN_CONTACT_FOLLOW_UPS = frozenset({
    FollowUpKind.JOB_START_CONTACT, FollowUpKind.WEEKLY_CONTACT, FollowUpKind.MONTHLY_CONTACT,
    FollowUpKind.JOB_ENDING_CONTACT, FollowUpKind.PAUSED_OUTREACH, FollowUpKind.NO_CONTACT,
})

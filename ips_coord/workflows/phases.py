"""The vocabulary of the IPS case: phases, events and reasons."""

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
    HANDOVER_TO_NATURAL_SUPPORTS = "handover_to_natural_supports"
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
# Phases that count on a consultant's caseload: every phase but the ended ones (referred included).
ON_CASELOAD = frozenset(Phase) - ENDED


class CloseReason(StrEnum):
    """The only reasons a case may close (zero exclusion)."""

    CITIZEN_CHOICE = "citizen_choice"
    MOVED_AWAY = "moved_away"
    DIED = "died"
    TRANSFERRED = "transferred"


class PlacementType(StrEnum):
    ORDINARY_JOB = "ordinary_job"
    FLEXJOB = "flexjob"
    EDUCATION = "education"
    INTERNSHIP = "internship"  # virksomhedspraktik: a step, never the goal
    WAGE_SUBSIDY = "wage_subsidy"  # løntilskud
    SHELTERED = "sheltered"
    OTHER = "other"


COMPETITIVE_JOB_TYPES = frozenset({PlacementType.ORDINARY_JOB, PlacementType.FLEXJOB})
# What counts as an outcome: a competitive job or ordinary education.
COMPETITIVE_TYPES = COMPETITIVE_JOB_TYPES | {PlacementType.EDUCATION}
# Recorded as steps toward employer contact, never as the goal or an outcome.
STEP_TYPES = frozenset(
    {PlacementType.INTERNSHIP, PlacementType.WAGE_SUBSIDY, PlacementType.SHELTERED, PlacementType.OTHER}
)


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
    # A system of an organisation (the jobcenter's case system, a psychiatry EHR) with a
    # service token: it relates to its organisation's cases as that organisation's staff do.
    INTEGRATION = "integration"


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
    CAREER_PROFILE_UPDATE = "career_profile_update"  # after a job start and after a job ending
    NEXT_EMPLOYER_CONTACT = "next_employer_contact"  # rapid job search again, after resuming the search
    EMPLOYER_NEXT_STEP = "employer_next_step"  # the next step agreed at an employer contact
    PLAN_ACTION = "plan_action"  # an action of the shared plan, due for its owner
    PROGRESS_RATING = "progress_rating"  # the 90-day progress measure
    FIRST_CITIZEN_CONTACT = "first_citizen_contact"  # the assigned consultant contacts the citizen within 7 days
    DISCHARGE_CONTACT = "discharge_contact"  # the consultant contacts the citizen within 3 days of a discharge
    BENEFITS_COUNSELLING = "benefits_counselling"  # offered again when a running job's hours or pay change


# Follow-up kinds whose very name tells of treatment (after a discharge, psychiatry's
# acknowledgement). Calendars, e-mails to anyone but psychiatry and readers outside the citizen's
# care see NEUTRAL_FOLLOW_UP instead (docs/operations.md, "What leaves the system").
TREATMENT_FOLLOW_UP_KINDS = frozenset({FollowUpKind.DISCHARGE_CONTACT, FollowUpKind.PSYCHIATRY_ACK})
NEUTRAL_FOLLOW_UP = "follow_up"


class ContactKind(StrEnum):
    CONTACT = "contact"  # a conversation with the citizen
    JOINT_START_MEETING = "joint_start_meeting"
    TREATMENT_TEAM_MEETING = "treatment_team_meeting"
    BENEFITS_COUNSELLING = "benefits_counselling"
    JOB_ENDING_REVIEW = "job_ending_review"


class Activity(StrEnum):
    """Logged work other than a contact with the citizen that completes follow-ups."""

    EMPLOYER_CONTACT = "employer_contact"
    EMPLOYER_FOLLOW_ALONG = "employer_follow_along"  # a follow-along visit to a working citizen's employer
    CAREER_PROFILE = "career_profile"


class HistoryEntry(StrEnum):
    """Entries of a case's history besides the workflow's events (which are Event values)."""

    REFERRED = "referred"
    DEVIATION = "deviation"
    ESCALATED = "escalated"
    ACKNOWLEDGED = "acknowledged"
    REVIEW_RECORDED = "review_recorded"
    CONSENT_RECORDED = "consent_recorded"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CITIZEN_MERGED = "citizen_merged"
    FOLLOW_UP_MOVED = "follow_up_moved"  # a follow-up moved to a new date or handed to a colleague
    # The shared plan and the citizen's own view (ips_coord.services.plan, .citizen_access).
    PLAN_GOAL_SAVED = "plan_goal_saved"
    PLAN_ACTION_ADDED = "plan_action_added"
    PLAN_ACTION_DONE = "plan_action_done"
    INTERVENTION_STARTED = "intervention_started"
    INTERVENTION_ENDED = "intervention_ended"
    SUPPORTS_CHANGED = "supports_changed"
    PROGRESS_RATED = "progress_rated"
    CITIZEN_NOTE = "citizen_note"
    PARTICIPATION_AGREED = "participation_agreed"
    CITIZEN_INVITED = "citizen_invited"
    ANONYMISED = "anonymised"  # the retention run removed names and free text (figures kept)
    COORDINATING_PROFESSIONAL_NAMED = "coordinating_professional_named"  # the tovholder chosen or changed
    NETWORK_CHANGED = "network_changed"  # a network person added, removed, invited, or their consents changed
    CASE_ASSIGNED = "case_assigned"  # the coordinator assigns a consultant, or moves the case (team, municipality)
    # Psychiatry in the course of treatment and the jobcenter's decisions.
    ADMITTED = "admitted"
    DISCHARGED = "discharged"
    JOB_TERMS_CHANGED = "job_terms_changed"
    BENEFIT_RECORDED = "benefit_recorded"
    # Never stored: what a reader who may not read an entry's part sees instead of its name.
    PLAN_CHANGED = "plan_changed"


class Deviation(StrEnum):
    """A departure from the IPS standard, recorded in the case's history (HistoryEntry.DEVIATION)."""

    FIRST_EMPLOYER_CONTACT_LATE = "first_employer_contact_late"
    JOB_START_WITHOUT_BENEFITS_COUNSELLING = "job_start_without_benefits_counselling"
    NO_CONTACT_30_DAYS = "no_contact_30_days"


class Disclosure(StrEnum):
    """What the citizen chooses to tell an employer (career profile)."""

    UNDECIDED = "undecided"
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class Adjustment(StrEnum):
    """What a job-ending review adjusts for the next job (its `adjustments` keys)."""

    HOURS = "hours"
    TASKS = "tasks"
    MENTOR = "mentor"
    AIDS = "aids"
    DISCLOSURE = "disclosure"
    OTHER = "other"


class WithdrawalRequester(StrEnum):
    """Whose word a consent is withdrawn on."""

    CITIZEN = "citizen"
    GIVING_PARTY = "giving_party"


class Location(StrEnum):
    COMMUNITY = "community"
    OFFICE = "office"
    PHONE = "phone"
    VIDEO = "video"


class ContactPurpose(StrEnum):
    """Why a consultant met an employer (quality of job development, IPS-25 item 18)."""

    FIRST_MEETING = "first_meeting"
    LEARN_NEEDS = "learn_needs"
    PRESENT_CANDIDATE = "present_candidate"
    FOLLOW_ALONG = "follow_along"


class OpeningStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CLOSED = "closed"


class SuggestionOutcome(StrEnum):
    """What came of suggesting an opening: the citizen decides, the software only records."""

    SUGGESTED = "suggested"
    NOT_INTERESTED = "not_interested"
    APPLIED = "applied"
    INTERVIEW = "interview"
    HIRED = "hired"
    NOT_HIRED = "not_hired"


class MatchReason(StrEnum):
    """Why an opening and a job seeker were matched: each reason adds (or takes) points and is shown."""

    WISH = "wish"  # a word of the citizen's wishes the opening uses
    EXPERIENCE = "experience"  # a word of the work history the opening uses
    HOURS = "hours"  # the opening's hours near the hours wished
    MORE_HOURS = "more_hours"  # far more hours than wished (takes points)
    PLACE = "place"  # in the citizen's municipality


class BenefitKind(StrEnum):
    """What a jobcenter caseworker records: the benefit and the decisions around a job."""

    BENEFIT = "benefit"  # the benefit the citizen receives (kontanthjælp, sygedagpenge...)
    MENTOR_HOURS = "mentor_hours"  # mentor hours granted a week
    AIDS = "aids"  # hjælpemidler
    PERSONAL_ASSISTANCE = "personal_assistance"  # personlig assistance
    FLEXJOB_ASSESSMENT = "flexjob_assessment"  # fleksjobvurdering
    RESOURCE_COURSE = "resource_course"  # ressourceforløb (its start date)
    REHABILITATION_TEAM = "rehabilitation_team"  # rehabiliteringsteam (the meeting date)


class ReferralReason(StrEnum):
    """Why a citizen is referred, in words that carry no health information (every reader of the
    case's phase sees it: the coordinator's queue, the jobcenter)."""

    WANTS_WORK = "wants_work"
    WANTS_EDUCATION = "wants_education"
    JOB_AT_RISK = "job_at_risk"  # in work, the job is at risk
    BACK_FROM_SICK_LEAVE = "back_from_sick_leave"
    OTHER = "other"


class DecisionOutcome(StrEnum):
    """What the jobcenter decided (a fleksjob assessment, mentor hours, aids...)."""

    GRANTED = "granted"
    REFUSED = "refused"
    PENDING = "pending"


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
    # Not sent for lack of the citizen's consent: shown on the case page, counted on the overview,
    # released when the consent is recorded (ips_coord.services.consent_gaps).
    WITHHELD = "withheld"
    # Maybe delivered: the server's answer to the whole message came too late, twice (the
    # outbox engine's "maybe delivered" outcome). Shown to the coordinator as such, never failed.
    UNCERTAIN = "uncertain"


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
CITIZEN_CONTACT_FOLLOW_UPS = frozenset(
    {
        FollowUpKind.JOB_START_CONTACT,
        FollowUpKind.WEEKLY_CONTACT,
        FollowUpKind.MONTHLY_CONTACT,
        FollowUpKind.JOB_ENDING_CONTACT,
        FollowUpKind.PAUSED_OUTREACH,
        FollowUpKind.NO_CONTACT,
        FollowUpKind.DISCHARGE_CONTACT,
    }
)
# Follow-ups that may be marked done by hand (a page's button, the API): a plain contact, and a
# next step agreed with an employer. Every other kind is answered by the record it asks for (a
# meeting, a rating, a profile version, a review, a consent): only that record closes it, so the
# figures built on those records never count something that did not happen.
CLOSED_BY_HAND = CITIZEN_CONTACT_FOLLOW_UPS | {FollowUpKind.EMPLOYER_NEXT_STEP}


class NotificationKind(StrEnum):
    """What a notification (an outbox row, an email) announces."""

    CASE_ENROLLED = "case_enrolled"
    JOB_STARTED = "job_started"
    EDUCATION_STARTED = "education_started"
    JOB_ENDED = "job_ended"
    EDUCATION_ENDED = "education_ended"
    EARLY_ENDING = "early_ending"
    CASE_CLOSED = "case_closed"
    ESCALATION = "escalation"
    ACK_REMINDER = "ack_reminder"
    DAILY_DIGEST = "daily_digest"
    POSSIBLE_DUPLICATE = "possible_duplicate"
    # E-mails that carry a secret (sealed in the outbox row until sent, then scrubbed).
    CITIZEN_CODE = "citizen_code"  # the citizen's one-time sign-in code
    CITIZEN_INVITATION = "citizen_invitation"  # the consultant's invitation link for the citizen
    NETWORK_INVITATION = "network_invitation"  # a meeting, to a person of the citizen's network (a bare address)
    PASSWORD_RESET = "password_reset"  # a staff user's forgotten-password link
    CASE_ASSIGNED = "case_assigned"  # the referrer and the consultant: who took the case
    ADMITTED = "admitted"  # psychiatry recorded an admission: the case is paused (no reason in the email)
    DISCHARGED = "discharged"  # psychiatry recorded a discharge: contact the citizen within 3 days
    JOB_TERMS_CHANGED = "job_terms_changed"  # a running job's hours or pay changed: the jobcenter is told


# Outbox kinds whose row carries a sealed secret: queued by services/secret_mail.py, scrubbed once sent.
SECRET_NOTIFICATION_KINDS = frozenset(
    {NotificationKind.CITIZEN_CODE, NotificationKind.CITIZEN_INVITATION, NotificationKind.PASSWORD_RESET}
)


class Recipient(StrEnum):
    """Who on a case receives a notification or is assigned a follow-up."""

    CONSULTANT = "consultant"
    PSYCHIATRY_CONTACT = "psychiatry_contact"
    JOBCENTER_CASEWORKER = "jobcenter_caseworker"
    COORDINATOR = "coordinator"  # every active coordinator of the case's IPS team
    # The case's coordinating professional (tovholder) across the sectors; the consultant until one is named.
    COORDINATING_PROFESSIONAL = "coordinating_professional"


class Relation(StrEnum):
    """How a user relates to a case; access is decided from it (ips_coord.access.policy)."""

    CONSULTANT = "consultant"
    TEAM_CONSULTANT = "team_consultant"  # colleagues cover for each other
    PSYCHIATRY_CONTACT = "psychiatry_contact"
    JOBCENTER_CASEWORKER = "jobcenter_caseworker"
    COORDINATOR = "coordinator"
    PRIVACY_OFFICER = "privacy_officer"  # every case, but only its access log and the full export


class Part(StrEnum):
    """The parts of a case record: what the access policy grants and the access log names."""

    IDENTITY = "identity"
    PHASE = "phase"
    CAREER_PROFILE = "career_profile"
    PLACEMENTS = "placements"
    CONTACT_NOTES = "contact_notes"
    SHARED_HEALTH_INFO = "shared_health_info"
    BENEFIT_FACTS = "benefit_facts"
    HISTORY = "history"
    CONSENTS = "consents"
    FOLLOW_UPS = "follow_ups"
    ACCESS_LOG = "access_log"
    EXPORT = "export"
    # The shared plan (goals in the citizen's words, actions), parallel interventions (often
    # treatment: CTI, ACT...) and progress ratings (one dimension is health and well-being).
    SHARED_PLAN = "shared_plan"
    PARALLEL_INTERVENTIONS = "parallel_interventions"
    PROGRESS = "progress"


class AuditPart(StrEnum):
    """What an access-log row names when it is not one part of one case."""

    CASE_LIST = "case_list"  # a case seen in a list is a read of it too
    MY_DAY = "my_day"  # the consultant's day: cases, due follow-ups, escalations
    ACKNOWLEDGEMENT = "acknowledgement"  # psychiatry acknowledging a notification
    NOTIFICATION = "notification"  # a coordinator sending a failed notification again
    ROUTE = "route"  # a refused request that named no part
    SIGN_IN = "sign_in"  # a citizen signing in to their own view
    INBOX = "inbox"  # a user's in-app inbox: the events on their cases
    ASSIGNMENT = "assignment"  # the coordinator's queue of unassigned referrals
    WEBHOOK_DELIVERY = "webhook_delivery"  # a case reference in the webhook delivery log
    # A service token made, approved, rejected or revoked, or refused at the door (no case: the
    # people behind an integration, for the privacy officer).
    SERVICE_TOKEN = "service_token"


class AccessAction(StrEnum):
    """What an access-log row records."""

    READ = "read"
    WRITE = "write"
    REFUSED = "refused"


class InboxKind(StrEnum):
    """What an item of a user's in-app inbox tells (ips_coord.services.inbox). MESSAGE is the
    generic kind: its words come with the item (data["text"]), so new causes need no new code."""

    CASE_ASSIGNED = "case_assigned"  # a case was assigned to you / the case you referred was taken
    CASE_MOVED = "case_moved"  # a case of yours went to another consultant or team
    ACKNOWLEDGED = "acknowledged"  # psychiatry acknowledged a notification on your case
    SHARED_WITH_YOU = "shared_with_you"  # psychiatry shared information with the IPS team
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CITIZEN_NOTE = "citizen_note"  # the citizen wrote what they want to talk about
    CONSENT_MISSING = "consent_missing"  # a notification was not sent for lack of consent
    ESCALATION = "escalation"
    MESSAGE = "message"


class ChangeKind(StrEnum):
    """What a row of the change feed (and a webhook) says changed on a case."""

    CASE = "case"  # the case itself: phase, version, who is assigned
    CASE_EVENT = "case_event"  # an entry of the case's history
    CONSENT = "consent"
    CONTACT = "contact"
    EMPLOYER_CONTACT = "employer_contact"
    PLACEMENT = "placement"
    REVIEW = "review"
    INTERVENTION = "intervention"
    CAREER_PROFILE = "career_profile"
    SHARED_HEALTH_INFO = "shared_health_info"
    BENEFIT_FACT = "benefit_fact"
    FOLLOW_UP = "follow_up"
    PLAN = "plan"
    PROGRESS = "progress"
    CITIZEN_NOTE = "citizen_note"


class ChangeAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"


class ServiceScope(StrEnum):
    """What an organisation's service token may do (the access policy still decides which cases)."""

    CASES_READ = "cases:read"
    CONTACTS_WRITE = "contacts:write"
    CHANGES_READ = "changes:read"
    WEBHOOKS_RECEIVE = "webhooks:receive"
    STAFF_READ = "staff:read"


class WebhookStatus(StrEnum):
    """A webhook delivery moves like an outbox e-mail: pending -> queued -> sending -> sent,
    back to pending (a retry with backoff) or to failed after the last attempt."""

    PENDING = "pending"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNCERTAIN = "uncertain"  # maybe delivered: the receiver answered too late, twice

"""SQLAlchemy 2.0 typed models, one module per aggregate."""
from .account import CalendarFeed, LoginThrottle, PasswordReset
from .activity import Contact, EmployerContact, JobEndingReview, ParallelIntervention, Placement
from .audit import AccessLog, HistoryOverride
from .case import (
    Admission,
    BenefitFact,
    CareerProfile,
    CaseEvent,
    Citizen,
    Consent,
    IpsCase,
    SharedHealthInfo,
    TreatmentTeamMeeting,
)
from .employer import Employer, EmployerPerson, FollowUpChange, Opening, OpeningKeyword, Suggestion
from .followup import FollowUp
from .idempotency import IdempotencyKey
from .inbox import InboxItem
from .integration import ChangeCounter, ChangeLog, WebhookDelivery, WebhookEndpoint
from .notification import Notification
from .org import ApiToken, Organisation, User, UserSession
from .plan import CitizenLoginCode, CitizenNote, CitizenSession, PlanAction, PlanGoal, ProgressRating, SupportChange
from .rollup import ReportSnapshot

__all__ = [
    "CalendarFeed", "LoginThrottle", "PasswordReset", "AccessLog", "Admission", "TreatmentTeamMeeting",
    "ApiToken", "BenefitFact", "CareerProfile", "CaseEvent", "ChangeCounter", "ChangeLog", "Citizen",
    "CitizenLoginCode", "CitizenNote", "CitizenSession", "Consent", "Contact", "Employer",
    "EmployerContact", "EmployerPerson", "FollowUp", "FollowUpChange", "HistoryOverride", "IdempotencyKey",
    "InboxItem", "IpsCase", "JobEndingReview",
    "Notification", "Opening", "OpeningKeyword", "Organisation", "ParallelIntervention",
    "Placement", "PlanAction", "PlanGoal", "ProgressRating", "ReportSnapshot", "SharedHealthInfo", "Suggestion",
    "SupportChange", "User", "UserSession", "WebhookDelivery", "WebhookEndpoint",
]

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
from .fidelity_review import FidelityAction, FidelityReview, FidelityReviewItem
from .followup import FollowUp
from .guide import ConversationGuide
from .idempotency import IdempotencyKey
from .inbox import InboxItem
from .integration import ChangeCounter, ChangeLog, WebhookDelivery, WebhookEndpoint
from .network import NetworkConsent, NetworkMeeting, NetworkPerson
from .notification import Notification
from .org import ApiToken, Organisation, User, UserSession
from .plan import CitizenLoginCode, CitizenNote, CitizenSession, PlanAction, PlanGoal, ProgressRating, SupportChange
from .rollup import ReportSnapshot

__all__ = [
    "AccessLog",
    "Admission",
    "ApiToken",
    "BenefitFact",
    "CalendarFeed",
    "CareerProfile",
    "CaseEvent",
    "ChangeCounter",
    "ChangeLog",
    "Citizen",
    "CitizenLoginCode",
    "CitizenNote",
    "CitizenSession",
    "Consent",
    "Contact",
    "ConversationGuide",
    "Employer",
    "EmployerContact",
    "EmployerPerson",
    "FidelityAction",
    "FidelityReview",
    "FidelityReviewItem",
    "FollowUp",
    "FollowUpChange",
    "HistoryOverride",
    "IdempotencyKey",
    "InboxItem",
    "IpsCase",
    "JobEndingReview",
    "LoginThrottle",
    "NetworkConsent",
    "NetworkMeeting",
    "NetworkPerson",
    "Notification",
    "Opening",
    "OpeningKeyword",
    "Organisation",
    "ParallelIntervention",
    "PasswordReset",
    "Placement",
    "PlanAction",
    "PlanGoal",
    "ProgressRating",
    "ReportSnapshot",
    "SharedHealthInfo",
    "Suggestion",
    "SupportChange",
    "TreatmentTeamMeeting",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
]

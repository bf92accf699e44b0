"""SQLAlchemy 2.0 typed models, one module per aggregate."""
from .activity import Contact, EmployerContact, JobEndingReview, ParallelIntervention, Placement
from .audit import AccessLog
from .case import BenefitFact, CareerProfile, CaseEvent, Citizen, Consent, IpsCase, SharedHealthInfo
from .employer import Employer, EmployerPerson, FollowUpChange, Opening, OpeningKeyword, Suggestion
from .followup import FollowUp
from .integration import ChangeCounter, ChangeLog, WebhookDelivery, WebhookEndpoint
from .notification import Notification
from .org import ApiToken, Organisation, User, UserSession
from .plan import CitizenLoginCode, CitizenNote, CitizenSession, PlanAction, PlanGoal, ProgressRating, SupportChange

__all__ = [
    "AccessLog", "ApiToken", "BenefitFact", "CareerProfile", "CaseEvent", "ChangeCounter", "ChangeLog", "Citizen",
    "CitizenLoginCode", "CitizenNote", "CitizenSession", "Consent", "Contact", "Employer",
    "EmployerContact", "EmployerPerson", "FollowUp", "FollowUpChange", "IpsCase", "JobEndingReview",
    "Notification", "Opening", "OpeningKeyword", "Organisation", "ParallelIntervention",
    "Placement", "PlanAction", "PlanGoal", "ProgressRating", "SharedHealthInfo", "Suggestion",
    "SupportChange", "User", "UserSession", "WebhookDelivery", "WebhookEndpoint",
]

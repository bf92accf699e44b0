"""SQLAlchemy 2.0 typed models, one module per aggregate."""
from .activity import Contact, EmployerContact, JobEndingReview, ParallelIntervention, Placement
from .audit import AccessLog, HistoryOverride
from .case import BenefitFact, CareerProfile, CaseEvent, Citizen, Consent, IpsCase, SharedHealthInfo
from .employer import Employer, EmployerPerson, FollowUpChange, Opening, OpeningKeyword, Suggestion
from .followup import FollowUp
from .notification import Notification
from .org import ApiToken, Organisation, User, UserSession
from .plan import CitizenLoginCode, CitizenNote, CitizenSession, PlanAction, PlanGoal, ProgressRating, SupportChange

__all__ = [
    "AccessLog", "ApiToken", "BenefitFact", "CareerProfile", "CaseEvent", "Citizen",
    "CitizenLoginCode", "CitizenNote", "CitizenSession", "Consent", "Contact", "Employer",
    "EmployerContact", "EmployerPerson", "FollowUp", "FollowUpChange", "HistoryOverride", "IpsCase", "JobEndingReview",
    "Notification", "Opening", "OpeningKeyword", "Organisation", "ParallelIntervention",
    "Placement", "PlanAction", "PlanGoal", "ProgressRating", "SharedHealthInfo", "Suggestion",
    "SupportChange", "User", "UserSession",
]

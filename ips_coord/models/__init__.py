"""SQLAlchemy 2.0 typed models, one module per aggregate."""
from .activity import Contact, EmployerContact, JobEndingReview, ParallelIntervention, Placement
from .audit import AccessLog
from .case import BenefitFact, CareerProfile, CaseEvent, Citizen, Consent, IpsCase, SharedHealthInfo
from .followup import FollowUp
from .notification import Notification
from .org import ApiToken, Organisation, User, UserSession
from .plan import CitizenLoginCode, CitizenNote, CitizenSession, PlanAction, PlanGoal, ProgressRating, SupportChange

__all__ = [
    "AccessLog", "ApiToken", "BenefitFact", "CareerProfile", "CaseEvent", "Citizen", "Consent",
    "Contact", "EmployerContact", "FollowUp", "IpsCase", "JobEndingReview", "Notification",
    "Organisation", "ParallelIntervention", "Placement", "SharedHealthInfo", "User", "UserSession",
    "CitizenLoginCode", "CitizenNote", "CitizenSession", "PlanAction", "PlanGoal", "ProgressRating", "SupportChange",
]

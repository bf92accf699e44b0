"""Everything held about one citizen, for access requests under GDPR art. 15.

The full export is the privacy officer's (and the citizen's); any other reader gets, per case,
only the parts the access policy lets them read now, event data and shared health information
filtered as on the case page.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_mapper

from ..clock import local_today, utcnow
from ..cpr import mask
from ..extensions import db
from ..models import (
    AccessLog,
    BenefitFact,
    CareerProfile,
    CaseEvent,
    Citizen,
    CitizenNote,
    Consent,
    Contact,
    EmployerContact,
    FollowUp,
    IpsCase,
    JobEndingReview,
    Notification,
    ParallelIntervention,
    Placement,
    PlanAction,
    PlanGoal,
    ProgressRating,
    SharedHealthInfo,
    SupportChange,
    User,
)
from ..sealed import open_cpr
from ..workflows.phases import Part
from .policy import Access, access_for, event_view

# Each section of a case, its order and the part of the case it belongs to.
PER_CASE: dict[str, tuple[Any, Any, Part]] = {
    "events": (CaseEvent, CaseEvent.seq, Part.HISTORY), "consents": (Consent, Consent.id, Part.CONSENTS),
    "career_profiles": (CareerProfile, CareerProfile.version, Part.PROFILE),
    "placements": (Placement, Placement.id, Part.PLACEMENTS),
    "contacts": (Contact, Contact.id, Part.NOTES),
    "employer_contacts": (EmployerContact, EmployerContact.id, Part.PLACEMENTS),
    "job_ending_reviews": (JobEndingReview, JobEndingReview.id, Part.NOTES),
    "follow_ups": (FollowUp, FollowUp.id, Part.FOLLOW_UPS),
    "notifications": (Notification, Notification.id, Part.HISTORY),
    "psychiatry_shared": (SharedHealthInfo, SharedHealthInfo.id, Part.HEALTH),
    "benefit_facts": (BenefitFact, BenefitFact.id, Part.BENEFITS),
    "parallel_interventions": (ParallelIntervention, ParallelIntervention.id, Part.INTERVENTIONS),
    "plan_goals": (PlanGoal, PlanGoal.version, Part.PLAN), "plan_actions": (PlanAction, PlanAction.id, Part.PLAN),
    "support_changes": (SupportChange, SupportChange.id, Part.PLACEMENTS),
    "citizen_notes": (CitizenNote, CitizenNote.id, Part.NOTES),
    "progress_ratings": (ProgressRating, ProgressRating.id, Part.PROGRESS),
    "access_log": (AccessLog, AccessLog.id, Part.ACCESS_LOG),
}


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_dict(row: object) -> dict[str, Any]:
    return {attr.key: _plain(getattr(row, attr.key)) for attr in object_mapper(row).column_attrs}


def _section(model: Any, order: Any, case: IpsCase, access: Access | None) -> list[dict[str, Any]]:
    query = select(model).where(model.case_id == case.id).order_by(order)
    if access is not None and model is SharedHealthInfo:
        query = query.where(SharedHealthInfo.category.in_(access.health_categories))
    rows = db.session.scalars(query)
    if access is None:
        return [row_dict(r) for r in rows]
    if model is CaseEvent:
        return [{k: _plain(v) for k, v in event_view(r, access).items()} for r in rows]
    out = [row_dict(r) for r in rows]
    if model is EmployerContact and not access.can_read(Part.NOTES):
        for r in out:
            r["note"] = None  # the visit's note is a note
    return out


def export_citizen(citizen_id: int, reader: User | None = None) -> dict[str, Any] | None:
    """The whole record (reader=None: the privacy officer's export), or what `reader` may read."""
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        return None
    today = local_today(utcnow())  # the Copenhagen calendar day, as on the pages
    cases = []
    for case in db.session.scalars(select(IpsCase).where(IpsCase.citizen_id == citizen.id).order_by(IpsCase.id)):
        access = None
        if reader is not None:
            access = access_for(reader, case, today)
            if access is None:
                continue  # a case the reader has no relation to is not theirs to export
        entry = row_dict(case) | {"reference": case.reference}
        parts = {Part.IDENTITY, Part.PHASE}
        for name, (model, order, part) in PER_CASE.items():
            if access is None or access.can_read(part):
                entry[name] = _section(model, order, case, access)
                parts.add(part)
        entry["parts"] = sorted(parts) if access is not None else [Part.EXPORT]
        cases.append(entry)
    return {"format": "ips-coord citizen export v1", "exported_at": utcnow().isoformat(),
            "scope": "full" if reader is None else "as read by your role",
            "citizen": citizen_dict(citizen, full_cpr=reader is None), "cases": cases}


SEALED_COLUMNS = ("cpr_encrypted", "cpr_hmac", "oidc_sub")  # machinery: never in an export


def citizen_dict(citizen: Citizen, *, full_cpr: bool) -> dict[str, Any]:
    """The citizen's row for an export: the CPR number opened (the citizen's own export and the
    privacy officer's, made for the citizen) or masked (a staff member's export)."""
    out = {k: v for k, v in row_dict(citizen).items() if k not in SEALED_COLUMNS}
    digits = open_cpr(citizen.cpr_encrypted)
    out["cpr"] = (f"{digits[:6]}-{digits[6:]}" if full_cpr else mask(digits)) if digits else None
    return out

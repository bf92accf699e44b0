"""Everything held about one citizen, for access requests under GDPR art. 15."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import inspect, select

from ..clock import utcnow
from ..extensions import db
from ..models import (
    AccessLog, BenefitFact, CareerProfile, CaseEvent, Citizen, Consent, Contact, EmployerContact, FollowUp, IpsCase,
    JobEndingReview, Notification, ParallelIntervention, Placement, SharedHealthInfo,
)

PER_CASE = {
    "events": (CaseEvent, CaseEvent.seq), "consents": (Consent, Consent.id),
    "career_profiles": (CareerProfile, CareerProfile.version), "placements": (Placement, Placement.id),
    "contacts": (Contact, Contact.id), "employer_contacts": (EmployerContact, EmployerContact.id),
    "job_ending_reviews": (JobEndingReview, JobEndingReview.id), "follow_ups": (FollowUp, FollowUp.id),
    "notifications": (Notification, Notification.id), "psychiatry_shared": (SharedHealthInfo, SharedHealthInfo.id),
    "benefit_facts": (BenefitFact, BenefitFact.id), "parallel_interventions": (ParallelIntervention, ParallelIntervention.id),
    "access_log": (AccessLog, AccessLog.id),
}


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_dict(row) -> dict:
    return {attr.key: _plain(getattr(row, attr.key)) for attr in inspect(row).mapper.column_attrs}


def export_citizen(citizen_id: int) -> dict | None:
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        return None
    cases = []
    for case in db.session.scalars(select(IpsCase).where(IpsCase.citizen_id == citizen.id).order_by(IpsCase.id)):
        entry = row_dict(case) | {"reference": case.reference}
        for name, (model, order) in PER_CASE.items():
            entry[name] = [row_dict(r) for r in db.session.scalars(
                select(model).where(model.case_id == case.id).order_by(order))]
        cases.append(entry)
    return {"format": "ips-coord citizen export v1", "exported_at": utcnow().isoformat(),
            "citizen": row_dict(citizen), "cases": cases}

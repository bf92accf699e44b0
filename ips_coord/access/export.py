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
    Admission,
    BenefitFact,
    CareerProfile,
    CaseEvent,
    Citizen,
    CitizenNote,
    Consent,
    Contact,
    EmployerContact,
    FollowUp,
    FollowUpChange,
    IpsCase,
    JobEndingReview,
    NetworkMeeting,
    NetworkPerson,
    Notification,
    Opening,
    Organisation,
    ParallelIntervention,
    Placement,
    PlanAction,
    PlanGoal,
    ProgressRating,
    SharedHealthInfo,
    Suggestion,
    SupportChange,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..sealed import open_cpr
from ..workflows.phases import Part
from .policy import CITIZEN_SEES_ADMISSION_REASON, Access, access_for, event_view

# Each section of a case, its order and the part of the case it belongs to.
PER_CASE: dict[str, tuple[Any, Any, Part]] = {
    "events": (CaseEvent, CaseEvent.seq, Part.HISTORY),
    "consents": (Consent, Consent.id, Part.CONSENTS),
    "career_profiles": (CareerProfile, CareerProfile.version, Part.CAREER_PROFILE),
    "placements": (Placement, Placement.id, Part.PLACEMENTS),
    "contacts": (Contact, Contact.id, Part.CONTACT_NOTES),
    "employer_contacts": (EmployerContact, EmployerContact.id, Part.PLACEMENTS),
    "job_ending_reviews": (JobEndingReview, JobEndingReview.id, Part.CONTACT_NOTES),
    "follow_ups": (FollowUp, FollowUp.id, Part.FOLLOW_UPS),
    "notifications": (Notification, Notification.id, Part.HISTORY),
    "shared_health_info": (SharedHealthInfo, SharedHealthInfo.id, Part.SHARED_HEALTH_INFO),
    "benefit_facts": (BenefitFact, BenefitFact.id, Part.BENEFIT_FACTS),
    "parallel_interventions": (ParallelIntervention, ParallelIntervention.id, Part.PARALLEL_INTERVENTIONS),
    "plan_goals": (PlanGoal, PlanGoal.version, Part.SHARED_PLAN),
    "plan_actions": (PlanAction, PlanAction.id, Part.SHARED_PLAN),
    "support_changes": (SupportChange, SupportChange.id, Part.PLACEMENTS),
    "citizen_notes": (CitizenNote, CitizenNote.id, Part.CONTACT_NOTES),
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
    if model is EmployerContact and not access.can_read(Part.CONTACT_NOTES):
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
    return {
        "format": "ips-coord citizen export v1",
        "exported_at": utcnow().isoformat(),
        "scope": "full" if reader is None else "as read by your role",
        "citizen": citizen_dict(citizen, full_cpr=reader is None),
        "cases": cases,
    }


SEALED_COLUMNS = ("cpr_encrypted", "cpr_hmac", "oidc_sub")  # machinery: never in an export


def citizen_dict(citizen: Citizen, *, full_cpr: bool) -> dict[str, Any]:
    """The citizen's row for an export: the CPR number opened (the citizen's own export and the
    privacy officer's, made for the citizen) or masked (a staff member's export)."""
    out = {k: v for k, v in row_dict(citizen).items() if k not in SEALED_COLUMNS}
    digits = open_cpr(citizen.cpr_encrypted)
    out["cpr"] = (f"{digits[:6]}-{digits[6:]}" if full_cpr else mask(digits)) if digits else None
    return out


# --- the citizen's own download ------------------------------------------------------------------
# Everything held about the citizen, as the citizen gets it from their own view: every table with
# the citizen's case id is a section here or is named in STAFF_INTERNAL_TABLES with the reason;
# tests/web/test_citizen_download.py holds the two lists against the database's tables. People are
# named by role and organisation, never by a user id; the system's machinery (request ids, client
# addresses, delivery keys and leases) is left out.
CITIZEN_SECTIONS: dict[str, tuple[Any, Any]] = {
    **{name: (model, order) for name, (model, order, _part) in PER_CASE.items()},
    "admissions": (Admission, Admission.admitted_on),
    "job_suggestions": (Suggestion, Suggestion.created_at),
    "follow_up_changes": (FollowUpChange, FollowUpChange.created_at),
    "sent_to_systems": (WebhookDelivery, WebhookDelivery.id),
    "network": (NetworkPerson, NetworkPerson.created_at),
    "network_meetings": (NetworkMeeting, NetworkMeeting.meeting_at),
}

STAFF_INTERNAL_TABLES: dict[str, str] = {
    "change_log": "the change feed's index for connected systems (a kind, a row id and an action): each change "
    "is the row shown in its own section",
    "inbox_item": "staff's notices that something happened on the case: each tells of an event shown under "
    "events, consents or shared information",
}

# Columns that are the system's machinery, not facts about the citizen (per table).
STAFF_INTERNAL_COLUMNS: dict[str, frozenset[str]] = {
    # (user_id becomes `user`: the reader's role and organisation.)
    "access_log": frozenset({"id", "case_id", "citizen_id", "request_id", "remote_addr", "view", "target"}),
    "case_event": frozenset({"request_id"}),
    "notification": frozenset(
        {
            "to_address",
            "attempts",
            "next_attempt_at",
            "claimed_at",
            "claim_token",
            "last_error",
            "idempotency_key",
            "data",
        }
    ),
    "webhook_delivery": frozenset(
        {
            "endpoint_id",
            "change_id",
            "payload",
            "attempts",
            "next_attempt_at",
            "claimed_at",
            "claim_token",
            "last_status",
            "last_error",
        }
    ),
    "suggestion": frozenset({"opening_id"}),
    "network_person": frozenset({"added_by_staff_id"}),
    "network_meeting": frozenset({"person_id", "invited_by_id"}),
}
# Keys of a history entry's data that name a staff user or an organisation by id.
_DATA_PEOPLE = frozenset(
    {
        "consultant_id",
        "from_consultant_id",
        "psychiatry_contact_id",
        "jobcenter_caseworker_id",
        "assignee_id",
        "from_assignee_id",
        "to_assignee_id",
    }
)
_DATA_ORGS = frozenset({"team_id", "from_team_id"})


def _described(users: dict[int, User | None], orgs: dict[int, Organisation | None]) -> Any:
    """A function naming a staff user by role and organisation (codes and a name, never the id)."""

    def person(user_id: int | None) -> dict[str, Any] | None:
        if user_id is None:
            return None
        if user_id not in users:
            users[user_id] = db.session.get(User, user_id)
        u = users[user_id]
        if u is None:
            return {"role": None, "organisation": None}
        return {"role": str(u.role), "organisation": u.organisation.name if u.organisation else None}

    def organisation(org_id: int | None) -> str | None:
        if org_id is None:
            return None
        if org_id not in orgs:
            orgs[org_id] = db.session.get(Organisation, org_id)
        o = orgs[org_id]
        return o.name if o is not None else None

    return person, organisation


def _citizen_row(row: Any, person: Any, organisation: Any, dropped: frozenset[str]) -> dict[str, Any]:
    """One row for the citizen: staff users as role and organisation (`recorded_by_id` becomes
    `recorded_by`), organisations by name, machinery left out."""
    out: dict[str, Any] = {}
    for col in row.__table__.columns:
        if col.name in dropped:
            continue
        value = getattr(row, col.key)
        targets = {fk.column.table.name for fk in col.foreign_keys}
        if "staff_user" in targets:
            out[col.name.removesuffix("_id")] = person(value)
        elif "organisation" in targets:
            out[col.name.removesuffix("_id")] = organisation(value)
        else:
            out[col.name] = _plain(value)
    return out


def _enrich(model: Any, section: list[dict[str, Any]], rows: list[Any], person: Any, organisation: Any) -> None:
    """What a section says beyond its own columns, in the citizen's terms."""
    for r, raw in zip(section, rows, strict=True):
        if model is CaseEvent:
            r["data"] = {
                k.removesuffix("_id") if k in _DATA_PEOPLE | _DATA_ORGS else k: person(v)
                if k in _DATA_PEOPLE
                else organisation(v)
                if k in _DATA_ORGS
                else v
                for k, v in (r.get("data") or {}).items()
            }
        elif model is AccessLog:
            r["by_you"] = raw.citizen_id is not None and raw.user_id is None
        elif model is Admission and not CITIZEN_SEES_ADMISSION_REASON:
            r["reason"] = None
        elif model is Suggestion:
            opening = db.session.get(Opening, raw.opening_id)
            r["opening"] = (
                None
                if opening is None
                else {
                    "title": opening.title,
                    "hours_per_week": opening.hours_per_week,
                    "place": opening.place,
                    "employer": opening.employer.name,
                }
            )
        elif model is WebhookDelivery:
            endpoint = db.session.get(WebhookEndpoint, raw.endpoint_id)
            r["organisation"] = organisation(endpoint.organisation_id) if endpoint else None


def citizen_download(citizen_id: int) -> dict[str, Any] | None:
    """The citizen's own download: whole (every table with their case id, or the reason it is not
    there) and free of the system's machinery. The admission's reason is the citizen's own health
    information, given to them like what psychiatry shared (policy.CITIZEN_SEES_ADMISSION_REASON)."""
    citizen = db.session.get(Citizen, citizen_id)
    if citizen is None:
        return None
    person, organisation = _described({}, {})
    cases = []
    for case in db.session.scalars(select(IpsCase).where(IpsCase.citizen_id == citizen.id).order_by(IpsCase.id)):
        entry = _citizen_row(case, person, organisation, frozenset()) | {"reference": case.reference}
        for name, (model, order) in CITIZEN_SECTIONS.items():
            dropped = STAFF_INTERNAL_COLUMNS.get(model.__table__.name, frozenset())
            rows = list(db.session.scalars(select(model).where(model.case_id == case.id).order_by(order, model.id)))
            section = [_citizen_row(r, person, organisation, dropped) for r in rows]
            _enrich(model, section, rows, person, organisation)
            entry[name] = section
        cases.append(entry)
    return {
        "format": "ips-coord citizen download v2",
        "exported_at": utcnow().isoformat(),
        "citizen": citizen_dict(citizen, full_cpr=True),
        "cases": cases,
        "not_included": STAFF_INTERNAL_TABLES,
    }

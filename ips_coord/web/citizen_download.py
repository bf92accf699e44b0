"""The citizen's download as a document to read and print: the same content as the JSON file
(ips_coord.access.export.citizen_download), with headings and field names in words, times in
Copenhagen, codes as words and people as role and organisation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from .. import labels
from .formatting import local_date, local_datetime

SECTION_HEADINGS: dict[str, LazyString] = {
    "events": _l("History of your course"),
    "consents": _l("Your consents"),
    "career_profiles": _l("Your career profile"),
    "placements": _l("Jobs, education and steps"),
    "contacts": _l("Conversations and meetings"),
    "employer_contacts": _l("Contacts with employers about you"),
    "job_ending_reviews": _l("Reviews after a job ended"),
    "follow_ups": _l("Appointments and deadlines"),
    "notifications": _l("Messages sent about your course"),
    "shared_health_info": _l("What psychiatry shared"),
    "benefit_facts": _l("Benefits and decisions"),
    "parallel_interventions": _l("Other support alongside IPS"),
    "plan_goals": _l("Your goals"),
    "plan_actions": _l("Actions in your plan"),
    "support_changes": _l("Support in your job"),
    "citizen_notes": _l("Your notes to your consultant"),
    "progress_ratings": _l("Your progress"),
    "access_log": _l("Who has read or changed your record"),
    "admissions": _l("Admissions"),
    "job_suggestions": _l("Jobs suggested to you"),
    "follow_up_changes": _l("Appointments moved or handed over"),
    "sent_to_systems": _l("Changes sent to other organisations' systems"),
    "network": _l("Your network"),
    "network_meetings": _l("Meetings your network was invited to"),
}

FIELD_LABELS: dict[str, LazyString] = {
    "reference": _l("Case number"),
    "phase": _l("Phase"),
    "referred_at": _l("Referred"),
    "consultant": _l("Consultant"),
    "psychiatry_contact": _l("Psychiatry contact"),
    "jobcenter_caseworker": _l("Jobcenter caseworker"),
    "ips_team": _l("IPS team"),
    "event": _l("What happened"),
    "from_phase": _l("From phase"),
    "to_phase": _l("To phase"),
    "reason": _l("Reason"),
    "actor": _l("Done by"),
    "data": _l("Details"),
    "created_at": _l("Recorded"),
    "from_party": _l("From"),
    "to_party": _l("To"),
    "categories": _l("What may be shared"),
    "purpose": _l("Purpose"),
    "given_at": _l("Given"),
    "expires_at": _l("Expires"),
    "withdrawn_at": _l("Withdrawn"),
    "recorded_by": _l("Recorded by"),
    "type": _l("Type"),
    "employer_name": _l("Employer"),
    "job_title": _l("Job title"),
    "hours_per_week": _l("Hours per week"),
    "start_date": _l("Start date"),
    "end_date": _l("End date"),
    "end_reason": _l("Why it ended"),
    "kind": _l("Kind"),
    "occurred_at": _l("When"),
    "location": _l("Where"),
    "note": _l("Note"),
    "staff": _l("With"),
    "outcome": _l("Outcome"),
    "next_step": _l("Next step"),
    "due_at": _l("Due"),
    "status": _l("Status"),
    "completed_at": _l("Done"),
    "assignee": _l("Responsible"),
    "category": _l("Category"),
    "text": _l("Text"),
    "author": _l("Written by"),
    "benefit": _l("Benefit"),
    "name": _l("Name"),
    "owner": _l("Owner"),
    "due_date": _l("Due"),
    "done_at": _l("Done"),
    "written_by": _l("Written by"),
    "scores": _l("Ratings"),
    "rated_at": _l("Rated"),
    "rater": _l("Rated by"),
    "action": _l("What"),
    "part": _l("Part"),
    "user": _l("Who"),
    "admitted_on": _l("Admitted"),
    "discharged_on": _l("Discharged"),
    "opening": _l("Job"),
    "suggested_by": _l("Suggested by"),
    "explanation": _l("Why it may fit"),
    "from_due_at": _l("From date"),
    "to_due_at": _l("To date"),
    "changed_by": _l("Changed by"),
    "organisation": _l("Organisation"),
    "sent_at": _l("Sent"),
    "recipient": _l("To"),
    "acknowledged_at": _l("Acknowledged"),
    "what_worked": _l("What worked"),
    "what_did_not": _l("What did not work"),
    "held_at": _l("Held"),
    "supports": _l("Supports"),
    "wishes_and_dreams": _l("Wishes and dreams"),
    "job_preferences": _l("Job preferences"),
    "work_history": _l("Work history"),
    "education": _l("Education"),
    "strengths": _l("Strengths"),
    "support_needs": _l("Support needs"),
    "disclosure": _l("Disclosure"),
    "on_date": _l("Date"),
    "hours": _l("Hours"),
    "by_you": _l("By you"),
    "next_date": _l("Next date"),
    "updated_at": _l("Changed"),
    "updated_by": _l("Changed by"),
    "discharged_by": _l("Discharged by"),
    "paused_case": _l("Paused the case"),
    "created_by": _l("Created by"),
    "relatives_involved": _l("Relatives involved"),
    "face_to_face": _l("Face to face"),
    "next_step_done_at": _l("Next step done"),
    "next_step_due": _l("Next step due"),
    "from_assignee": _l("From"),
    "to_assignee": _l("To"),
    "completed_by": _l("Done by"),
    "escalated_at": _l("Escalated"),
    "adjustments": _l("Adjustments"),
    "clinician_present": _l("Clinician present"),
    "acknowledged_by": _l("Acknowledged by"),
    "requires_ack": _l("Asks for acknowledgement"),
    "benefits_counselling_offered": _l("Benefits counselling offered"),
    "hourly_pay": _l("Pay per hour"),
    "requested_by": _l("Withdrawal asked for by"),
    "early_ending": _l("Early ending"),
    "citizen_agreed": _l("Agreed to take part"),
    "by": _l("Written by"),
}

_WRITTEN_BY: dict[str, LazyString] = {"citizen": _l("You"), "staff": _l("Your consultant or other staff")}
# Which words a coded field is shown with (per field; a section may say otherwise for "kind").
_CODES: dict[str, Mapping[Any, Any]] = {
    "phase": labels.PHASES,
    "from_phase": labels.PHASES,
    "to_phase": labels.PHASES,
    "event": labels.EVENTS,
    "from_party": labels.PARTIES,
    "to_party": labels.PARTIES,
    "categories": labels.CATEGORIES,
    "category": labels.CATEGORIES,
    "type": labels.PLACEMENT_TYPES,
    "location": labels.LOCATIONS,
    "end_reason": labels.END_REASONS,
    "owner": labels.PLAN_OWNERS_FOR_CITIZEN,
    "disclosure": labels.DISCLOSURES,
    "action": labels.ACCESS_ACTIONS,
    "part": labels.ACCESS_PARTS,
    "role": labels.ROLES,
    "scores": labels.DIMENSIONS,
    "supports": labels.SUPPORTS,
    "adjustments": labels.ADJUSTMENTS,
    "requested_by": {**labels.WITHDRAWAL_REQUESTERS, **labels.PARTIES},
    "by": _WRITTEN_BY,
    "written_by": _WRITTEN_BY,
    "rater": _WRITTEN_BY,
    "purpose": labels.CONTACT_PURPOSES,
    "referral_reason": labels.REFERRAL_REASONS,
    "outcome": labels.DECISION_OUTCOMES,
}
_KIND_CODES: dict[str, Mapping[Any, Any]] = {
    "contacts": labels.CONTACT_KINDS,
    "follow_ups": labels.FOLLOW_UP_KINDS,
    "notifications": labels.NOTIFICATION_KINDS,
    "benefit_facts": labels.BENEFIT_KINDS,
    "sent_to_systems": labels.CHANGE_KINDS,
}
# Where a row is in its course, in words (follow-ups and messages).
_STATUSES: dict[str, LazyString] = {
    "open": _l("Open"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
    "pending": _l("Waiting"),
    "queued": _l("Waiting"),
    "sending": _l("Waiting"),
    "sent": _l("Sent"),
    "failed": _l("Not delivered"),
    "withheld": _l("Not sent: consent missing"),
}
_SECTION_CODES: dict[tuple[str, str], Mapping[Any, Any]] = {
    ("employer_contacts", "purpose"): labels.CONTACT_PURPOSES,
    ("job_suggestions", "outcome"): labels.SUGGESTION_OUTCOMES,
    ("benefit_facts", "outcome"): labels.DECISION_OUTCOMES,
}
# Shown nowhere in the document: row ids and references between rows (the JSON keeps them).
_HIDDEN = re.compile(r"(^id$|_id$|^seq$|^version$|^instrument$|^remind_at$|^escalate_at$|^reminded_at$)")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def person_words(value: Mapping[str, Any]) -> str:
    roles: labels.CodeWords = labels.ROLES
    role = roles.get(value.get("role") or "", value.get("role") or "")
    return ", ".join(str(p) for p in (role, value.get("organisation")) if p) or "–"


def shown(section: str, key: str, value: Any) -> str:
    """One value in words."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return str(_l("Yes") if value else _l("No"))
    if isinstance(value, Mapping) and set(value) <= {"role", "organisation"}:
        return person_words(value)
    codes = (
        _SECTION_CODES.get((section, key))
        or (_KIND_CODES.get(section) if key == "kind" else None)
        or (_STATUSES if key == "status" else None)
        or _CODES.get(key)
    )
    if isinstance(value, Mapping):
        return "; ".join(
            f"{(codes or {}).get(k, FIELD_LABELS.get(k, k.replace('_', ' ')))}: {shown(section, k, v)}"
            for k, v in value.items()
            if not _HIDDEN.search(k)
        )
    if isinstance(value, list):
        return ", ".join(shown(section, key, v) for v in value)
    if isinstance(value, str) and _DATETIME.match(value):
        return local_datetime(datetime.fromisoformat(value))
    if isinstance(value, str) and _DATE.match(value):
        return local_date(date.fromisoformat(value))
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if codes is not None and str(value) in codes:
        return str(codes[str(value)])
    return str(value)


def rows_in_words(section: str, rows: list[dict[str, Any]]) -> list[list[tuple[str, str]]]:
    """Each row as (label, value) pairs, machinery and empty values left out."""
    return [
        [
            (str(FIELD_LABELS.get(k, k.replace("_", " "))), shown(section, k, v))
            for k, v in row.items()
            if not _HIDDEN.search(k) and v not in (None, "", [], {})
        ]
        for row in rows
    ]


def document(data: dict[str, Any]) -> dict[str, Any]:
    """The template's context: the citizen, then per case its summary and sections in words."""
    cases = []
    for case in data["cases"]:
        summary = [
            (str(FIELD_LABELS[k]), shown("case", k, case.get(k)))
            for k in (
                "reference",
                "phase",
                "referred_at",
                "ips_team",
                "consultant",
                "psychiatry_contact",
                "jobcenter_caseworker",
            )
        ]
        sections = [
            (name, str(SECTION_HEADINGS[name]), rows_in_words(name, case.get(name) or [])) for name in SECTION_HEADINGS
        ]
        cases.append({"reference": case["reference"], "summary": summary, "sections": sections})
    return {"citizen": data["citizen"], "cases": cases, "exported_at": datetime.fromisoformat(data["exported_at"])}

"""Relation of a user to a case, and the SQL filter for the cases a user may list.

Consent-based filtering of the case's parts builds on `relation_to_case`.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import false, or_

from ..extensions import db
from ..models import IpsCase, User
from ..workflows.phases import Role


def relation_to_case(user: User, case: IpsCase) -> str | None:
    """How the user relates to the case, or None (then the case does not exist for them)."""
    if user.role == Role.IPS_CONSULTANT:
        if case.consultant_id == user.id:
            return "consultant"
        if user.organisation_id is not None and case.ips_team_id == user.organisation_id:
            return "team_consultant"  # colleagues cover for each other
    elif user.role == Role.PSYCHIATRY and case.psychiatry_contact_id == user.id:
        return "psychiatry_contact"
    elif user.role == Role.JOBCENTER and case.jobcenter_caseworker_id == user.id:
        return "jobcenter_caseworker"
    elif user.role == Role.COORDINATOR and user.organisation_id is not None and case.ips_team_id == user.organisation_id:
        return "coordinator"
    return None


def case_filter(user: User):
    """WHERE clause for the cases the user is related to."""
    if user.role == Role.IPS_CONSULTANT:
        clauses = [IpsCase.consultant_id == user.id]
        if user.organisation_id is not None:
            clauses.append(IpsCase.ips_team_id == user.organisation_id)
        return or_(*clauses)
    if user.role == Role.PSYCHIATRY:
        return IpsCase.psychiatry_contact_id == user.id
    if user.role == Role.JOBCENTER:
        return IpsCase.jobcenter_caseworker_id == user.id
    if user.role == Role.COORDINATOR and user.organisation_id is not None:
        return IpsCase.ips_team_id == user.organisation_id
    return false()


def visible_case_or_404(user: User, case_id: int) -> IpsCase:
    """404 (not 403) for a case the user has no relation to: no probing for existence."""
    case = db.session.get(IpsCase, case_id)
    if case is None or relation_to_case(user, case) is None:
        abort(404)
    return case

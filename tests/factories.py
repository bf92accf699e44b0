"""Builders for test data, through the real services where a service exists."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from ips_coord.auth import create_token, hash_password
from ips_coord.clock import utcnow
from ips_coord.extensions import db
from ips_coord.models import Organisation, User
from ips_coord.services import activities as act
from ips_coord.services.transitions import apply_event
from ips_coord.workflows.phases import ConsentCategory, OrgKind, Party, Role

PASSWORD = "Correct-horse-42"
_birth_years = itertools.count()


@lru_cache
def _hash() -> str:
    return hash_password(PASSWORD)  # hashing is slow on purpose; do it once per run


def user(email, role, org=None, name=None, locale="da") -> User:
    row = User(
        email=email,
        name=name or email.split("@")[0],
        role=role,
        organisation_id=org.id if org else None,
        locale=locale,
        password_hash=_hash(),
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    return row


@dataclass
class World:
    team: Organisation
    other_team: Organisation
    psychiatry: Organisation
    jobcenter: Organisation
    consultant: User
    colleague: User
    outsider: User  # a consultant in another team
    clinician: User
    other_clinician: User
    caseworker: User
    coordinator: User
    admin: User
    privacy_officer: User

    @classmethod
    def build(cls) -> World:
        orgs = {}
        for key, name, kind in (
            ("team", "IPS Team A", OrgKind.IPS_TEAM),
            ("other_team", "IPS Team B", OrgKind.IPS_TEAM),
            ("psychiatry", "Psykiatri", OrgKind.PSYCHIATRY),
            ("jobcenter", "Jobcenter", OrgKind.JOBCENTER),
        ):
            orgs[key] = Organisation(name=name, kind=kind)
            db.session.add(orgs[key])
        db.session.flush()
        w = cls(
            **orgs,
            consultant=user("consultant@example.test", Role.IPS_CONSULTANT, orgs["team"], "Kim Konsulent"),
            colleague=user("colleague@example.test", Role.IPS_CONSULTANT, orgs["team"]),
            outsider=user("outsider@example.test", Role.IPS_CONSULTANT, orgs["other_team"]),
            clinician=user("clinician@example.test", Role.PSYCHIATRY, orgs["psychiatry"], locale="en"),
            other_clinician=user("clinician2@example.test", Role.PSYCHIATRY, orgs["psychiatry"]),
            caseworker=user("caseworker@example.test", Role.JOBCENTER, orgs["jobcenter"]),
            coordinator=user("coordinator@example.test", Role.COORDINATOR, orgs["team"]),
            admin=user("admin@example.test", Role.ADMIN),
            privacy_officer=user("dpo@example.test", Role.PRIVACY_OFFICER),
        )
        db.session.commit()
        return w

    def referral(self, first="Test", last="Borger", **kwargs):
        kwargs.setdefault("psychiatry_contact_id", self.clinician.id)
        kwargs.setdefault("jobcenter_caseworker_id", self.caseworker.id)
        # A birth year of their own: same-named test citizens are different people, not duplicates.
        fields = {"first_name": first, "last_name": last, "birth_year": 1950 + next(_birth_years) % 50}
        return act.create_referral(fields, self.consultant, **kwargs)

    def consent_employment_to_psychiatry(self, case, given_at=None, expires_at=None):
        return act.record_consent(
            case,
            self.consultant,
            from_party=Party.IPS_TEAM,
            to_party=Party.PSYCHIATRY,
            categories=[ConsentCategory.EMPLOYMENT_PROGRESS],
            purpose="Orientering om job",
            given_at=given_at or utcnow().date(),
            expires_at=expires_at,
        )

    def step(self, case, event, **payload):
        return apply_event(case.id, event, case.version, payload, self.consultant)

    def case_in(self, phase: str, clock=None):
        """A case walked through the real workflow up to `phase`."""
        case = self.referral()
        if phase == "referred":
            return case
        case = self.step(case, "enrol")
        if phase == "engagement":
            return case
        if phase == "closed":
            return self.step(case, "close", reason="citizen_choice")
        case = self.step(case, "start_search")
        if phase == "job_search":
            return case
        if phase == "paused":
            return self.step(case, "pause", resume_date=(utcnow() + timedelta(days=14)).date())
        if phase == "in_education":
            return self.step(case, "start_education", employer_name="VUC", benefits_counselling_offered=True)
        case = self.step(
            case,
            "start_job",
            employer_name="Bageriet",
            benefits_counselling_offered=True,
            placement_type="ordinary_job",
        )
        if phase == "employed":
            return case
        if phase == "transitioned":
            return self.step(case, "handover_to_natural_supports")
        if clock is not None:
            clock.advance(days=40)
        case = self.step(case, "end_job", end_reason="dismissed")
        if phase == "job_ended":
            return case
        raise ValueError(phase)


def token_for(u: User) -> str:
    token, _row = create_token(u, "test")
    db.session.commit()
    return token


def bearer(u: User) -> dict:
    return {"Authorization": f"Bearer {token_for(u)}"}


def login(client, u: User, password: str = PASSWORD):
    return client.post("/login", data={"email": u.email, "password": password})


def service_token(
    world: World, org: Organisation, scopes=("cases:read",), days: int = 30, approver: User | None = None
):
    """An organisation's service token the admin asked for and a second person (the privacy
    officer unless told) approved: the whole token (both halves joined) and its row."""
    from ips_coord.services import integrations

    first, row = integrations.create_service_token(world.admin, org.id, "Fagsystem", list(scopes), days)
    second, row = integrations.approve_service_token(approver or world.privacy_officer, row.id)
    db.session.commit()
    return f"{first}.{second}", row

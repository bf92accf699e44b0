"""flask commands: demo data (deterministic, idempotent), users and tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ips_coord.demo import DEMO_PASSWORD
from ips_coord.models import (
    ApiToken,
    CaseEvent,
    Citizen,
    Consent,
    Contact,
    EmployerContact,
    IpsCase,
    Notification,
    Placement,
    User,
)
from ips_coord.workflows.phases import Phase


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.slow  # seeds the whole demo twice
def test_demo_seeds_every_phase_and_is_safe_to_run_twice(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--citizens", "30"])
    assert result.exit_code == 0, result.output
    assert "konsulent1@demo.ips-coord.example" in result.output and DEMO_PASSWORD in result.output
    # Synthetic CPR numbers (born 2050-2057: no real person has one), and the demo prints none.
    from ips_coord import cpr
    from ips_coord.sealed import open_cpr

    numbers = [
        open_cpr(v) for v in db.session.scalars(select(Citizen.cpr_encrypted).where(Citizen.cpr_encrypted.is_not(None)))
    ]
    assert len(numbers) >= 30 and all(cpr.parse(n).birth_date.year >= 2050 for n in numbers)
    assert not any(n in result.output or n[:6] in result.output for n in numbers)
    phases = set(db.session.scalars(select(IpsCase.phase)))
    assert phases == {p.value for p in Phase}
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles == {
        "ips_consultant": 6,
        "psychiatry": 4,
        "jobcenter": 4,
        "coordinator": 2,
        "admin": 1,
        "privacy_officer": 1,
        "integration": 1,
    }  # team + national; a jobcenter's system
    from ips_coord.models import ChangeLog, WebhookEndpoint  # the change feed and a webhook

    assert count(db, ChangeLog) > 0 and count(db, WebhookEndpoint) == 1
    for model in (Contact, EmployerContact, Placement, Consent, CaseEvent):
        assert count(db, model) > 0, model
    ended = db.session.scalar(select(func.count()).select_from(Placement).where(Placement.end_date.is_not(None)))
    assert ended > 0
    # Job development: the register with contact persons, openings, suggestions and moved deadlines.
    from ips_coord.models.employer import Employer, EmployerPerson, FollowUpChange, Opening, Suggestion

    for model in (Employer, EmployerPerson, Opening, Suggestion, FollowUpChange):
        assert count(db, model) > 0, model
    assert db.session.scalar(select(func.count()).where(Employer.cvr.is_not(None))) >= 15
    assert db.session.scalar(select(func.count()).where(EmployerContact.next_step.is_not(None))) > 0
    # The demo's past is history: nothing from it waits in the outbox, but what was withheld for lack
    # of consent stays withheld, to be seen.
    assert db.session.scalar(select(func.count()).where(Notification.status.not_in(["sent", "withheld"]))) == 0
    assert db.session.scalar(select(func.count()).where(Notification.status == "withheld")) > 0
    # Enrolment records the consents: psychiatry got its start e-mails.
    told = (
        select(func.count())
        .select_from(Notification)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.kind == "case_enrolled", User.role == "psychiatry", Notification.status == "sent")
    )
    assert db.session.scalar(told) > 0
    # Referrals waiting for a consultant, one assigned (first contact due), and inbox items.
    from ips_coord.models import FollowUp, InboxItem

    assert db.session.scalar(select(func.count()).where(IpsCase.consultant_id.is_(None))) >= 2
    assert db.session.scalar(select(func.count()).where(FollowUp.kind == "first_citizen_contact")) == 2
    assert db.session.scalar(select(func.count()).where(InboxItem.read_at.is_(None))) > 0
    # The sectors at work: admissions (one still open), the discharge's 3-day contacts, the jobcenter's decisions,
    # changed hours with benefits counselling offered again, treatment-team meetings, phone numbers.
    from ips_coord.models import Admission, BenefitFact, FollowUp, TreatmentTeamMeeting

    assert db.session.scalar(select(func.count()).where(Admission.discharged_on.is_(None))) >= 1
    assert db.session.scalar(select(func.count()).where(Admission.discharged_on.is_not(None))) >= 1
    open_kinds = set(db.session.scalars(select(FollowUp.kind).where(FollowUp.status == "open")))
    assert {"discharge_contact", "benefits_counselling"} <= open_kinds
    assert {"mentor_hours", "aids"} <= set(db.session.scalars(select(BenefitFact.kind)))
    assert count(db, TreatmentTeamMeeting) > 30
    assert db.session.scalar(select(func.count()).where(User.phone.is_not(None))) == 6
    # About 18 months of history.
    first = db.session.scalar(select(func.min(CaseEvent.created_at)))
    assert (app.extensions["ips_clock"].now() - first).days > 300
    before = {m.__name__: count(db, m) for m in (Citizen, IpsCase, User, CaseEvent)}
    again = runner.invoke(args=["demo", "--citizens", "30"])
    assert again.exit_code == 0 and "already present" in again.output
    assert {m.__name__: count(db, m) for m in (Citizen, IpsCase, User, CaseEvent)} == before


@pytest.mark.slow  # seeds the whole demo twice
def test_demo_is_deterministic(app, db):
    from ips_coord.demo import seed_demo
    from tests.conftest import _empty_tables

    def snapshot():
        return [
            (c.citizen.full_name, c.phase, c.referred_at, c.version)
            for c in db.session.scalars(select(IpsCase).order_by(IpsCase.id))
        ]

    seed_demo(seed=7, citizens=20)
    first = snapshot()
    db.session.remove()
    _empty_tables(db)
    seed_demo(seed=7, citizens=20)
    assert snapshot() == first


def test_user_create(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "user",
            "create",
            "New@Example.org",
            "--name",
            "Ny Konsulent",
            "--role",
            "ips_consultant",
            "--password",
            "Long-enough-pw-1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.role == "ips_consultant" and user.password_hash.startswith("scrypt:")
    weak = runner.invoke(
        args=["user", "create", "b@example.org", "--name", "B", "--role", "admin", "--password", "short"]
    )
    assert weak.exit_code != 0 and "at least 12" in weak.output
    dup = runner.invoke(
        args=["user", "create", "new@example.org", "--name", "B", "--role", "admin", "--password", "Long-enough-pw-1"]
    )
    assert dup.exit_code != 0 and "already exists" in dup.output


def test_organisation_create_then_a_national_coordinator(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["organisation", "create", "Nationalt IPS-center", "--kind", "national"])
    assert result.exit_code == 0, result.output
    again = runner.invoke(args=["organisation", "create", "Nationalt IPS-center", "--kind", "national"])
    assert again.exit_code != 0 and "already exists" in again.output
    wrong = runner.invoke(args=["organisation", "create", "X", "--kind", "ministry"])
    assert wrong.exit_code != 0 and "ministry" in wrong.output
    result = runner.invoke(
        args=[
            "user",
            "create",
            "land@example.org",
            "--name",
            "Land",
            "--role",
            "coordinator",
            "--organisation",
            "Nationalt IPS-center",
            "--password",
            "Long-enough-pw-1",
        ]
    )
    assert result.exit_code == 0, result.output
    client = app.test_client()
    client.post("/login", data={"email": "land@example.org", "password": "Long-enough-pw-1"})
    assert client.get("/coordinator/country").status_code == 200


def test_token_create_prints_once_and_stores_a_hash(app, db, world):
    result = app.test_cli_runner().invoke(args=["token", "create", world.consultant.email])
    assert result.exit_code == 0
    token = result.stdout.strip()  # the expiry goes to stderr
    assert token.startswith("ipc_")
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token and token not in stored.token_hash
    r = app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200

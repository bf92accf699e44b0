"""The demo's sectors at work (synthetic only): the consultants' phone numbers (psychiatry's
emails name them), admissions and discharges recorded by psychiatry (one citizen still admitted,
some just discharged with the 3-day contact due), the jobcenter's decisions (mentor hours, aids,
personal assistance, flexjob assessments, ressourceforløb and rehabilitation-team dates), changed
hours on running jobs with benefits counselling offered again, and twelve weeks of treatment-team
meetings. Written through the services on the demo's clock, after the stories (so each case's
history stays in order)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from .clock import FrozenClock
from .extensions import db
from .models import IpsCase, Placement, User
from .services import accounts
from .services import activities as act
from .services.case_state import current_placement
from .services.jobcenter import change_job_terms
from .services.treatment import record_admission, record_discharge, record_team_meeting
from .workflows.phases import BenefitKind, ContactKind, Location, Phase, PlacementType

# Health information: never in an email, a log line, a URL or the jobcenter's view ("Demo:" marks
# the texts the privacy tests look for).
ADMISSION_REASONS = ["Demo: indlagt efter forværring", "Demo: indlagt på eget ønske i en svær periode"]


def seed_treatment_jobcenter(
    rng: random.Random, clock: FrozenClock, now: datetime, team_id: int, consultants: list[User]
) -> None:
    for n, consultant in enumerate(consultants, start=1):
        accounts.set_phone(consultant, f"+45 70 10 20 {n:02d}")
    _team_meetings(rng, clock, now, consultants)
    cases = db.session.scalars(select(IpsCase).where(IpsCase.ips_team_id == team_id).order_by(IpsCase.id)).all()
    employed = [c for c in cases if c.phase == Phase.EMPLOYED]
    searching = [c for c in cases if c.phase == Phase.JOB_SEARCH]

    # Two days ago psychiatry admitted four citizens; three were discharged this morning (the
    # consultant's 3-day contact is due) and one is still admitted.
    clock.set(now - timedelta(days=2))
    admitted = employed[:1] + searching[:3]
    for case in admitted:
        record_admission(
            case.id,
            db.session.get_one(User, case.psychiatry_contact_id),
            admitted_on=clock.now().date(),
            reason=rng.choice(ADMISSION_REASONS),
        )
    clock.set(now - timedelta(hours=5))
    for case in admitted[:3]:
        record_discharge(
            case.id, db.session.get_one(User, case.psychiatry_contact_id), discharged_on=clock.now().date()
        )

    # The jobcenter's decisions on the running jobs, and the benefit of everyone else it follows.
    clock.set(now - timedelta(hours=4))
    for k, case in enumerate(employed[1:]):
        _decisions(rng, clock, db.session.get_one(IpsCase, case.id), k)

    # New hours on up to four running jobs: benefits counselling offered again; half already had it.
    clock.set(now - timedelta(hours=3))
    changed = [c for c in employed[1:] if current_placement(c) is not None][:4]
    for case in changed:
        placement = current_placement(case)
        hours = (placement.hours_per_week or 15) + rng.choice([-5, 5, 8]) if placement else 20
        change_job_terms(
            case.id,
            db.session.get_one(User, case.consultant_id),
            hours_per_week=float(max(hours, 5)),
            hourly_pay=float(rng.choice([128, 135, 142])),
        )
    clock.set(now - timedelta(hours=2))
    for case in changed[: len(changed) // 2]:
        act.log_contact(
            db.session.get_one(IpsCase, case.id),
            db.session.get_one(User, case.consultant_id),
            kind=ContactKind.BENEFITS_COUNSELLING,
            occurred_at=clock.now(),
            location=Location.OFFICE,
        )


def _decisions(rng: random.Random, clock: FrozenClock, case: IpsCase, k: int) -> None:
    caseworker = db.session.get_one(User, case.jobcenter_caseworker_id)
    today = clock.now().date()
    placement = db.session.scalar(
        select(Placement)
        .where(Placement.case_id == case.id, Placement.end_date.is_(None))
        .order_by(Placement.start_date.desc())
        .limit(1)
    )
    act.record_benefit_fact(
        case,
        caseworker,
        benefit="Mentorstøtte bevilget",
        kind=BenefitKind.MENTOR_HOURS,
        hours=float(rng.choice([2, 3, 4])),
        on_date=today - timedelta(days=rng.randint(10, 60)),
    )
    if placement is not None and placement.type == PlacementType.FLEXJOB:
        act.record_benefit_fact(
            case,
            caseworker,
            benefit="Visiteret til fleksjob",
            kind=BenefitKind.FLEXJOB_ASSESSMENT,
            on_date=placement.start_date,
        )
    if k % 3 == 0:
        act.record_benefit_fact(
            case,
            caseworker,
            benefit="Hæve-sænkebord og høreværn",
            kind=BenefitKind.AIDS,
            on_date=today - timedelta(days=rng.randint(5, 40)),
        )
    if k % 4 == 1:
        act.record_benefit_fact(
            case,
            caseworker,
            benefit="Personlig assistance",
            kind=BenefitKind.PERSONAL_ASSISTANCE,
            hours=5.0,
            on_date=today - timedelta(days=rng.randint(5, 40)),
        )
    if k % 5 == 2:
        act.record_benefit_fact(
            case,
            caseworker,
            benefit="Møde i rehabiliteringsteamet",
            kind=BenefitKind.REHABILITATION_TEAM,
            on_date=today + timedelta(days=rng.randint(7, 30)),
        )
    if k % 5 == 3:
        act.record_benefit_fact(
            case,
            caseworker,
            benefit="Ressourceforløb i 2 år",
            kind=BenefitKind.RESOURCE_COURSE,
            on_date=today - timedelta(days=rng.randint(60, 300)),
        )


def _team_meetings(rng: random.Random, clock: FrozenClock, now: datetime, consultants: list[User]) -> None:
    """Twelve weeks of weekly meetings with the mental-health team; the last consultant misses many."""
    clock.set(now - timedelta(hours=6))
    today = clock.now().date()
    last_tuesday = today - timedelta(days=(today.weekday() - 1) % 7)
    for n, consultant in enumerate(consultants):
        for week in range(12):
            if rng.random() < (0.5 if n == len(consultants) - 1 else 0.08):
                continue
            record_team_meeting(
                consultant,
                held_on=last_tuesday - timedelta(weeks=week),
                attended=True,
                clinicians_present=rng.randint(1, 4),
                cases_discussed=rng.randint(2, 8),
            )


__all__ = ["ADMISSION_REASONS", "seed_treatment_jobcenter"]

"""Synthetic demo data: two municipalities, one psychiatry region, one IPS team, about 120
citizens with 18 months of history. Every name is made up; there are no CPR numbers.

The history is produced by the real services with the clock moved through time, so the
demo holds what the product itself would have written (events, follow-ups, outbox).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from .auth import hash_password
from .clock import FrozenClock
from .cpr import synthetic as synthetic_cpr
from .extensions import db
from .models import Contact, ConversationGuide, FollowUp, InboxItem, IpsCase, Notification, Organisation, User
from .models.employer import Employer
from .services import accounts, matching
from .services import activities as act
from .services import employers as emp
from .services import followups as fus
from .services import plan as plan_service
from .services.employers import CVR_WEIGHTS
from .services.referrals import assign_case
from .services.transitions import apply_event
from .workflows.phases import (
    ChangeKind,
    CloseReason,
    ConsentCategory,
    ContactKind,
    ContactPurpose,
    EndReason,
    Event,
    FollowUpKind,
    FollowUpStatus,
    Location,
    NotificationStatus,
    OpeningStatus,
    OrgKind,
    Party,
    Phase,
    PlacementType,
    Role,
    ServiceScope,
    SuggestionOutcome,
)
from .workflows.plan import CURRENT_INSTRUMENT, PlanOwner

DEMO_PASSWORD = "Demo-ips-2026"
DOMAIN = "demo.ips-coord.example"
TEAM = "IPS-team Nordby og Sydstrand"

FIRST = [
    "Anna",
    "Mads",
    "Sofie",
    "Jonas",
    "Freja",
    "Emil",
    "Ida",
    "Lucas",
    "Clara",
    "Oliver",
    "Laura",
    "Noah",
    "Maja",
    "Victor",
    "Ella",
    "Malthe",
    "Alma",
    "Frederik",
    "Karla",
    "William",
    "Nora",
    "Magnus",
    "Agnes",
    "Oscar",
    "Liva",
    "August",
    "Silje",
    "Aksel",
    "Vigga",
    "Storm",
]
# Invented surnames (not taken from any register).
LAST = [
    "Birkelund",
    "Ravnsholt",
    "Kildemose",
    "Lyngvig",
    "Fjordside",
    "Engtoft",
    "Skovhave",
    "Mosegaard",
    "Stenbæk",
    "Ålykke",
    "Hedevang",
    "Kærsgård",
    "Bakkedal",
    "Søndervig",
    "Lindholt",
    "Vestermark",
    "Egeskov",
    "Havbjerg",
    "Ulvedal",
    "Tornvang",
]
EMPLOYERS = [
    "Nordby Bageri",
    "Sydstrand Byggemarked",
    "Café Havnen",
    "Grønt Gartneri",
    "Lageret A/S",
    "Cykelsmeden",
    "Kantinen på Rådhuset",
    "Stranden Supermarked",
    "Autoværkstedet Vest",
    "Bogcaféen",
    "Plejecenter Lindely",
    "Nordby Vognmand",
    "IT-hjælpen",
    "Sydstrand Hotel",
    "Malerfirmaet Farve",
]
# Synthetic examples of what psychiatry shares (STAR guidance), and jobcenter benefit facts.
SHARED_COPING = [
    "Demo: går en tur når uroen kommer",
    "Demo: korte pauser hjælper på koncentrationen",
    "Demo: faste rutiner om morgenen",
]
SHARED_WARNING = [
    "Demo: trækker sig fra kolleger når det går dårligt",
    "Demo: sover dårligt før en krise",
    "Demo: bliver irritabel ved mange skift",
]
BENEFITS = ["Kontanthjælp", "Ressourceforløbsydelse", "Sygedagpenge", "Uddannelseshjælp"]
SENSITIVE_TEXTS = (
    SHARED_COPING
    + SHARED_WARNING
    + [
        "Syntetisk ydelsesoplysning til demo",
        "Samtale om jobønsker og næste skridt.",
        # Admission reasons (demo_treatment_jobcenter.ADMISSION_REASONS).
        "Demo: indlagt efter forværring",
        "Demo: indlagt på eget ønske i en svær periode",
    ]
)
# The shared plan: goals in the citizen's own words, actions and parallel interventions (synthetic).
GOALS = [
    "Jeg vil gerne have et job, hvor jeg kan være mig selv og møde til faste tider.",
    "Jeg drømmer om at arbejde med dyr, måske i en dyrehandel.",
    "Jeg vil gerne være kok, og først prøve et køkken et par dage om ugen.",
    "Et job tæt på hjemmet, så jeg ikke skal tage bussen så langt.",
    "Jeg vil gerne arbejde udendørs og bruge mine hænder.",
]
ACTIONS = [
    (PlanOwner.IPS_TEAM, "Besøge to arbejdspladser sammen"),
    (PlanOwner.CITIZEN, "Skrive en kort tekst om mig selv"),
    (PlanOwner.JOBCENTER, "Afklare ydelse ved deltidsjob"),
    (PlanOwner.PSYCHIATRY, "Tale om søvn og mødetider"),
    (PlanOwner.SOCIAL_PSYCHIATRY, "Støtte til morgenrutine"),
]
PARALLEL = ["CTI", "ACT", "Peerstøtte", "Lær at tackle", "Kognitiv terapi", "Bostøtte", "Gældsrådgivning"]
TARGETS = [
    (Phase.REFERRED, 8),
    (Phase.ENGAGEMENT, 12),
    (Phase.JOB_SEARCH, 28),
    (Phase.EMPLOYED, 30),
    (Phase.IN_EDUCATION, 8),
    (Phase.JOB_ENDED, 10),
    (Phase.PAUSED, 8),
    (Phase.TRANSITIONED, 6),
    (Phase.CLOSED, 10),
]


def _org(name, kind, municipality=None):
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    return org or accounts.create_organisation(name, kind, municipality)


def _user(email, name, role, org, now, password_hash, locale="da"):
    return accounts.create_user(
        email,
        name=name,
        role=role,
        organisation_id=org.id if org else None,
        locale=locale,
        password_hash=password_hash,
        created_at=now,
    )


def _logins():
    return [
        (u.email, u.role)
        for u in db.session.scalars(select(User).where(User.email.like(f"%@{DOMAIN}")).order_by(User.role, User.email))
    ]


def _accounts(clock: FrozenClock, now: datetime, consultants: list) -> None:
    """Accounts: a personal API token (the admin's token list) and a calendar feed."""
    from .services import calendar_feed

    clock.set(now - timedelta(days=30))
    accounts.create_token(consultants[0], "Regneark (demo)", days=90)
    calendar_feed.new_key(consultants[0])
    clock.set(now - timedelta(hours=1))


def seed_demo(seed: int = 2026, citizens: int = 120, now: datetime | None = None):
    """Returns (created, logins). Does nothing if the demo team exists already."""
    if db.session.scalar(select(Organisation).where(Organisation.name == TEAM)):
        return False, _logins()
    rng = random.Random(seed)
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app behind the proxy
    real_clock = app.extensions["ips_clock"]
    now = now or real_clock.now()
    start = now - timedelta(days=548)
    clock = FrozenClock(start)
    app.extensions["ips_clock"] = clock
    try:
        jc_n = _org("Jobcenter Nordby", OrgKind.JOBCENTER, "Nordby")
        jc_s = _org("Jobcenter Sydstrand", OrgKind.JOBCENTER, "Sydstrand")
        psy = _org("Psykiatrien Region Midtland", OrgKind.PSYCHIATRY)
        team = _org(TEAM, OrgKind.IPS_TEAM)
        national = _org("Nationalt IPS-center (demo)", OrgKind.NATIONAL)
        pw = hash_password(DEMO_PASSWORD)  # one slow hash, shared: every demo user has the same password
        consultants = [
            _user(f"konsulent{i}@{DOMAIN}", f"{FIRST[i]} {LAST[i]}", Role.IPS_CONSULTANT, team, start, pw)
            for i in range(1, 7)
        ]
        clinicians = [
            _user(f"behandler{i}@{DOMAIN}", f"{FIRST[10 + i]} {LAST[10 + i]}", Role.PSYCHIATRY, psy, start, pw)
            for i in range(1, 5)
        ]
        caseworkers = [
            _user(
                f"sagsbehandler{i}@{DOMAIN}",
                f"{FIRST[15 + i]} {LAST[5 + i]}",
                Role.JOBCENTER,
                jc_n if i <= 2 else jc_s,
                start,
                pw,
            )
            for i in range(1, 5)
        ]
        coordinator = _user(f"koordinator@{DOMAIN}", "Hanne Kildemose", Role.COORDINATOR, team, start, pw)
        _user(f"landskoordinator@{DOMAIN}", "Lars Landsby", Role.COORDINATOR, national, start, pw)
        admin = _user(f"admin@{DOMAIN}", "Admin Bruger", Role.ADMIN, None, start, pw, locale="en")
        privacy_officer = _user(f"databeskyttelse@{DOMAIN}", "Dorte Dahl", Role.PRIVACY_OFFICER, None, start, pw)

        # Round-robin over the phases by weight, so even a small demo has every phase.
        targets = [t for k in range(max(w for _, w in TARGETS)) for t, w in TARGETS if k < w]
        for i in range(citizens):
            if i == max(citizens - 2, 0):
                _integration(admin, privacy_officer, jc_n)  # the last citizens' changes go to its webhook
            target = targets[i % len(targets)]
            _simulate(
                rng,
                clock,
                now,
                i,
                target,
                consultants[i % 6],
                rng.choice(clinicians),
                rng.choice(caseworkers[:2] if i % 2 == 0 else caseworkers[2:]),
            )
        _job_development(rng, clock, now, consultants)
        _referrals(clock, now, team, clinicians, caseworkers, consultants, coordinator)
        _accounts(clock, now, consultants)
        # Admissions, the jobcenter's decisions, team meetings.
        from .demo_treatment_jobcenter import seed_treatment_jobcenter

        seed_treatment_jobcenter(rng, clock, now, team.id, consultants)
        from .demo_team import seed_team_practice  # two past IPS-25 reviews, the conversation guides

        seed_team_practice(rng, clock, now, coordinator, consultants)
        # Some of the past contacts used a guide (the demo's history, as a consultant would have picked it).
        guide_ids = db.session.scalars(select(ConversationGuide.id).order_by(ConversationGuide.id)).all()
        for k, guide_id in enumerate(guide_ids):
            db.session.execute(
                update(Contact)
                .where(Contact.id % 9 == k, Contact.kind == ContactKind.CONTACT)
                .values(guide_id=guide_id)
            )
        # History is history: what the demo's past would have sent and escalated counts as done
        # (what was withheld for lack of consent stays withheld: the case pages show it).
        db.session.execute(
            update(Notification)
            .where(Notification.status != NotificationStatus.WITHHELD)
            .values(
                status=NotificationStatus.SENT, sent_at=Notification.created_at, acknowledged_at=Notification.created_at
            )
        )
        # The inbox: the last two weeks unread, the older past read.
        db.session.execute(
            update(InboxItem)
            .where(InboxItem.created_at < now - timedelta(days=14))
            .values(read_at=InboxItem.created_at)
        )
        db.session.execute(
            update(FollowUp)
            .where(FollowUp.escalate_at < now, FollowUp.status == FollowUpStatus.OPEN)
            .values(escalated_at=FollowUp.escalate_at)
        )
        db.session.execute(
            update(FollowUp)
            .where(FollowUp.kind == FollowUpKind.PSYCHIATRY_ACK, FollowUp.status == FollowUpStatus.OPEN)
            .values(status=FollowUpStatus.DONE, completed_at=FollowUp.created_at)
        )
        db.session.commit()
    finally:
        app.extensions["ips_clock"] = real_clock
    return True, _logins()


def _integration(admin: User, privacy_officer: User, jobcenter: Organisation) -> None:
    """Jobcenter Nordby's case system: a service token the admin asked for and the privacy
    officer approved, and a webhook to a receiver on this machine (nothing listens there in the
    demo, so the delivery log shows retries)."""
    from .services import integrations

    _half, row = integrations.create_service_token(
        admin,
        jobcenter.id,
        "Nordby fagsystem",
        [ServiceScope.CASES_READ, ServiceScope.CHANGES_READ, ServiceScope.WEBHOOKS_RECEIVE, ServiceScope.STAFF_READ],
        365,
    )
    integrations.approve_service_token(privacy_officer, row.id)
    integrations.register_webhook(
        admin,
        row.id,
        "http://127.0.0.1:8765/ips-webhooks",
        [ChangeKind.CASE, ChangeKind.CASE_EVENT, ChangeKind.CONSENT],
    )


# Days from the referral to today for each phase the demo ends in (roughly how long it takes).
PLAN_DAYS = {
    Phase.REFERRED: 5,
    Phase.ENGAGEMENT: 25,
    Phase.JOB_SEARCH: 80,
    Phase.EMPLOYED: 200,
    Phase.IN_EDUCATION: 200,
    Phase.JOB_ENDED: 180,
    Phase.PAUSED: 120,
    Phase.TRANSITIONED: 500,
    Phase.CLOSED: 90,
}


class _Story:
    """One citizen's course, told through the real services on the demo's clock."""

    def __init__(
        self,
        rng: random.Random,
        clock: FrozenClock,
        now: datetime,
        i: int,
        consultant: User,
        clinician: User,
        caseworker: User,
    ) -> None:
        self.rng, self.clock, self.now, self.i = rng, clock, now, i
        self.consultant, self.clinician, self.caseworker = consultant, clinician, caseworker
        self.case: IpsCase
        self.rated_at: datetime | None = None  # the last progress rating
        self.level = rng.randint(3, 5)  # where the ratings stand, rising slowly

    def step(self, days_lo: int, days_hi: int) -> None:
        t = self.clock.now() + timedelta(days=self.rng.randint(days_lo, days_hi), hours=self.rng.randint(0, 6))
        self.clock.set(min(t, self.now - timedelta(hours=1)))

    def ev(self, event: Event, **payload: Any) -> None:
        self.case = apply_event(self.case.id, event, self.case.version, payload, self.consultant)

    def refer(self, target: Phase) -> None:
        rng, now, i = self.rng, self.now, self.i
        plan_days = PLAN_DAYS[target]
        earliest = 540 - plan_days
        if target == Phase.REFERRED:
            begin = now - timedelta(days=rng.randint(1, 12))
        elif target == Phase.JOB_ENDED:
            begin = now - timedelta(days=plan_days + rng.randint(0, 60))
        else:
            begin = now - timedelta(days=plan_days + rng.randint(0, max(earliest, 1)))
        self.clock.set(begin)
        first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
        self.case = act.create_referral(
            {
                "first_name": first,
                "last_name": last,
                "birth_year": rng.randint(1965, 2004),
                # A synthetic number no real person has (ips_coord/cpr.py); its own generator, so the
                # rest of the demo draws the same as before.
                "cpr": synthetic_cpr(random.Random(f"cpr{i}")),
                "phone": f"+45 20 {i // 100:02d} {i % 100:02d} 00",
                "municipality": "Nordby" if i % 2 == 0 else "Sydstrand",
                "email": f"borger{i + 1}@{DOMAIN}",
                "own_goal": rng.choice(
                    [
                        "Et fast job med faste tider",
                        "Arbejde med dyr",
                        "At blive uddannet kok",
                        "Et deltidsjob tæt på hjemmet",
                        "Arbejde udendørs",
                    ]
                ),
            },
            self.consultant,
            psychiatry_contact_id=self.clinician.id,
            jobcenter_caseworker_id=self.caseworker.id,
        )

    def keep_in_touch(self, every: tuple[int, int], employers: bool = False) -> None:
        """Contacts (and job development) up to a few days ago: a team that mostly keeps up."""
        rng, case, consultant = self.rng, self.case, self.consultant
        until = self.now - timedelta(days=rng.randint(2, 12))
        count = 0
        while self.clock.now() + timedelta(days=every[1]) < until:
            self.step(*every)
            if self.rated_at is not None and self.clock.now() - self.rated_at >= timedelta(days=90):
                self.rate_progress()  # the 90-day reassessment
            count += 1
            if count % 4 == 0:  # the career profile is reassessed every few months
                act.save_profile(
                    case,
                    consultant,
                    {
                        "wishes_and_dreams": case.citizen.own_goal,
                        "job_preferences": "Som før, med justerede timer",
                        "disclosure": "partial",
                    },
                )
            act.log_contact(
                case,
                consultant,
                kind=ContactKind.CONTACT,
                occurred_at=self.clock.now(),
                location=rng.choice([Location.COMMUNITY, Location.COMMUNITY, Location.OFFICE]),
            )
            if employers:
                act.log_employer_contact(
                    consultant,
                    employer_name=rng.choice(EMPLOYERS),
                    occurred_at=self.clock.now(),
                    location=Location.COMMUNITY,
                    case=case,
                    purpose=rng.choice(
                        [ContactPurpose.LEARN_NEEDS, ContactPurpose.PRESENT_CANDIDATE, ContactPurpose.FIRST_MEETING]
                    ),
                )

    def contacts(self, n: int, every: tuple[int, int] = (5, 12)) -> None:
        for _ in range(n):
            self.step(*every)
            act.log_contact(
                self.case,
                self.consultant,
                kind=ContactKind.CONTACT,
                occurred_at=self.clock.now(),
                location=self.rng.choice([Location.COMMUNITY, Location.COMMUNITY, Location.OFFICE, Location.PHONE]),
                note="Samtale om jobønsker og næste skridt.",
            )

    def enrol(self) -> None:
        """Enrolment, consents both ways, what psychiatry shares, the joint start meeting, a profile."""
        rng, clock, consultant = self.rng, self.clock, self.consultant
        self.step(2, 8)
        # Enrolment asks for the citizen's consents to the parties the workflow tells, so
        # psychiatry gets its start e-mail; a few citizens have not consented yet, and the case page
        # and the coordinator's overview show what psychiatry was not told.
        consents = {} if self.i % 10 == 7 else {"consent_psychiatry": True, "consent_jobcenter": True}
        self.ev(Event.ENROL, citizen_agreed=True, **consents)
        case = self.case
        act.record_consent(
            case,
            consultant,
            from_party=Party.PSYCHIATRY,
            to_party=Party.IPS_TEAM,
            categories=[ConsentCategory.COPING_STRATEGIES, ConsentCategory.WARNING_SIGNS, ConsentCategory.STRENGTHS],
            purpose="Koordinering af IPS-forløbet",
            given_at=clock.now().date(),
            expires_at=clock.now().date() + timedelta(days=730),
        )
        # What psychiatry shares and the jobcenter holds: synthetic, and never to leave the record.
        act.share_health_info(
            case, self.clinician, category=ConsentCategory.COPING_STRATEGIES, text=rng.choice(SHARED_COPING)
        )
        act.share_health_info(
            case, self.clinician, category=ConsentCategory.WARNING_SIGNS, text=rng.choice(SHARED_WARNING)
        )
        act.record_benefit_fact(
            case, self.caseworker, benefit=rng.choice(BENEFITS), note="Syntetisk ydelsesoplysning til demo"
        )
        self.step(3, 10)
        act.log_contact(
            case,
            consultant,
            kind=ContactKind.JOINT_START_MEETING,
            occurred_at=clock.now(),
            location=Location.OFFICE,
            note="Fælles opstartsmøde med borger og behandler.",
        )
        act.save_profile(
            case,
            consultant,
            {
                "wishes_and_dreams": case.citizen.own_goal,
                "job_preferences": rng.choice(["Lager", "Butik", "Køkken", "Gartneri", "Kontor"]),
                "strengths": "Mødestabil, god til praktisk arbejde",
                "disclosure": "partial",
            },
        )
        self.shared_plan()
        self.rate_progress()  # at enrolment

    def rate_progress(self) -> None:
        """Both ratings, the citizen's usually lower than the consultant's (seed 002), rising slowly."""
        rng = self.rng
        self.level = min(9, self.level + rng.choice([0, 1, 1]))
        dimensions = CURRENT_INSTRUMENT.dimensions
        own: dict[str, object] = {d: max(1, min(10, self.level + rng.randint(-2, 1))) for d in dimensions}
        staff: dict[str, object] = {d: max(1, min(10, self.level + rng.randint(0, 2))) for d in dimensions}
        plan_service.record_rating(self.case, own, citizen=self.case.citizen)
        plan_service.record_rating(self.case, staff, actor=self.consultant)
        self.rated_at = self.clock.now()

    def shared_plan(self) -> None:
        """Participation agreed, goals in the citizen's words (written by the citizen or for them),
        two actions with owners and dates, and for some a parallel intervention."""
        rng, case, consultant = self.rng, self.case, self.consultant
        today = self.clock.now().date()
        plan_service.record_participation(case, consultant, agreed_on=today)
        goal = rng.choice(GOALS)
        if rng.random() < 0.5:
            plan_service.save_goal(case, goal, citizen=case.citizen)
        else:
            plan_service.save_goal(case, goal, actor=consultant)
        for owner, text in rng.sample(ACTIONS, 2):
            action = plan_service.add_action(
                case, text=text, owner=owner, due_date=today + timedelta(days=rng.randint(7, 30)), actor=consultant
            )
            if rng.random() < 0.7:
                plan_service.complete_action(action, actor=consultant)
        if rng.random() < 0.5:
            plan_service.start_intervention(
                case, self.clinician if rng.random() < 0.5 else consultant, name=rng.choice(PARALLEL), start_date=today
            )

    def close(self) -> None:
        self.contacts(2)
        self.ev(Event.CLOSE, reason=self.rng.choice([CloseReason.CITIZEN_CHOICE, CloseReason.MOVED_AWAY]).value)

    def search(self) -> None:
        self.step(5, 15)
        self.ev(Event.START_SEARCH)
        for _ in range(self.rng.randint(1, 4)):
            self.step(2, 12)
            act.log_employer_contact(
                self.consultant,
                employer_name=self.rng.choice(EMPLOYERS),
                occurred_at=self.clock.now(),
                location=Location.COMMUNITY,
                case=self.case,
                purpose=self.rng.choice(
                    [ContactPurpose.FIRST_MEETING, ContactPurpose.LEARN_NEEDS, ContactPurpose.PRESENT_CANDIDATE]
                ),
            )
        self.contacts(2)

    def keep_searching(self) -> None:
        self.keep_in_touch((7, 14), employers=True)

    def pause(self) -> None:
        self.step(1, 5)
        self.ev(
            Event.PAUSE, resume_date=(self.now + timedelta(days=self.rng.randint(7, 45))).date(), reason="indlæggelse"
        )

    def educate(self) -> None:
        self.step(5, 20)
        self.ev(
            Event.START_EDUCATION,
            employer_name="VUC Nordby",
            placement_type=PlacementType.EDUCATION.value,
            start_date=self.clock.now().date(),
            benefits_counselling_offered=True,
        )
        self.contacts(4, (6, 8))
        self.keep_in_touch((20, 30))

    def start_job(self) -> None:
        rng, i = self.rng, self.i
        self.step(5, 20)
        job_type = PlacementType.FLEXJOB if i % 7 == 0 else PlacementType.ORDINARY_JOB
        self.ev(
            Event.START_JOB,
            employer_name=rng.choice(EMPLOYERS),
            job_title=rng.choice(["Lagermedarbejder", "Køkkenhjælp", "Butiksassistent", "Gartnermedhjælper"]),
            hours_per_week=float(rng.choice([10, 15, 20, 25, 30, 37])),
            placement_type=job_type.value,
            start_date=self.clock.now().date(),
            benefits_counselling_offered=i % 5 != 0,
        )
        plan_service.update_supports(
            self.case,
            self.consultant,
            {
                "mentor": "Mentor på arbejdspladsen",
                "mentor_hours": rng.choice([1, 2, 3]),
                **({"flexjob_terms": "12 timer, fleksibel start"} if job_type == PlacementType.FLEXJOB else {}),
            },
        )
        self.contacts(3, (2, 7))

    def transition(self) -> None:
        self.contacts(8, (25, 35))
        self.step(10, 20)
        self.ev(Event.HANDOVER_TO_NATURAL_SUPPORTS)

    def end_job(self) -> None:
        """A first job ends; the review adjusts the plan."""
        self.step(10, 40)
        self.ev(Event.END_JOB, end_reason=self.rng.choice(list(EndReason)).value, end_date=self.clock.now().date())
        self.step(1, 3)
        act.log_contact(
            self.case, self.consultant, kind=ContactKind.CONTACT, occurred_at=self.clock.now(), location=Location.PHONE
        )
        if self.i % 2 == 0:
            self.step(2, 4)
            act.record_review(
                self.case,
                self.consultant,
                held_at=self.clock.now(),
                what_worked="Godt forhold til kollegerne",
                what_did_not="For mange timer i starten",
                adjustments={"hours": "Start med 12 timer"},
                clinician_present=True,
                job_preferences=self.rng.choice(["Lager", "Butik", "Køkken", "Gartneri"])
                + ", 12 timer om ugen til at starte med",
            )


def _simulate(
    rng: random.Random,
    clock: FrozenClock,
    now: datetime,
    i: int,
    target: Phase,
    consultant: User,
    clinician: User,
    caseworker: User,
) -> None:
    """Walk one citizen through the phases up to `target`, ending before `now`."""
    story = _Story(rng, clock, now, i, consultant, clinician, caseworker)
    story.refer(target)
    if target == Phase.REFERRED:
        return
    if target == Phase.CLOSED and i % 3 == 0:
        story.step(2, 6)
        story.ev(Event.DECLINE)
        return
    story.enrol()
    if target in (Phase.ENGAGEMENT, Phase.CLOSED):
        if target == Phase.CLOSED:
            story.close()
        return
    story.search()
    ends_in_search = {
        Phase.JOB_SEARCH: story.keep_searching,
        Phase.PAUSED: story.pause,
        Phase.IN_EDUCATION: story.educate,
    }
    if target in ends_in_search:
        ends_in_search[target]()
        return
    story.start_job()
    if target == Phase.EMPLOYED:
        story.keep_in_touch((20, 30))
    elif target == Phase.TRANSITIONED:
        story.transition()
    else:
        story.end_job()


def _referrals(
    clock: FrozenClock,
    now: datetime,
    team: Organisation,
    clinicians: list[User],
    caseworkers: list[User],
    consultants: list[User],
    coordinator: User,
) -> None:
    """Referrals from psychiatry and the jobcenter: two wait in the coordinator's queue,
    one was assigned a week ago and its first contact is missed (escalated), one was assigned
    two days ago (the referrer's inbox says who took it)."""

    def refer(days_ago: float, referrer: User, first: str, last: str, **kwargs: Any) -> IpsCase:
        clock.set(now - timedelta(days=days_ago))
        return act.create_referral(
            {"first_name": first, "last_name": last, "birth_year": 1990, "municipality": "Nordby"},
            referrer,
            ips_team_id=team.id,
            **kwargs,
        )

    refer(3, clinicians[0], "Vilma", "Kragh", psychiatry_contact_id=clinicians[0].id)
    refer(1, caseworkers[0], "Anton", "Bech", jobcenter_caseworker_id=caseworkers[0].id)
    for days_ago, clinician, consultant, first, last in (
        (10, clinicians[1], consultants[0], "Ella", "Vestergaard"),
        (3, clinicians[2], consultants[1], "Oskar", "Dam"),
    ):
        case = refer(days_ago, clinician, first, last, psychiatry_contact_id=clinician.id)
        clock.set(now - timedelta(days=days_ago - 1))
        assign_case(case, coordinator, consultant_id=consultant.id)


# Job development: the register's details, contact persons, openings, this week's
# contacts with purposes and next steps, suggestions and moved deadlines. All synthetic.
INDUSTRIES = {
    "Nordby Bageri": "Fødevarer",
    "Sydstrand Byggemarked": "Detail",
    "Café Havnen": "Restauration",
    "Grønt Gartneri": "Gartneri",
    "Lageret A/S": "Lager og logistik",
    "Cykelsmeden": "Værksted",
    "Kantinen på Rådhuset": "Kantine",
    "Stranden Supermarked": "Detail",
    "Autoværkstedet Vest": "Værksted",
    "Bogcaféen": "Restauration",
    "Plejecenter Lindely": "Pleje",
    "Nordby Vognmand": "Transport",
    "IT-hjælpen": "IT",
    "Sydstrand Hotel": "Hotel",
    "Malerfirmaet Farve": "Håndværk",
}
OPENINGS = [
    ("Lagermedarbejder", "Lageret A/S", 20, "Formiddage, truckcertifikat er et plus"),
    ("Butiksassistent", "Stranden Supermarked", 15, "Varepåfyldning og kasse"),
    ("Køkkenhjælp", "Café Havnen", 25, "Opvask og enkel madlavning"),
    ("Gartnermedhjælper", "Grønt Gartneri", 30, "Udendørs arbejde, plantepasning"),
    ("Kontorassistent", "IT-hjælpen", 12, "Post, scanning og telefon"),
    ("Bagermedhjælper", "Nordby Bageri", 20, "Tidlige morgener"),
    ("Lagermedarbejder", "Sydstrand Byggemarked", 37, "Varemodtagelse"),
    ("Rengøringsassistent", "Sydstrand Hotel", 18, "Værelser, formiddage"),
    ("Køkkenhjælp", "Kantinen på Rådhuset", 20, "Frokostservering"),
    ("Cykelmekanikerlærling", "Cykelsmeden", 30, "Interesse for cykler"),
]
MOVE_REASONS = [
    "Borgeren er indlagt en uge",
    "Behandleren er på ferie",
    "Borgeren bad om en senere dato",
    "Kollega dækker under ferie",
]
# This week's employer contacts: why (learning needs most often), what next.
WEEK_PURPOSES = [
    ContactPurpose.FIRST_MEETING,
    ContactPurpose.LEARN_NEEDS,
    ContactPurpose.LEARN_NEEDS,
    ContactPurpose.FOLLOW_ALONG,
]
NEXT_STEPS = ["Send CV", "Ring om en prøvedag", "Nyt besøg"]
# What came of the demo's suggestions, in turn.
DEMO_OUTCOMES = [
    SuggestionOutcome.SUGGESTED,
    SuggestionOutcome.APPLIED,
    SuggestionOutcome.INTERVIEW,
    SuggestionOutcome.NOT_INTERESTED,
]


def _cvr(rng: random.Random) -> str:
    """A synthetic CVR number with a valid modulus-11 check digit."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        rest = sum(d * w for d, w in zip(digits, CVR_WEIGHTS, strict=False)) % 11
        check = (11 - rest) % 11
        if check < 10:
            return "".join(map(str, [*digits, check]))


def _job_development(rng: random.Random, clock: FrozenClock, now: datetime, consultants: list[User]) -> None:
    _register(rng, clock, now, consultants[0])
    _openings(clock, now, consultants)
    clock.set(now - timedelta(hours=1))
    _this_weeks_employer_contacts(rng, now, consultants)
    _suggestions()
    _moved_deadlines(rng, now, consultants)


def _register(rng: random.Random, clock: FrozenClock, now: datetime, lead: User) -> None:
    """The register's details and contact persons for every demo employer."""
    clock.set(now - timedelta(days=150))
    team = lead.organisation_id
    assert team is not None
    for name in EMPLOYERS:
        employer = emp.find_employer(team, name) or emp.create_employer(lead, {"name": name})
        street = rng.choice(["Havnegade", "Torvet", "Industrivej"])
        emp.update_employer(
            employer,
            lead,
            {
                "name": name,
                "cvr": _cvr(rng),
                "industry": INDUSTRIES[name],
                "municipality": rng.choice(["Nordby", "Sydstrand"]),
                "address": f"{street} {rng.randint(1, 60)}",
            },
        )
        for k in range(rng.randint(1, 2)):
            emp.add_person(
                employer,
                lead,
                {
                    "name": f"{FIRST[rng.randrange(len(FIRST))]} {LAST[rng.randrange(len(LAST))]}",
                    "title": ["Indehaver", "Driftsleder", "HR"][k],
                    "phone": f"+45 30 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                },
            )


def _openings(clock: FrozenClock, now: datetime, consultants: list[User]) -> None:
    """Openings learned over the last months; the first two already filled."""
    lead = consultants[0]
    team = lead.organisation_id
    assert team is not None
    openings = []
    for k, (title, name, hours, asks) in enumerate(OPENINGS):
        clock.set(now - timedelta(days=140 - 12 * k))
        employer = emp.find_employer(team, name)
        assert employer is not None
        openings.append(
            emp.create_opening(
                employer,
                consultants[k % len(consultants)],
                {"title": title, "hours_per_week": hours, "requirements": asks, "place": employer.municipality},
            )
        )
    for opening in openings[:2]:
        emp.set_opening_status(opening, lead, OpeningStatus.FILLED)


def _this_weeks_employer_contacts(rng: random.Random, now: datetime, consultants: list[User]) -> None:
    """Employer contacts since Monday, with purposes and next steps (which become follow-ups)."""
    monday = (now - timedelta(days=now.weekday())).replace(hour=8, minute=0, second=0, microsecond=0)
    span = max((now - timedelta(hours=2) - monday).total_seconds(), 3600)
    for consultant in consultants:
        for _ in range(rng.randint(2, 5)):
            at = min(monday + timedelta(seconds=rng.uniform(0, span)), now - timedelta(hours=2))
            employer = db.session.scalar(select(Employer).where(Employer.name == rng.choice(EMPLOYERS)))
            assert employer is not None
            person = employer.persons[0] if employer.persons else None
            emp.log_employer_contact(
                consultant,
                employer_id=employer.id,
                person_id=person.id if person else None,
                occurred_at=at,
                location=Location.COMMUNITY,
                purpose=rng.choice(WEEK_PURPOSES),
                outcome="Demo: god snak om hvad de mangler",
                next_step=rng.choice(NEXT_STEPS),
                next_step_due=(now + timedelta(days=rng.randint(2, 10))).date(),
            )


def _suggestions() -> None:
    """Suggestions from the matching for a dozen job seekers, and what came of them."""
    seekers = db.session.scalars(select(IpsCase).where(IpsCase.phase == Phase.JOB_SEARCH).order_by(IpsCase.id)).all()
    for k, case in enumerate(seekers[:12]):
        ranked = matching.suggestions_for_case(case, limit=1)
        consultant = db.session.get(User, case.consultant_id)
        if not ranked or consultant is None:
            continue
        suggestion = matching.record_suggestion(case, ranked[0].opening, consultant)
        outcome = DEMO_OUTCOMES[k % len(DEMO_OUTCOMES)]
        if outcome != SuggestionOutcome.SUGGESTED:
            matching.record_outcome(suggestion, consultant, outcome)


def _moved_deadlines(rng: random.Random, now: datetime, consultants: list[User]) -> None:
    """Deadlines moved or handed to a colleague, with the reason (the coordinator sees how often)."""
    movable = db.session.scalars(
        select(FollowUp)
        .where(
            FollowUp.status == FollowUpStatus.OPEN, FollowUp.due_at > now, FollowUp.due_at < now + timedelta(days=60)
        )
        .order_by(FollowUp.id)
        .limit(6)
    ).all()
    for k, fu in enumerate(movable):
        case = db.session.get(IpsCase, fu.case_id)
        actor = db.session.get(User, case.consultant_id) if case is not None else None
        if actor is None or actor not in consultants:
            continue
        colleague = consultants[(consultants.index(actor) + 1) % len(consultants)] if k % 3 == 2 else None
        fus.move_follow_up(
            fu,
            actor,
            reason=MOVE_REASONS[k % len(MOVE_REASONS)],
            due_at=None if colleague else fu.due_at + timedelta(days=rng.randint(3, 10)),
            assignee_id=colleague.id if colleague else None,
        )


__all__ = ["DEMO_PASSWORD", "seed_demo"]

"""Synthetic demo data: two municipalities, one psychiatry region, one IPS team, about 120
citizens with 18 months of history. Every name is made up; there are no CPR numbers.

The history is produced by the real services with the clock moved through time, so the
demo holds what the product itself would have written (events, follow-ups, outbox).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from .auth import hash_password
from .clock import FrozenClock
from .extensions import db
from .models import BenefitFact, FollowUp, Notification, Organisation, SharedHealthInfo, User
from .services import activities as act
from .services import plan as plan_svc
from .services.transitions import apply_event
from .workflows.phases import ConsentCategory, ContactKind, EndReason, Location, OrgKind, Party, Role

DEMO_PASSWORD = "Demo-ips-2026"
DOMAIN = "demo.ips-coord.example"
TEAM = "IPS-team Nordby og Sydstrand"

FIRST = ["Anna", "Mads", "Sofie", "Jonas", "Freja", "Emil", "Ida", "Lucas", "Clara", "Oliver", "Laura", "Noah",
         "Maja", "Victor", "Ella", "Malthe", "Alma", "Frederik", "Karla", "William", "Nora", "Magnus", "Agnes",
         "Oscar", "Liva", "August", "Silje", "Aksel", "Vigga", "Storm"]
# Invented surnames (not taken from any register).
LAST = ["Birkelund", "Ravnsholt", "Kildemose", "Lyngvig", "Fjordside", "Engtoft", "Skovhave", "Mosegaard",
        "Stenbæk", "Ålykke", "Hedevang", "Kærsgård", "Bakkedal", "Søndervig", "Lindholt", "Vestermark",
        "Egeskov", "Havbjerg", "Ulvedal", "Tornvang"]
EMPLOYERS = ["Nordby Bageri", "Sydstrand Byggemarked", "Café Havnen", "Grønt Gartneri", "Lageret A/S",
             "Cykelsmeden", "Kantinen på Rådhuset", "Stranden Supermarked", "Autoværkstedet Vest", "Bogcaféen",
             "Plejecenter Lindely", "Nordby Vognmand", "IT-hjælpen", "Sydstrand Hotel", "Malerfirmaet Farve"]
# Synthetic examples of what psychiatry shares (STAR guidance), and jobcenter benefit facts.
SHARED_COPING = ["Demo: går en tur når uroen kommer", "Demo: korte pauser hjælper på koncentrationen",
                 "Demo: faste rutiner om morgenen"]
SHARED_WARNING = ["Demo: trækker sig fra kolleger når det går dårligt", "Demo: sover dårligt før en krise",
                  "Demo: bliver irritabel ved mange skift"]
BENEFITS = ["Kontanthjælp", "Ressourceforløbsydelse", "Sygedagpenge", "Uddannelseshjælp"]
SENSITIVE_TEXTS = SHARED_COPING + SHARED_WARNING + ["Syntetisk ydelsesoplysning til demo",
                                                    "Samtale om jobønsker og næste skridt."]
# The shared plan: goals in the citizen's own words, actions and parallel interventions (synthetic).
GOALS = ["Jeg vil gerne have et job, hvor jeg kan være mig selv og møde til faste tider.",
         "Jeg drømmer om at arbejde med dyr, måske i en dyrehandel.",
         "Jeg vil gerne være kok, og først prøve et køkken et par dage om ugen.",
         "Et job tæt på hjemmet, så jeg ikke skal tage bussen så langt.",
         "Jeg vil gerne arbejde udendørs og bruge mine hænder."]
ACTIONS = [("ips_team", "Besøge to arbejdspladser sammen"), ("citizen", "Skrive en kort tekst om mig selv"),
           ("jobcenter", "Afklare ydelse ved deltidsjob"), ("psychiatry", "Tale om søvn og mødetider"),
           ("social_psychiatry", "Støtte til morgenrutine")]
PARALLEL = ["CTI", "ACT", "Peerstøtte", "Lær at tackle", "Kognitiv terapi", "Bostøtte", "Gældsrådgivning"]
DIMS = ("wish_to_work", "health_and_wellbeing", "daily_structure", "social_relations", "finances_and_security",
        "belief_in_own_abilities")
TARGETS = [("referred", 8), ("engagement", 12), ("job_search", 28), ("employed", 30), ("in_education", 8),
           ("job_ended", 10), ("paused", 8), ("transitioned", 6), ("closed", 10)]


def _org(name, kind, municipality=None):
    org = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind=kind, municipality=municipality)
        db.session.add(org)
        db.session.flush()
    return org


def _user(email, name, role, org, now, password_hash, locale="da"):
    user = User(email=email, name=name, role=role, organisation_id=org.id if org else None, locale=locale,
                password_hash=password_hash, created_at=now)
    db.session.add(user)
    return user


def _logins():
    return [(u.email, u.role) for u in db.session.scalars(
        select(User).where(User.email.like(f"%@{DOMAIN}")).order_by(User.role, User.email))]


def seed_demo(seed: int = 2026, citizens: int = 120, now: datetime | None = None):
    """Returns (created, logins). Does nothing if the demo team exists already."""
    if db.session.scalar(select(Organisation).where(Organisation.name == TEAM)):
        return False, _logins()
    rng = random.Random(seed)
    app = current_app._get_current_object()
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
        consultants = [_user(f"konsulent{i}@{DOMAIN}", f"{FIRST[i]} {LAST[i]} (IPS)", Role.IPS_CONSULTANT, team, start, pw)
                       for i in range(1, 7)]
        clinicians = [_user(f"behandler{i}@{DOMAIN}", f"{FIRST[10 + i]} {LAST[10 + i]} (psykiatri)",
                            Role.PSYCHIATRY, psy, start, pw) for i in range(1, 5)]
        caseworkers = [_user(f"sagsbehandler{i}@{DOMAIN}", f"{FIRST[15 + i]} {LAST[5 + i]} (jobcenter)",
                             Role.JOBCENTER, jc_n if i <= 2 else jc_s, start, pw) for i in range(1, 5)]
        _user(f"koordinator@{DOMAIN}", "Hanne Kildemose (koordinator)", Role.COORDINATOR, team, start, pw)
        _user(f"landskoordinator@{DOMAIN}", "Lars Landsby (landskoordinator)", Role.COORDINATOR, national, start, pw)
        _user(f"admin@{DOMAIN}", "Admin Bruger", Role.ADMIN, None, start, pw, locale="en")
        _user(f"databeskyttelse@{DOMAIN}", "Dorte Dahl (databeskyttelsesrådgiver)", Role.PRIVACY_OFFICER, None, start, pw)
        db.session.commit()

        # Round-robin over the phases by weight, so even a small demo has every phase.
        targets = [t for k in range(max(w for _, w in TARGETS)) for t, w in TARGETS if k < w]
        for i in range(citizens):
            target = targets[i % len(targets)]
            _simulate(rng, clock, now, i, target, consultants[i % 6], rng.choice(clinicians),
                      rng.choice(caseworkers[:2] if i % 2 == 0 else caseworkers[2:]))
        # History is history: what the demo's past would have sent and escalated counts as done.
        db.session.execute(update(Notification).values(status="sent", sent_at=Notification.created_at,
                                                       acknowledged_at=Notification.created_at))
        db.session.execute(update(FollowUp).where(FollowUp.escalate_at < now, FollowUp.status == "open")
                           .values(escalated_at=FollowUp.escalate_at))
        db.session.execute(update(FollowUp).where(FollowUp.kind == "psychiatry_ack", FollowUp.status == "open")
                           .values(status="done", completed_at=FollowUp.created_at))
        db.session.commit()
    finally:
        app.extensions["ips_clock"] = real_clock
    return True, _logins()


def _simulate(rng, clock, now, i, target, consultant, clinician, caseworker):
    """Walk one citizen through the phases up to `target`, ending before `now`."""
    plan_days = {"referred": 5, "engagement": 25, "job_search": 80, "employed": 200, "in_education": 200,
                 "job_ended": 180, "paused": 120, "transitioned": 500, "closed": 90}[target]
    earliest = 540 - plan_days
    if target in ("referred",):
        begin = now - timedelta(days=rng.randint(1, 12))
    elif target == "job_ended":
        begin = now - timedelta(days=plan_days + rng.randint(0, 60))
    else:
        begin = now - timedelta(days=plan_days + rng.randint(0, max(earliest, 1)))
    clock.set(begin)
    first, last = FIRST[rng.randrange(len(FIRST))], LAST[rng.randrange(len(LAST))]
    case = act.create_referral(
        {"first_name": first, "last_name": last, "birth_year": rng.randint(1965, 2004),
         "phone": f"+45 20 {i // 100:02d} {i % 100:02d} 00", "municipality": "Nordby" if i % 2 == 0 else "Sydstrand",
         "email": f"borger{i + 1}@{DOMAIN}",
         "own_goal": rng.choice(["Et fast job med faste tider", "Arbejde med dyr", "At blive uddannet kok",
                                 "Et deltidsjob tæt på hjemmet", "Arbejde udendørs"])},
        consultant, psychiatry_contact_id=clinician.id, jobcenter_caseworker_id=caseworker.id,
    )
    if target == "referred":
        return

    def step(days_lo, days_hi):
        t = clock.now() + timedelta(days=rng.randint(days_lo, days_hi), hours=rng.randint(0, 6))
        clock.set(min(t, now - timedelta(hours=1)))

    def ev(event, **payload):
        nonlocal case
        case = apply_event(case.id, event, case.version, payload, consultant)

    rated = {"last": None, "level": rng.randint(3, 5)}

    def rate_progress():
        """Both ratings, the citizen's usually lower than the consultant's (seed 002), rising slowly."""
        rated["level"] = min(9, rated["level"] + rng.choice([0, 1, 1]))
        base = rated["level"]
        own = {d: max(1, min(10, base + rng.randint(-2, 1))) for d in DIMS}
        staff = {d: max(1, min(10, base + rng.randint(0, 2))) for d in DIMS}
        plan_svc.record_rating(case, own, citizen=case.citizen)
        plan_svc.record_rating(case, staff, actor=consultant)
        rated["last"] = clock.now()

    def keep_in_touch(every, employers=False):
        """Contacts (and job development) up to a few days ago: a team that mostly keeps up."""
        until = now - timedelta(days=rng.randint(2, 12))
        count = 0
        while clock.now() + timedelta(days=every[1]) < until:
            step(*every)
            if rated["last"] is not None and clock.now() - rated["last"] >= timedelta(days=90):
                rate_progress()  # the 90-day reassessment
            count += 1
            if count % 4 == 0:  # the career profile is reassessed every few months
                act.save_profile(case, consultant, {"wishes_and_dreams": case.citizen.own_goal,
                                                    "job_preferences": "Som før, med justerede timer",
                                                    "disclosure": "partial"})
            act.log_contact(case, consultant, kind=ContactKind.CONTACT, occurred_at=clock.now(),
                            location=rng.choice([Location.COMMUNITY, Location.COMMUNITY, Location.OFFICE]))
            if employers:
                act.log_employer_contact(consultant, employer_name=rng.choice(EMPLOYERS), occurred_at=clock.now(),
                                         location=Location.COMMUNITY, case=case)

    def contacts(n, every=(5, 12)):
        for _ in range(n):
            step(*every)
            act.log_contact(case, consultant, kind=ContactKind.CONTACT, occurred_at=clock.now(),
                            location=rng.choice([Location.COMMUNITY, Location.COMMUNITY, Location.OFFICE, Location.PHONE]),
                            note="Samtale om jobønsker og næste skridt.")

    if target == "closed" and i % 3 == 0:
        step(2, 6)
        ev("decline")
        return
    step(2, 8)
    ev("enrol")
    act.record_consent(case, consultant, from_party=Party.PSYCHIATRY, to_party=Party.IPS_TEAM,
                       categories=[ConsentCategory.COPING_STRATEGIES, ConsentCategory.WARNING_SIGNS,
                                   ConsentCategory.STRENGTHS], purpose="Koordinering af IPS-forløbet",
                       given_at=clock.now().date(), expires_at=clock.now().date() + timedelta(days=730))
    act.record_consent(case, consultant, from_party=Party.IPS_TEAM, to_party=Party.PSYCHIATRY,
                       categories=[ConsentCategory.EMPLOYMENT_PROGRESS], purpose="Psykiatrien orienteres om job",
                       given_at=clock.now().date(), expires_at=None)
    # What psychiatry shares and the jobcenter holds: synthetic, and never to leave the record.
    db.session.add_all([
        SharedHealthInfo(case_id=case.id, category=ConsentCategory.COPING_STRATEGIES, author_id=clinician.id,
                         text=rng.choice(SHARED_COPING), created_at=clock.now()),
        SharedHealthInfo(case_id=case.id, category=ConsentCategory.WARNING_SIGNS, author_id=clinician.id,
                         text=rng.choice(SHARED_WARNING), created_at=clock.now()),
        BenefitFact(case_id=case.id, benefit=rng.choice(BENEFITS), author_id=caseworker.id,
                    note="Syntetisk ydelsesoplysning til demo", created_at=clock.now()),
    ])
    db.session.commit()
    step(3, 10)
    act.log_contact(case, consultant, kind=ContactKind.JOINT_START_MEETING, occurred_at=clock.now(),
                    location=Location.OFFICE, note="Fælles opstartsmøde med borger og behandler.")
    act.save_profile(case, consultant, {"wishes_and_dreams": case.citizen.own_goal,
                                        "job_preferences": rng.choice(["Lager", "Butik", "Køkken", "Gartneri", "Kontor"]),
                                        "strengths": "Mødestabil, god til praktisk arbejde", "disclosure": "partial"})
    _shared_plan(rng, clock, case, consultant, clinician)
    rate_progress()  # at enrolment
    if target == "engagement":
        return
    if target == "closed":
        contacts(2)
        ev("close", reason=rng.choice(["citizen_choice", "moved_away"]))
        return
    step(5, 15)
    ev("start_search")
    for _ in range(rng.randint(1, 4)):
        step(2, 12)
        act.log_employer_contact(consultant, employer_name=rng.choice(EMPLOYERS), occurred_at=clock.now(),
                                 location=Location.COMMUNITY, case=case)
    contacts(2)
    if target == "job_search":
        keep_in_touch((7, 14), employers=True)
        return
    if target == "paused":
        step(1, 5)
        ev("pause", resume_date=(now + timedelta(days=rng.randint(7, 45))).date(), reason="indlæggelse")
        return
    if target == "in_education":
        step(5, 20)
        ev("start_education", employer_name="VUC Nordby", placement_type="education", start_date=clock.now().date(),
           benefits_counselling_offered=True)
        contacts(4, (6, 8))
        keep_in_touch((20, 30))
        return
    step(5, 20)
    ev("start_job", employer_name=rng.choice(EMPLOYERS), job_title=rng.choice(["Lagermedarbejder", "Køkkenhjælp",
       "Butiksassistent", "Gartnermedhjælper"]), hours_per_week=float(rng.choice([10, 15, 20, 25, 30, 37])),
       placement_type="flexjob" if i % 7 == 0 else "ordinary_job", start_date=clock.now().date(),
       benefits_counselling_offered=i % 5 != 0)
    plan_svc.update_supports(case, consultant, {"mentor": "Mentor på arbejdspladsen", "mentor_hours": rng.choice([1, 2, 3]),
                                                **({"flexjob_terms": "12 timer, fleksibel start"} if i % 7 == 0 else {})})
    contacts(3, (2, 7))
    if target == "employed":
        keep_in_touch((20, 30))
        return
    if target == "transitioned":
        contacts(8, (25, 35))
        step(10, 20)
        ev("transition")
        return
    # job_ended: a first job ends; the review adjusts the plan.
    step(10, 40)
    ev("end_job", end_reason=rng.choice(list(EndReason)).value, end_date=clock.now().date())
    step(1, 3)
    act.log_contact(case, consultant, kind=ContactKind.CONTACT, occurred_at=clock.now(), location=Location.PHONE)
    if i % 2 == 0:
        step(2, 4)
        act.record_review(case, consultant, held_at=clock.now(), what_worked="Godt forhold til kollegerne",
                          what_did_not="For mange timer i starten", adjustments={"hours": "Start med 12 timer"},
                          clinician_present=True)


def _shared_plan(rng, clock, case, consultant, clinician):
    """Participation agreed, goals in the citizen's words (written by the citizen or for them),
    two actions with owners and dates, and for some a parallel intervention."""
    today = clock.now().date()
    plan_svc.record_participation(case, consultant, agreed_on=today)
    goal = rng.choice(GOALS)
    if rng.random() < 0.5:
        plan_svc.save_goal(case, goal, citizen=case.citizen)
    else:
        plan_svc.save_goal(case, goal, actor=consultant)
    for owner, text in rng.sample(ACTIONS, 2):
        action = plan_svc.add_action(case, text=text, owner=owner, due_date=today + timedelta(days=rng.randint(7, 30)),
                                     actor=consultant)
        if rng.random() < 0.7:
            plan_svc.complete_action(action, actor=consultant)
    if rng.random() < 0.5:
        plan_svc.start_intervention(case, clinician if rng.random() < 0.5 else consultant, name=rng.choice(PARALLEL),
                                    start_date=today)


__all__ = ["DEMO_PASSWORD", "seed_demo"]

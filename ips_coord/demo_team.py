"""The demo team's own practice (synthetic): two past fidelity reviews (a fair one a year ago with
its action plan, a good one half a year later, so the review page has a history to chart), the
standard conversation guides, network persons on some cases, and a coordinating professional
other than the consultant on some."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from .clock import FrozenClock
from .extensions import db
from .models import IpsCase, User
from .services import coordination, guides, network
from .services import fidelity_reviews as svc
from .workflows.fidelity_scale import ITEMS

# Item scores of the two reviews: 88 (fair), then 102 (good), better where the first one's actions
# were aimed (rapid job search, job development).
FIRST = {n: 4 for n in ITEMS} | {1: 3, 7: 3, 11: 3, 15: 2, 16: 3, 17: 2, 18: 3, 20: 3, 22: 3, 24: 3}
SECOND = {n: 4 for n in ITEMS} | {7: 3, 11: 3, 9: 5, 15: 5, 17: 5, 21: 5}
EVIDENCE = {
    15: "Demo: første arbejdsgiverkontakt efter 45 dage i snit",
    17: "Demo: 2-3 besøg om ugen pr. konsulent",
    24: "Demo: mange samtaler på kontoret",
}


def seed_team_practice(
    rng: random.Random, clock: FrozenClock, now: datetime, coordinator: User, consultants: list[User]
) -> None:
    clock.set(now - timedelta(days=400))
    guides.add_standard_guides(coordinator)
    for months_ago, scores, reviewers in (
        (13, FIRST, "Demo: Ane Ekstern\nDemo: Bo Fagkonsulent"),
        (6, SECOND, "Demo: Ane Ekstern\nDemo: Carl Kollega"),
    ):
        clock.set(now - timedelta(days=round(months_ago * 30.4)))
        review = svc.start_review(coordinator, reviewed_on=clock.now().date(), reviewers=reviewers)
        svc.save_scores(review, coordinator, {n: (s, EVIDENCE.get(n)) for n, s in scores.items()})
        svc.finalise(review, coordinator)
        for item, text in (
            (15, "Demo: første arbejdsgiverkontakt inden for 30 dage"),
            (17, "Demo: seks arbejdsgiverkontakter om ugen"),
        ):
            owner = rng.choice(consultants)
            action = svc.add_action(
                review,
                coordinator,
                item=item,
                action=text,
                owner_id=owner.id,
                due_on=clock.now().date() + timedelta(days=60),
            )
            if months_ago > 6:
                svc.complete_action(action, owner)
    clock.set(now - timedelta(hours=2))
    _networks_and_coordinators(rng)
    clock.set(now - timedelta(hours=1))


NETWORK = (
    ("Demo: Mor", "relative", ["meetings", "bad_periods"], ["meetings"]),
    ("Demo: Ven fra klubben", "friend", ["practical"], ["meetings", "plan"]),
    ("Demo: Peer-medarbejder", "peer_supporter", ["meetings"], ["meetings", "plan", "job"]),
)


def _networks_and_coordinators(rng: random.Random) -> None:
    """Every third enrolled case names someone from the citizen's network (on the citizen's word);
    every seventh has the jobcenter caseworker or the clinician as its coordinating professional."""
    cases = db.session.scalars(
        select(IpsCase).where(IpsCase.enrolled_at.is_not(None), IpsCase.closed_at.is_(None)).order_by(IpsCase.id)
    ).all()
    for k, case in enumerate(cases):
        consultant = db.session.get(User, case.consultant_id) if case.consultant_id else None
        if consultant is None:
            continue
        if k % 3 == 0:
            name, relation, roles, categories = NETWORK[k % len(NETWORK)]
            network.add_person(
                case,
                name=name,
                relation=relation,
                roles=roles,
                categories=categories,
                phone=f"+45 20 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                actor=consultant,
            )
        other = case.jobcenter_caseworker_id if k % 2 else case.psychiatry_contact_id
        if k % 7 == 0 and other is not None:
            coordination.name_coordinating_professional(
                case, consultant, other, "Demo: borgeren ser denne fagperson oftest"
            )

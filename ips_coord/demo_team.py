"""The demo team's own practice (synthetic): two past fidelity reviews (a fair one a year ago with
its action plan, a good one half a year later, so the review page has a history to chart), and
the standard conversation guides."""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from .clock import FrozenClock
from .models import User
from .services import fidelity_reviews as svc
from .services import guides
from .workflows.fidelity_scale import ITEMS

# Item scores of the two reviews: 88 (fair), then 102 (good), better where the first one's actions
# were aimed (rapid job search, job development).
FIRST = {n: 4 for n in ITEMS} | {1: 3, 7: 3, 11: 3, 15: 2, 16: 3, 17: 2, 18: 3, 20: 3, 22: 3, 24: 3}
SECOND = {n: 4 for n in ITEMS} | {7: 3, 11: 3, 9: 5, 15: 5, 17: 5, 21: 5}
EVIDENCE = {15: "Demo: første arbejdsgiverkontakt efter 45 dage i snit", 17: "Demo: 2-3 besøg om ugen pr. konsulent",
            24: "Demo: mange samtaler på kontoret"}


def seed_team_practice(rng: random.Random, clock: FrozenClock, now: datetime, coordinator: User,
                       consultants: list[User]) -> None:
    clock.set(now - timedelta(days=400))
    guides.add_standard_guides(coordinator)
    for months_ago, scores, reviewers in ((13, FIRST, "Demo: Ane Ekstern\nDemo: Bo Fagkonsulent"),
                                          (6, SECOND, "Demo: Ane Ekstern\nDemo: Carl Kollega")):
        clock.set(now - timedelta(days=round(months_ago * 30.4)))
        review = svc.start_review(coordinator, reviewed_on=clock.now().date(), reviewers=reviewers)
        svc.save_scores(review, coordinator, {n: (s, EVIDENCE.get(n)) for n, s in scores.items()})
        svc.finalise(review, coordinator)
        for item, text in ((15, "Demo: første arbejdsgiverkontakt inden for 30 dage"),
                           (17, "Demo: seks arbejdsgiverkontakter om ugen")):
            owner = rng.choice(consultants)
            action = svc.add_action(review, coordinator, item=item, action=text, owner_id=owner.id,
                                    due_on=clock.now().date() + timedelta(days=60))
            if months_ago > 6:
                svc.complete_action(action, owner)
    clock.set(now - timedelta(hours=1))

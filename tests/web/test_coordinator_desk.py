"""The coordinator's desk: the referral queue says why each citizen was referred and each
consultant's caseload beside the choice; open escalations can be narrowed to one consultant and
each leads to its case; an early job ending is counted as the reasons say (a fixed-term job that
ran its term is none); the overview's and the fidelity panel's active cases are the same count."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from ips_coord.models import CaseEvent, IpsCase, Notification
from ips_coord.notifications.sweep import escalate_due
from ips_coord.reports.outcomes import outcomes
from ips_coord.services.referrals import assign_case
from ips_coord.workflows.constants import is_early_ending
from ips_coord.workflows.phases import ACTIVE
from tests.factories import login


def test_the_queue_shows_the_reason_and_each_consultants_load(client, world, db):
    for _ in range(3):
        world.case_in("engagement")  # the consultant's caseload: 3
    login(client, world.clinician)
    r = client.post(
        "/cases/new",
        data={
            "first_name": "Vibe",
            "last_name": "Kø",
            "ips_team_id": world.team.id,
            "psychiatry_contact_id": world.clinician.id,
            "jobcenter_caseworker_id": 0,
            "referral_reason": "wants_work",
            "out_of_work": "y",
        },
    )
    assert r.status_code == 302
    case = db.session.scalar(select(IpsCase).order_by(IpsCase.id.desc()).limit(1))
    assert case.referral_reason == "wants_work"
    client.post("/logout")
    login(client, world.coordinator)
    page = client.get("/coordinator").get_data(as_text=True)
    queue = page[page.index('id="queue"') : page.index('id="load-h"')]
    assert case.reference in queue and "Henvist fordi: Ønsker et almindeligt job" in queue
    assert f"{world.consultant.name} (3 forløb)" in queue
    # The API refers with a reason too, and refuses an unknown one naming the field.
    from tests.factories import bearer

    h = bearer(world.clinician)
    r = client.post(
        "/api/v1/cases",
        headers=h,
        json={
            "citizen": {"first_name": "A", "last_name": "B"},
            "ips_team_id": world.team.id,
            "referral_reason": "nonsense",
        },
    )
    assert r.status_code == 422 and "referral_reason" in r.json["errors"]


def test_open_escalations_filter_by_consultant_and_lead_to_the_case(client, world, db, clock):
    mine = world.case_in("engagement")
    theirs = world.case_in("engagement")
    assign_case(db.session.get(IpsCase, theirs.id), world.coordinator, consultant_id=world.colleague.id)
    clock.advance(days=16)
    assert escalate_due(clock.now(), 100) >= 2
    login(client, world.coordinator)
    page = client.get("/coordinator").get_data(as_text=True)
    section = page[page.index('id="escalations"') :]
    assert mine.reference in section and theirs.reference in section
    assert re.search(r'<label for="escalations_for">', section) and 'href="#escalations"' in page
    assert f'href="/cases/{mine.id}#fu-h"' in section
    only = client.get(f"/coordinator?escalations_for={world.colleague.id}").get_data(as_text=True)
    only = only[only.index('id="escalations"') :]
    assert theirs.reference in only and mine.reference not in only
    # Whatever is sent, the page answers (an unknown id or a non-number shows them all).
    for wrong in ("²", "99999999999999999999", "abc", str(world.outsider.id)):
        r = client.get("/coordinator", query_string={"escalations_for": wrong})
        assert r.status_code == 200 and mine.reference in r.get_data(as_text=True)


def test_a_fixed_term_job_that_ran_its_term_is_no_early_ending(world, db, clock):
    ran = world.case_in("employed")
    dismissed = world.case_in("employed")
    clock.advance(days=30)
    world.step(db.session.get(IpsCase, ran.id), "end_job", end_reason="temporary_ended")
    world.step(db.session.get(IpsCase, dismissed.id), "end_job", end_reason="dismissed")

    def ended_event(case):
        return db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.event == "end_job"))

    assert ended_event(ran).data["early_ending"] is False and ended_event(dismissed).data["early_ending"] is True
    alerts = db.session.scalars(select(Notification.case_id).where(Notification.kind == "early_ending")).all()
    assert alerts == [dismissed.id]
    quarter = [q for q in outcomes(world.team.id, clock.now().date()) if q["job_endings"]][-1]
    assert quarter["job_endings"] == 2 and quarter["endings_by_reason"] == {"temporary_ended": 1, "dismissed": 1}
    assert quarter["early_endings"] == 1
    start = clock.now().date() - timedelta(days=30)
    assert is_early_ending(start, clock.now().date(), "dismissed")
    assert not is_early_ending(start, clock.now().date(), "temporary_ended")
    assert not is_early_ending(start - timedelta(days=200), clock.now().date(), "dismissed")


def test_the_overview_and_the_fidelity_panel_count_the_same_active_cases(client, world, db):
    for phase in ("referred", "engagement", "job_search", "employed", "paused", "closed"):
        world.case_in(phase)
    active = db.session.query(IpsCase).filter(IpsCase.ips_team_id == world.team.id, IpsCase.phase.in_(ACTIVE)).count()
    assert active == 4
    login(client, world.coordinator)
    overview = client.get("/coordinator").get_data(as_text=True)
    assert re.search(
        rf"<strong>{active}</strong>aktive forløb \(indskrevet, ikke afsluttet; som i fidelitetspanelet\)", overview
    )
    reports = client.get("/coordinator/reports").get_data(as_text=True)
    assert re.search(rf"af {active} aktive forløb \(indskrevet, ikke afsluttet\)", reports)

"""The national coordinator's country overview: every team's figures, aggregates only."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ips_coord.extensions import db
from ips_coord.models import AccessLog, FollowUp, IpsCase, Organisation
from ips_coord.workflows.phases import OrgKind, Role
from tests.factories import login, user
from tests.web.test_page_queries import count_queries


def _national(world):
    org = Organisation(name="Nationalt IPS-center", kind=OrgKind.NATIONAL)
    db.session.add(org)
    db.session.flush()
    coordinator = user("national@example.test", Role.COORDINATOR, org, "Nina National")
    db.session.commit()
    return coordinator


def _cells(page, team_name):
    row = re.search(rf"<tr><th scope=\"row\">{re.escape(team_name)}</th>(.*?)</tr>", page, re.S).group(1)
    return [c.split("<")[0].strip() for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)]


def test_country_overview_shows_every_team_and_no_case(client, world, clock):
    national = _national(world)
    cases = [world.case_in(p) for p in ("employed", "job_search", "referred", "closed")]
    other = world.referral(ips_team_id=world.other_team.id)
    clock.advance(days=40)  # first-employer-contact and other follow-ups are now overdue
    login(client, national)
    assert client.get("/").headers["Location"].endswith("/coordinator")
    assert client.get("/coordinator").headers["Location"].endswith("/coordinator/country")
    logged = db.session.scalar(select(func.count()).select_from(AccessLog))
    page = client.get("/coordinator/country").get_data(as_text=True)
    assert "Landsoverblik" in page
    # Independent figures for team A.
    active = db.session.scalar(
        select(func.count()).where(
            IpsCase.ips_team_id == world.team.id, IpsCase.phase.not_in(("closed", "transitioned"))
        )
    )
    overdue = db.session.scalar(
        select(func.count())
        .select_from(FollowUp)
        .join(IpsCase, IpsCase.id == FollowUp.case_id)
        .where(IpsCase.ips_team_id == world.team.id, FollowUp.status == "open", FollowUp.due_at < clock.now())
    )
    assert active == 3 and overdue > 0
    consultants, active_cell, per_consultant, over, overdue_cell = _cells(page, "IPS Team A")[:5]
    assert (consultants, active_cell, per_consultant, over, overdue_cell) == ("2", "3", "1,5", "0", str(overdue))
    assert _cells(page, "IPS Team B")[:3] == ["1", "1", "1"]  # Danish decimals
    # Aggregates only: no reference, no name, and nothing read from a case.
    for case in [*cases, other]:
        assert case.reference not in page and case.citizen.last_name not in page
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == logged
    # A national coordinator has no relation to any case.
    assert client.get(f"/cases/{cases[0].id}").status_code == 404
    assert client.get("/cases").status_code == 200
    assert cases[0].reference not in client.get("/cases").get_data(as_text=True)


def test_only_a_national_coordinator_sees_the_country(client, world):
    world.referral()
    for who in (world.coordinator, world.consultant, world.clinician):
        login(client, who)
        assert client.get("/coordinator/country").status_code == 404, who.email
        client.post("/logout")


def test_country_overview_queries_do_not_grow_with_teams_or_cases(client, world):
    national = _national(world)
    login(client, national)
    world.case_in("employed")
    few = count_queries(client, "/coordinator/country")
    for i in range(5):
        team = Organisation(name=f"IPS Team {i}", kind=OrgKind.IPS_TEAM)
        db.session.add(team)
        db.session.flush()
        user(f"c{i}@example.test", Role.IPS_CONSULTANT, team)
        world.referral(ips_team_id=team.id)
    db.session.commit()
    assert count_queries(client, "/coordinator/country") == few


def test_the_page_shows_the_workers_snapshot_with_its_age_and_computes_live_when_it_is_stale(app, client, world, clock):
    from datetime import timedelta

    from ips_coord.housekeeping import refresh_rollups
    from ips_coord.models import ReportSnapshot

    national = _national(world)
    world.case_in("job_search")
    login(client, national)
    live = client.get("/coordinator/country").get_data(as_text=True)
    assert "Beregnet lige nu." in live  # no snapshot yet: computed for this view
    schedule = app.extensions["celery"].conf.beat_schedule["rollups"]
    assert schedule["task"] == "ips_coord.rollups" and schedule["schedule"] == 60.0 * app.config["ROLLUP_MINUTES"]

    refresh_rollups.run()  # what the beat starts every ROLLUP_MINUTES (the worker test runs it for real)
    world.case_in("employed")  # after the snapshot: not in its figures until the next one
    clock.advance(minutes=7)
    page = client.get("/coordinator/country").get_data(as_text=True)
    assert "for 7 min. siden" in page and "hvert 5. minut" in page
    assert _cells(page, "IPS Team A")[1] == "1"  # the snapshot's figures, as they were
    assert _cells(live, "IPS Team A") == _cells(page, "IPS Team A")  # the same figures as computed live

    clock.advance(minutes=app.config["ROLLUP_MAX_AGE_MINUTES"])  # the worker has stopped: too old to show
    stale = client.get("/coordinator/country").get_data(as_text=True)
    assert "Beregnet lige nu." in stale and _cells(stale, "IPS Team A")[1] == "2"
    snapshot = db.session.get(ReportSnapshot, "country")
    assert clock.now() - snapshot.computed_at > timedelta(minutes=app.config["ROLLUP_MAX_AGE_MINUTES"])
    assert "IPS Team A" in str(snapshot.data) and "Borger" not in str(snapshot.data)  # aggregates only

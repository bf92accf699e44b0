"""Time to the first job, job tenure, starts per person, hours in work and what IPS saves, on a
small hand-made data set whose answers are worked out by hand below (PostgreSQL and SQLite).

Today is T0 = 2 March 2026 (the tests' frozen clock). The cases, enrolled on the dates shown:

  A  1 Sep 2025  ordinary job 21 Sep - 20 Nov 2025 (37 h), ordinary job 1 Jan 2026 - running (20 h); Kontanthjælp
  B  1 Oct 2025  education 30 Dec 2025 - running; Uddannelseshjælp
  C  1 Nov 2025  no start, open
  D  1 Jun 2025  no start, closed 1 Aug 2025
  E  1 Jul 2025  flexjob 11 Jul - 9 Oct 2025 (15 h); Sygedagpenge
  F  1 Feb 2026  an internship only (a step, not a start)
  G  1 Jan 2025  ordinary job 1 Feb 2025 - running (37 h), no benefit recorded; the colleague's case
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import BenefitFact, IpsCase, Placement
from ips_coord.reports.economics import DEFAULTS, economics
from ips_coord.reports.tenure import Spell, kaplan_meier, median_days, survival_at, time_and_tenure
from ips_coord.workflows.phases import PlacementType
from tests.factories import login

TODAY = date(2026, 3, 2)
MONTH = 365.25 / 12


def _case(world, enrolled: date, closed: date | None = None, consultant=None):
    case = world.step(world.referral(), "enrol")
    row = _db.session.get(IpsCase, case.id)
    row.enrolled_at = datetime(enrolled.year, enrolled.month, enrolled.day, 10, tzinfo=UTC)
    row.closed_at = datetime(closed.year, closed.month, closed.day, 10, tzinfo=UTC) if closed else None
    if consultant is not None:
        row.consultant_id = consultant.id
    return row


def _job(case, kind, start, end=None, hours=None):
    _db.session.add(
        Placement(
            case_id=case.id,
            type=kind,
            employer_name="Arbejdsgiver",
            start_date=start,
            end_date=end,
            hours_per_week=hours,
            created_at=datetime.now(UTC),
        )
    )


def _benefit(world, case, benefit):
    _db.session.add(
        BenefitFact(
            case_id=case.id, benefit=benefit, author_id=world.caseworker.id, created_at=datetime(2025, 1, 1, tzinfo=UTC)
        )
    )


@pytest.fixture
def data(db, world):
    a = _case(world, date(2025, 9, 1))
    b = _case(world, date(2025, 10, 1))
    _case(world, date(2025, 11, 1))
    _case(world, date(2025, 6, 1), closed=date(2025, 8, 1))
    e = _case(world, date(2025, 7, 1))
    f = _case(world, date(2026, 2, 1))
    g = _case(world, date(2025, 1, 1), consultant=world.colleague)
    _job(a, PlacementType.ORDINARY_JOB, date(2025, 9, 21), date(2025, 11, 20), 37)
    _job(a, PlacementType.ORDINARY_JOB, date(2026, 1, 1), None, 20)
    _job(b, PlacementType.EDUCATION, date(2025, 12, 30))
    _job(e, PlacementType.FLEXJOB, date(2025, 7, 11), date(2025, 10, 9), 15)
    _job(f, PlacementType.INTERNSHIP, date(2026, 2, 10))
    _job(g, PlacementType.ORDINARY_JOB, date(2025, 2, 1), None, 37)
    _benefit(world, a, "Kontanthjælp")
    _benefit(world, b, "Uddannelseshjælp")
    _benefit(world, e, "sygedagpenge fra juli")
    db.session.commit()
    return world


def test_kaplan_meier_by_hand():
    # Three of four end: on day 2, and on day 5 beside one censored on day 5 (endings count first).
    steps = kaplan_meier([Spell(2, True), Spell(5, True), Spell(5, False), Spell(9, True)])
    assert steps == [(0, 1.0), (2, 0.75), (5, 0.75 * 2 / 3), (9, 0.0)]
    assert survival_at(steps, 4) == 0.75 and median_days(steps) == 5
    assert median_days(kaplan_meier([Spell(3, True), Spell(4, False), Spell(8, False)])) is None  # 2/3 remain


def test_time_to_first_start(data):
    f = time_and_tenure(data.team.id, TODAY)["first_start"]
    # Spells (days, ended): E 10 yes, A 20 yes, F 29 no, G 31 yes, D 61 no, B 90 yes, C 121 no.
    # S(10) = 6/7, S(20) = 5/7, S(31) = 5/7 * 3/4 = 15/28, S(90) = 15/28 * 1/2 = 15/56.
    assert (f["citizens"], f["started"]) == (7, 4)
    assert f["median_days"] == 90  # the first day S falls to 1/2 or below
    assert f["share_within"] == {30: round(100 * 2 / 7, 1), 90: round(100 * 41 / 56, 1), 180: round(100 * 41 / 56, 1)}
    assert f["curve"][0] == 0.0 and f["curve"][1] == round(100 * 13 / 28, 1)  # day 0, day 60: 1 - S(31)


def test_job_tenure_counts_running_jobs_as_running(data):
    t = time_and_tenure(data.team.id, TODAY)["tenure"]
    # Jobs: A's first 60 days ended, A's second 60 days running, E's flexjob 90 days ended, G's 394 days running.
    # S(60) = 3/4 (then 2 at risk), S(90) = 3/4 * 1/2 = 3/8; G's job is still running after that.
    assert (t["jobs"], t["ended"], t["running"]) == (4, 2, 2)
    assert t["median_days"] == 90
    assert t["still_in_job"] == {90: 37.5, 180: 37.5}
    # An average of the finished jobs alone would say 75 days and nothing about G's 394.


def test_starts_per_person_and_hours(data):
    figures = time_and_tenure(data.team.id, TODAY)
    # Starts after 2 Mar 2025: A twice, E once (G's start is older).
    starts = figures["starts"]
    assert (starts["starts"], starts["people"], starts["per_person"]) == (3, 2, 1.5)
    # Running jobs today: A's 20 hours and G's 37.
    assert (figures["hours"]["jobs"], figures["hours"]["median"], figures["hours"]["mean"]) == (2, 28.5, 28.5)


def test_per_consultant(data):
    only_g = time_and_tenure(data.team.id, TODAY, consultant_id=data.colleague.id)
    assert only_g["first_start"]["citizens"] == 1 and only_g["first_start"]["median_days"] == 31
    assert only_g["tenure"]["jobs"] == 1 and only_g["tenure"]["running"] == 1


def test_economics_by_hand(data):
    r = economics(data.team.id, TODAY)
    assert r["since"] == date(2025, 3, 3) and r["until"] == TODAY  # 365 days, both ends counted
    # Days inside the 12 months (both ends counted), valued at the default rates:
    a1 = 61 / MONTH * 13_000  # Kontanthjælp, full time
    a2 = 61 / MONTH * 13_000 * 20 / 37  # the same benefit, 20 hours a week
    b = 63 / MONTH * (7_500 - 7_000)  # Uddannelseshjælp replaced by the student grant
    e = 91 / MONTH * 21_000 * 15 / 37 * 0.5  # Sygedagpenge, 15 hours, a flexjob ends half
    g = 365 / MONTH * 0  # no benefit recorded: the "other" rate, 0 by default
    assert r["saving"] == round(a1 + a2 + b + e + g)
    assert r["by_kind"]["kontanthjaelp"]["saving"] == round(a1 + a2)
    assert r["by_kind"]["other"]["months"] == round(365 / MONTH, 1)
    assert r["consultants"] == 2 and r["cost"] == 2 * 550_000
    assert r["served"] == 7 and r["net"] == round(a1 + a2 + b + e - 1_100_000)
    # The municipality's own figures change the answer.
    mine = economics(
        data.team.id, TODAY, DEFAULTS.__class__(rates={**DEFAULTS.rates, "other": 10_000}, consultant_cost_per_year=0)
    )
    assert mine["saving"] == round(a1 + a2 + b + e + 365 / MONTH * 10_000) and mine["cost"] == 0


def test_pages_in_danish(app, client, data):
    login(client, data.coordinator)
    html = client.get("/coordinator/figures/time-and-tenure").get_data(as_text=True)
    assert "Tid til første job eller uddannelse" in html and "<svg" in html
    assert "73,2\u00a0%" in html and "37,5\u00a0%" in html  # Danish decimals and percent
    narrowed = client.get(f"/coordinator/figures/time-and-tenure?consultant={data.colleague.id}")
    assert narrowed.status_code == 200
    csv_text = client.get("/coordinator/figures/time-and-tenure.csv").get_data(as_text=True)
    assert csv_text.startswith("\ufeff") and "1,5" in csv_text
    xlsx = client.get("/coordinator/figures/time-and-tenure.xlsx")
    assert xlsx.status_code == 200 and "forloeb-og-job-2026-03-02.xlsx" in xlsx.headers["Content-Disposition"]
    sheet = client.get("/coordinator/figures/economics.xlsx?rate_other=10000")
    assert sheet.status_code == 200 and "hvad-ips-sparer-2026-03-02.xlsx" in sheet.headers["Content-Disposition"]
    eco_csv = client.get("/coordinator/figures/economics.csv").get_data(as_text=True)
    assert eco_csv.startswith("\ufeffYdelse;") and "Kontanthjælp;13000" in eco_csv
    eco = client.get("/coordinator/figures/economics").get_data(as_text=True)
    assert "Hvad IPS sparer" in eco and "72.000" in eco and "1.100.000" in eco
    # A rate that is no number is an error beside its field; the page still answers with the defaults.
    bad = client.get("/coordinator/figures/economics?rate_kontanthjaelp=%C2%B2&consultant_cost_per_year=-5")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and 'id="rate_kontanthjaelp-error"' in page
    assert 'id="consultant_cost_per_year-error"' in page
    # Only the coordinator sees them.
    other = app.test_client()
    login(other, data.consultant)
    assert other.get("/coordinator/figures/economics").status_code == 404
    assert other.get("/coordinator/figures/time-and-tenure").status_code == 404


def test_the_link_from_the_reports_page(client, data):
    login(client, data.coordinator)
    html = client.get("/coordinator/reports").get_data(as_text=True)
    assert "/coordinator/figures/time-and-tenure" in html and "/coordinator/figures/economics" in html
    assert len(_db.session.scalars(select(IpsCase).where(IpsCase.ips_team_id == data.team.id)).all()) == 7

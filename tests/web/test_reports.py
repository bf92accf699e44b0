"""Outcomes, fidelity and CSV on the demo data, checked against independent queries."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest
from sqlalchemy import select

from ips_coord.demo import seed_demo
from ips_coord.i18n import translate
from ips_coord.models import Contact, FidelityReview, IpsCase, Placement, User
from ips_coord.reports.fidelity import fidelity
from ips_coord.reports.outcomes import quarter_bounds
from tests.conftest import IsolatedClient
from tests.factories import login


@pytest.mark.slow  # seeds the demo (1-2 minutes under load)
def test_reports_equal_an_independent_count(app, db):
    seed_demo(seed=5, citizens=40)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    coordinator = db.session.scalar(select(User).where(User.email.like("koordinator@%")))
    login(client, coordinator, "Demo-ips-2026")
    html = client.get("/coordinator/reports").get_data(as_text=True)
    assert "<svg" in html and "IPS Employment Center" in html and "Subtotal for data-scorede punkter" in html
    assert html.count('<tr><th scope="row">') >= 8 + 12  # 8 quarters and the 12 data-scored fidelity items
    for other in ("/coordinator/reports?metric=grow-2024", "/coordinator/reports?metric=nonsense"):
        assert client.get(other).status_code == 200
    text = client.get("/coordinator/reports/outcomes.csv").get_data(as_text=True)
    assert text.startswith("\ufeffKvartal;")  # Danish headings, semicolons: a Danish spreadsheet opens it as columns
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 8
    # The latest full quarter, recomputed here from the raw rows.
    row = rows[-2]
    q, year = (int(n) for n in re.fullmatch(r"(\d)\. kvt\. (\d{4})", row["Kvartal"]).groups())  # "4. kvt. 2026"
    start, end = quarter_bounds(year, q)
    cases = db.session.scalars(select(IpsCase)).all()
    served = {
        c.id
        for c in cases
        if c.enrolled_at and c.enrolled_at.date() < end and (c.closed_at is None or c.closed_at.date() >= start)
    }
    employed = {
        p.case_id
        for p in db.session.scalars(select(Placement)).all()
        if p.type == "ordinary_job"
        and p.start_date < end
        and (p.end_date is None or p.end_date >= start)
        and p.case_id in served
    }
    assert int(row["Borgere i forløb"]) == len(served) and int(row["I job"]) == len(employed)
    rate = round(100 * len(employed) / len(served), 1)
    assert float(row["Beskæftigelsesgrad (procent)"].replace(",", ".")) == rate
    assert "IPS Employment Center" in row["Definition"] and "_" not in row["Definition"]
    caseload = client.get("/coordinator/caseload.csv").get_data(as_text=True)
    assert caseload.count("\n") == len(cases) + 1
    # Fidelity items, recomputed from the raw rows.
    with app.test_request_context():
        report = fidelity(coordinator.organisation_id, app.extensions["ips_clock"].now())
        items = {i["item"]: i for i in report["items"]}
    placements = db.session.scalars(select(Placement)).all()
    jobs = [p for p in placements if p.type in ("ordinary_job", "flexjob")]
    counselled = sum(1 for p in jobs if p.benefits_counselling_offered)
    assert items[12]["figure"].startswith(f"{counselled} ") and f" {len(jobs)} " in items[12]["figure"]
    competitive = sum(1 for p in placements if p.type in ("ordinary_job", "flexjob", "education"))
    assert items[21]["figure"].startswith(f"{competitive} ") and f" {len(placements)} " in items[21]["figure"]
    locations = [c.location for c in db.session.scalars(select(Contact))]
    share = round(100 * locations.count("community") / len(locations))
    assert items[24]["figure"].startswith(f"{share}%")  # the report's own figure: a msgid and its numbers
    with app.test_request_context():  # the page shows it the Danish way
        assert translate(items[24]["figure"]).startswith(f"{share}\u00a0% af kontakterne")
    loads = Counter(c.consultant_id for c in cases if c.phase not in ("closed", "transitioned"))
    assert f"{max(loads.values())}" in items[1]["figure"]
    # The demo's own history for the figures beside the rates: two past fidelity reviews (fair, then
    # good), and enough jobs and starts for the tenure curve and the savings page.
    reviews = db.session.scalars(select(FidelityReview).order_by(FidelityReview.reviewed_on)).all()
    assert [(r.status, r.level) for r in reviews] == [("final", "fair"), ("final", "good")]
    assert "Fidelitetsgennemgang" in client.get(f"/coordinator/fidelity-reviews/{reviews[-1].id}").get_data(
        as_text=True
    )
    tenure = client.get("/coordinator/figures/time-and-tenure").get_data(as_text=True)
    assert tenure.count("<svg") == 2 and "Stadig i jobbet efter 90 dage" in tenure
    assert "Sparede ydelser" in client.get("/coordinator/figures/economics").get_data(as_text=True)
    assert "har nogen fra deres netværk med" in tenure and not re.search(r">\s*0 af", tenure)
    assert any(c.coordinating_professional_id not in (None, c.consultant_id) for c in cases)
    guides = client.get("/guides").get_data(as_text=True)  # the standard guides, some used in contacts
    assert guides.count("<details") >= 5 and "brugt i 0 kontakter" not in guides.split("</details>")[0]


def test_reports_are_for_coordinators(client, world):
    login(client, world.consultant)
    for url in ("/coordinator/reports", "/coordinator/reports/outcomes.csv", "/coordinator/caseload.csv"):
        assert client.get(url).status_code == 404

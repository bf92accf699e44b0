"""In a real browser: log in as each role, and take a citizen from referral to job start,
job ending, review and resumed search through the pages alone."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD

pytestmark = pytest.mark.slow  # a real browser against a live server


def log_in(page, base, user, password=PASSWORD):
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()


@pytest.mark.parametrize(
    "who,landing,heading",
    [
        ("consultant", "/my-day", "Min dag"),
        ("coordinator", "/coordinator", "Teamets overblik"),
        ("clinician", "/cases", "Mine forløb"),
        ("caseworker", "/jobcenter", "Mine borgere i IPS"),
        ("admin", "/admin/users", "Brugere"),
    ],
)
def test_each_role_lands_on_its_page(page, live_server, world, who, landing, heading):
    world.case_in("employed")
    user = getattr(world, who)
    user.locale = "da"
    from ips_coord.extensions import db

    db.session.commit()
    log_in(page, live_server, user)
    page.wait_for_url(f"{live_server}{landing}")
    assert page.get_by_role("heading", level=1).first.inner_text().startswith(heading)
    screenshot(page, f"start-{who}")


def test_consultant_takes_a_citizen_through_ips_in_the_browser(page, live_server, world, clock):
    log_in(page, live_server, world.consultant)
    page.get_by_role("link", name="Henvis en borger").click()
    page.get_by_label("Fornavn").fill("Alma")
    page.get_by_label("Efternavn").fill("Engtoft")
    page.get_by_label("Kontaktperson i psykiatrien").select_option(label=world.clinician.name)
    page.get_by_role("button", name="Henvis").click()
    page.wait_for_load_state()
    assert "Alma Engtoft" in page.locator("h1").inner_text()
    assert "Henvist" in page.locator(".phase").inner_text()
    case_url = page.url

    def step(label, fill=None):
        # Each next step opens by its link (the page comes back with that step's form, and only it).
        page.locator("#next").get_by_role("link", name=label, exact=True).click()
        page.wait_for_load_state()
        form = page.locator("#next form")
        for name, value in (fill or {}).items():
            field = form.locator(f"[name={name}]")
            if field.get_attribute("type") == "checkbox":
                field.check()
            elif field.evaluate("el => el.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        form.get_by_role("button", name=label).click()
        page.wait_for_load_state()

    step("Optag i IPS")
    assert "Opstart" in page.locator(".phase").inner_text()
    # Zero exclusion, explained in plain words.
    step("Afslut forløbet", {"reason": "missed_appointments"})
    assert "Nul-eksklusion" in page.content()
    page.goto(case_url)
    step("Start jobsøgning")
    assert "Jobsøgning" in page.locator(".phase").inner_text()
    step(
        "Start i job",
        {"employer_name": "Cykelsmeden", "placement_type": "ordinary_job", "benefits_counselling_offered": "y"},
    )
    assert "I job" in page.locator(".phase").inner_text()
    screenshot(page, "case-employed")
    step("Job ophørt", {"end_reason": "dismissed"})
    assert "Job ophørt" in page.locator(".phase").inner_text()
    form = page.locator("#review form")
    form.get_by_label("Hvad virkede", exact=True).fill("Kollegerne")
    form.get_by_label("Hvad virkede ikke").fill("For mange timer")
    form.get_by_label("Justér timer").fill("Start med 12 timer")
    form.get_by_role("button", name="Gem opfølgningsmødet").click()
    page.wait_for_load_state()
    step("Genoptag jobsøgning")
    assert "Jobsøgning" in page.locator(".phase").inner_text()
    screenshot(page, "case-after-review")
    page.goto(f"{live_server}/my-day")
    screenshot(page, "my-day")


def test_coordinator_reports_in_the_browser(page, live_server, db):
    from sqlalchemy import select

    from ips_coord.demo import seed_demo
    from ips_coord.models import User

    seed_demo(seed=9, citizens=30)
    from sqlalchemy import func

    from ips_coord.models import FollowUp, IpsCase

    coordinator = db.session.scalar(select(User).where(User.email.like("koordinator@%")))
    log_in(page, live_server, coordinator, "Demo-ips-2026")
    page.wait_for_url(f"{live_server}/coordinator")
    screenshot(page, "coordinator-overview")
    # The overview's figures equal an independent count of the demo data.
    for consultant in db.session.scalars(
        select(User).where(User.role == "ips_consultant", User.organisation_id == coordinator.organisation_id)
    ):
        active = db.session.scalar(
            select(func.count()).where(
                IpsCase.consultant_id == consultant.id, IpsCase.phase.not_in(["closed", "transitioned"])
            )
        )
        overdue = db.session.scalar(
            select(func.count()).where(
                FollowUp.assignee_id == consultant.id, FollowUp.status == "open", FollowUp.due_at < live_server_now(db)
            )
        )
        cells = page.locator("tr", has_text=consultant.name).locator("td.num").all_inner_texts()
        assert [c.split()[0] for c in cells[:2]] == [str(active), str(overdue)], consultant.name
    page.get_by_role("link", name="Resultater og fidelitet").first.click()
    page.wait_for_load_state()
    assert page.locator("svg").count() == 4  # employment rate, job starts, job-or-education, progress
    screenshot(page, "coordinator-reports")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_server}/coordinator")
    screenshot(page, "coordinator-overview-phone")


def test_national_coordinator_sees_the_country_in_the_browser(page, live_server, db):
    from sqlalchemy import func, select

    from ips_coord.demo import seed_demo
    from ips_coord.models import IpsCase, User

    seed_demo(seed=9, citizens=30)
    national = db.session.scalar(select(User).where(User.email.like("landskoordinator@%")))
    log_in(page, live_server, national, "Demo-ips-2026")
    page.wait_for_url(f"{live_server}/coordinator/country")
    assert page.get_by_role("heading", level=1).inner_text() == "Landsoverblik"
    active = db.session.scalar(select(func.count()).where(IpsCase.phase.not_in(["closed", "transitioned"])))
    footer = page.locator("tfoot tr").locator("td.num").all_inner_texts()
    assert footer[1] == str(active)
    references = db.session.scalars(select(IpsCase).limit(5)).all()
    html = page.content()
    assert not any(c.reference in html for c in references)
    screenshot(page, "country-overview")


def live_server_now(db):
    from flask import current_app

    return current_app.extensions["ips_clock"].now()


def test_privacy_officer_finds_a_case_reads_its_log_and_exports_with_a_reason(page, live_server, world, tmp_path):
    import json

    case = world.case_in("engagement")
    log_in(page, live_server, world.privacy_officer)
    page.wait_for_url(f"{live_server}/privacy")
    assert page.get_by_role("heading", level=1).inner_text() == "Databeskyttelse"
    page.get_by_label("Forløbsnummer").fill(case.reference)
    page.get_by_role("button", name="Søg").click()
    page.wait_for_load_state()
    assert "Hvem har set eller ændret borgerens oplysninger" in page.content()
    page.get_by_role("button", name="Lav udtræk (JSON)").click()  # no reason: told next to the field
    page.wait_for_load_state()
    assert page.locator(".has-error").count() == 1
    page.get_by_label("Årsag til udtrækket (gemmes i adgangsloggen)").fill("Borgerens anmodning om indsigt")
    with page.expect_download() as download:
        page.get_by_role("button", name="Lav udtræk (JSON)").click()
    target = tmp_path / "export.json"
    download.value.save_as(target)
    assert json.loads(target.read_text())["cases"][0]["reference"] == case.reference
    screenshot(page, "privacy-officer")

"""The jobcenter's workspace in a real browser, at phone and desktop width: the caseworker's
citizens with job, hours and benefit, a decision recorded on the case page (and a wrong one
shown back with what was typed), and the consultant's change of hours that reaches the list."""

from __future__ import annotations

import pytest

from ips_coord.services import activities as act
from tests.e2e.conftest import reaching_past, screenshot
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.slow  # a real browser against a live server


def no_sideways_scroll(page) -> bool:
    """Nothing visible reaches past the screen's edge (the table heads a phone hides are clipped)."""
    wide = reaching_past(page, skip="thead")
    assert not wide, wide
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [390, 1366])
def test_caseworker_sees_job_hours_benefit_and_records_a_decision(page, live_server, world, db, width):
    page.set_viewport_size({"width": width, "height": 900})
    employed = world.step(
        world.case_in("job_search"),
        "start_job",
        employer_name="Bageriet Nord",
        job_title="Bagermedhjælper",
        hours_per_week=18,
        benefits_counselling_offered=True,
    )
    act.record_consent(
        employed,
        world.consultant,
        from_party="ips_team",
        to_party="jobcenter",
        categories=["employment_progress"],
        purpose="Ydelse og job",
        given_at=employed.referred_at.date(),
        expires_at=None,
    )
    act.record_benefit_fact(employed, world.caseworker, benefit="Sygedagpenge", kind="benefit")
    world.case_in("engagement")  # no consent to tell the jobcenter of employment

    log_in(page, live_server, world.caseworker)
    page.wait_for_url(f"{live_server}/jobcenter")
    assert page.locator("h1").inner_text().startswith("Mine borgere i IPS")
    row = page.locator("tr", has_text=employed.reference)
    assert "Bageriet Nord" in row.inner_text() and "18" in row.inner_text() and "Sygedagpenge" in row.inner_text()
    assert page.get_by_text("Intet samtykke").count() == 1
    assert no_sideways_scroll(page)
    screenshot(page, f"jobcenter-workspace-{width}")

    # A decision on the case page: a wrong number is shown back with what was typed.
    row.get_by_role("link", name=employed.reference).click()
    page.wait_for_load_state()
    page.locator("a.opener", has_text="Registrér en ydelse eller afgørelse").click()  # the section opens on demand
    page.wait_for_load_state()
    form = page.locator("#decision form")
    form.get_by_label("Slags afgørelse").select_option("mentor_hours")
    form.get_by_label("Afgørelse eller ydelse").fill("Mentor bevilget")
    form.get_by_label("Timer om ugen").fill("120")
    form.get_by_role("button", name="Gem afgørelse").click()
    page.wait_for_load_state()
    assert page.locator("#decision form").get_by_label("Afgørelse eller ydelse").input_value() == "Mentor bevilget"
    assert page.locator("#decision .error").count() >= 1
    page.locator("#decision form").get_by_label("Timer om ugen").fill("4")
    page.locator("#decision form").get_by_role("button", name="Gem afgørelse").click()
    page.wait_for_load_state()
    decisions = page.locator("#decisions")
    assert "Bevilgede mentortimer" in decisions.inner_text() and "Mentor bevilget" in decisions.inner_text()
    assert "4 timer om ugen" in decisions.inner_text()
    assert no_sideways_scroll(page)
    screenshot(page, f"jobcenter-decision-{width}")

    # The consultant changes the hours: the workspace shows the new hours.
    context = page.context.browser.new_context(viewport={"width": width, "height": 900})
    consultant = context.new_page()
    log_in(consultant, live_server, world.consultant)
    consultant.wait_for_url(f"{live_server}/my-day")
    consultant.goto(f"{live_server}/cases/{employed.id}")
    consultant.locator("a.opener", has_text="Ændr timer eller løn").click()
    consultant.wait_for_load_state()
    consultant.get_by_label("Nye timer om ugen").fill("25")
    consultant.get_by_role("button", name="Gem de nye vilkår").click()
    consultant.wait_for_load_state()
    assert "Tilbyd ydelsesvejledning" in consultant.content()
    assert "Ydelsesvejledning efter ændrede timer eller løn" in consultant.content()  # the new follow-up
    context.close()
    page.goto(f"{live_server}/jobcenter")
    assert "25" in page.locator("tr", has_text=employed.reference).inner_text()

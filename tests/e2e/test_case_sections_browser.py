"""The case page's sections in Chromium, with JavaScript and without, on a phone and a desktop:
a closed section's form is not in the page until it is opened; its link reloads the page with
the form there and scrolled into view; a save that fails comes back open, with the message next to
the field, the focus on it and what was typed shown back; a save that works returns to the section."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.slow  # a real browser against a live server


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)], ids=["phone", "desktop"])
def test_a_section_opens_on_demand_and_keeps_what_was_typed(browser, live_server, world, javascript, width, height):
    case = world.case_in("job_search")
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, locale="da-DK", java_script_enabled=javascript
    )
    page = ctx.new_page()
    try:
        log_in(page, live_server, world.consultant)
        page.wait_for_url(f"{live_server}/my-day")
        page.goto(f"{live_server}/cases/{case.id}")
        section = page.locator("section#contact")
        # Closed: the section offers its link, and no form of it is in the page (none built, none sent).
        assert section.locator("form").count() == 0
        assert page.locator(f'form[action="/cases/{case.id}/contacts"]').count() == 0
        section.locator("a.opener").click()
        page.wait_for_url(f"{live_server}/cases/{case.id}?open=contact#contact")
        form = section.locator(f'form[action="/cases/{case.id}/contacts"]')
        assert form.is_visible()
        top = page.evaluate("document.querySelector('#contact').getBoundingClientRect().top")
        assert -2 <= top < height / 2, top  # scrolled there (sub-pixel rounding aside)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width  # nothing wider than the screen

        # A failed save: the section is open again, the message by the field, the focus on it, the note kept.
        when = form.locator("[name=occurred_at]").input_value()  # now, filled in
        assert when
        form.locator("[name=occurred_at]").fill("")
        form.locator("[name=note]").fill("Samtale om rengøringsjob")
        form.get_by_role("button", name="Gem kontakt").click()
        page.wait_for_load_state()
        form = page.locator(f'section#contact form[action="/cases/{case.id}/contacts"]')
        assert form.is_visible()
        assert form.locator("#occurred_at-error").is_visible()
        assert page.evaluate("document.activeElement && document.activeElement.name") == "occurred_at"
        assert form.locator("[name=note]").input_value() == "Samtale om rengøringsjob"

        # A save that works: back at the section, closed again, its message there.
        form.locator("[name=occurred_at]").fill(when)
        form.get_by_role("button", name="Gem kontakt").click()
        page.wait_for_url(f"{live_server}/cases/{case.id}#contact")
        assert page.locator("section#contact .flash").is_visible()
        assert page.locator("section#contact form").count() == 0
        assert "Samtale om rengøringsjob" in page.locator("#contacts").inner_text()
    finally:
        ctx.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("width,height", [(390, 844), (1280, 900)], ids=["phone", "desktop"])
def test_a_next_step_opens_by_its_link_and_a_refused_one_comes_back_open(
    browser, live_server, world, javascript, width, height
):
    from ips_coord.services import employers as emp

    case = world.case_in("job_search")
    emp.create_employer(world.consultant, {"name": "Lageret A/S"})
    ctx = browser.new_context(
        viewport={"width": width, "height": height}, locale="da-DK", java_script_enabled=javascript
    )
    page = ctx.new_page()
    try:
        log_in(page, live_server, world.consultant)
        page.wait_for_url(f"{live_server}/my-day")
        page.goto(f"{live_server}/cases/{case.id}")
        # The first screen: the allowed steps as links, no step's form in the page.
        assert page.locator(f'form[action="/cases/{case.id}/transition"]').count() == 0
        page.locator("#next").get_by_role("link", name="Start i job", exact=True).click()
        page.wait_for_url(f"{live_server}/cases/{case.id}?open=next-start_job#next-start_job")
        form = page.locator(f'#next-start_job form[action="/cases/{case.id}/transition"]')
        assert form.is_visible() and page.locator("#next form").count() == 1
        top = page.evaluate("document.querySelector('#next-start_job').getBoundingClientRect().top")
        assert -2 <= top < height / 2, top  # scrolled there
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width
        # The address names the step: the keyboard goes on from there, to its first field.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement && document.activeElement.name") == "employer_name"
        name = form.locator("[name=employer_name]")
        if javascript:  # the register's suggestions come as one types, in the opened form
            name.press_sequentially("lager", delay=30)
            page.locator("#employer-names option").first.wait_for(state="attached")
            assert page.locator("#employer-names option").first.get_attribute("value") == "Lageret A/S"
        name.fill("Lageret A/S")
        form.locator("[name=job_title]").fill("Lagermedarbejder")
        form.locator("[name=hours_per_week]").fill("900")
        form.get_by_role("button", name="Start i job").click()
        page.wait_for_load_state()
        # Refused: back with that step open, the message by the field, the focus on it, the typed shown back.
        form = page.locator(f'#next-start_job form[action="/cases/{case.id}/transition"]')
        assert form.is_visible()
        assert form.locator("#hours_per_week-error").is_visible()
        assert page.evaluate("document.activeElement && document.activeElement.name") == "hours_per_week"
        assert form.locator("[name=employer_name]").input_value() == "Lageret A/S"
        assert form.locator("[name=job_title]").input_value() == "Lagermedarbejder"
        form.locator("[name=hours_per_week]").fill("20")
        form.get_by_role("button", name="Start i job").click()
        page.wait_for_load_state()
        assert "I job" in page.locator(".phase").inner_text()
    finally:
        ctx.close()

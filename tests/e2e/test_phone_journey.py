"""The consultant's whole journey on a phone (390x844), pages only: refer a citizen, enrol, log
contacts, log an employer contact for her (the searchable "for citizen" field), find her again
with the header search, start a job, end it and hold the job-ending review. Every control used
is visible inside the screen when it is used, and no page scrolls sideways."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.slow

PHONE = {"width": 390, "height": 844}


def test_the_whole_consultant_journey_on_a_phone(browser, live_server, world, db):
    world.consultant.locale = "da"
    db.session.commit()
    context = browser.new_context(viewport=PHONE, locale="da-DK", has_touch=True, is_mobile=True)
    page = context.new_page()
    used: list[str] = []

    def ok(locator, what):
        """The control is there to be used: visible, inside the screen's width, 44 px tall."""
        locator.scroll_into_view_if_needed()
        assert locator.is_visible(), what
        box = locator.bounding_box()
        assert box and box["x"] >= -1 and box["x"] + box["width"] <= PHONE["width"] + 1, (what, box)
        used.append(what)
        return locator

    def flat():
        assert page.evaluate("() => document.scrollingElement.scrollWidth") <= PHONE["width"], page.url

    def tap(locator, what):
        ok(locator, what).click()
        page.wait_for_load_state()
        flat()

    def step(label, fill=None):
        tap(page.locator("#next").get_by_role("link", name=label, exact=True), f"open {label}")
        form = page.locator("#next form")
        for name, value in (fill or {}).items():
            field = ok(form.locator(f"[name={name}]"), name)
            if field.get_attribute("type") == "checkbox":
                field.check()
            elif field.evaluate("el => el.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        tap(form.get_by_role("button", name=label), label)

    try:
        log_in(page, live_server, world.consultant)
        page.wait_for_url(f"{live_server}/my-day")
        flat()
        # Refer, from the menu (folded behind one button on a phone).
        tap(page.locator("details.menu > summary"), "menu")
        tap(page.get_by_role("link", name="Henvis en borger"), "refer link")
        ok(page.get_by_label("Fornavn"), "first name").fill("Alma")
        ok(page.get_by_label("Efternavn"), "last name").fill("Engtoft")
        ok(page.get_by_label("Telefon"), "phone").fill("+45 20 30 40 50")
        ok(page.get_by_label("Kontaktperson i psykiatrien"), "clinician").select_option(label=world.clinician.name)
        tap(page.get_by_role("button", name="Henvis"), "refer")
        assert "Alma Engtoft" in page.locator("h1").inner_text()
        ok(page.locator('a[href="tel:+4520304050"]'), "call her")
        case_url = page.url
        screenshot(page, "journey-phone-referred")
        # Enrol, then log a contact.
        step("Optag i IPS")
        assert "Opstart" in page.locator(".phase").inner_text()
        tap(page.locator("nav.jump").get_by_role("link", name="Registrér kontakt"), "open the contact form")
        form = page.locator("#contact form")
        ok(form.locator("[name=note]"), "contact note").fill("Første samtale på caféen")
        tap(form.get_by_role("button", name="Gem kontakt"), "save contact")
        assert "Første samtale på caféen" in page.content()
        step("Start jobsøgning")
        assert "Jobsøgning" in page.locator(".phase").inner_text()
        # An employer contact for her, from the header; the citizen found by typing her name.
        tap(page.locator("details.menu > summary"), "menu")
        tap(page.locator("details.menu").get_by_role("link", name="Arbejdsgiverkontakt"), "employer contact link")
        ok(page.get_by_label("Arbejdsgiver", exact=True), "employer").fill("Cykelsmeden")
        ok(page.get_by_label("For borger (valgfrit)"), "for citizen").fill("engtoft")
        ok(page.get_by_label("Udfald"), "outcome").fill("De mangler en mekaniker")
        tap(page.get_by_role("button", name="Gem", exact=True), "save employer contact")
        assert page.url.endswith("/my-day")
        # Find her again with the header search.
        ok(page.get_by_label("Find en borger"), "search box").fill("Engtoft")
        tap(page.locator("form.header-search").get_by_role("button", name="Søg"), "search")
        assert page.url == case_url and "Cykelsmeden" in page.content()  # one hit: the case itself
        # A job, its ending and the review.
        step(
            "Start i job",
            {"employer_name": "Cykelsmeden", "placement_type": "ordinary_job", "benefits_counselling_offered": "y"},
        )
        assert "I job" in page.locator(".phase").inner_text()
        step("Job ophørt", {"end_reason": "dismissed"})
        form = page.locator("#review form")
        ok(form.get_by_label("Hvad virkede", exact=True), "what worked").fill("Kollegerne")
        ok(form.get_by_label("Hvad virkede ikke"), "what did not").fill("For mange timer")
        ok(form.get_by_label("Justér timer"), "adjust hours").fill("Start med 12 timer")
        tap(form.get_by_role("button", name="Gem opfølgningsmødet"), "save review")
        assert "Start med 12 timer" in page.content()
        screenshot(page, "journey-phone-reviewed")
    finally:
        context.close()
    assert len(used) >= 25

"""In a real browser, at phone width and on a desktop: the coordinator's queue of
unassigned referrals and assigning one; the referrer's inbox with its unread count in the menu,
read and unread; the case page saying what was not sent for lack of consent."""

from __future__ import annotations

import pytest

from ips_coord.services import activities as act
from tests.e2e.conftest import reaching_past, screenshot
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.slow  # a real browser against a live server


def fits(page, selector: str = "main") -> bool:
    """Nothing in `selector` reaches past the window, and the page does not scroll sideways."""
    wide = reaching_past(page, selector, skip="thead")
    assert not wide, wide
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_out(page):
    menu = page.locator("details.menu > summary")
    if menu.is_visible():  # on a phone the menu is folded behind one button
        menu.click()
    page.get_by_role("button", name="Log ud", exact=True).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width", [1280, 390])
def test_queue_assignment_and_inbox(page, live_server, world, db, width):
    page.set_viewport_size({"width": width, "height": 900})
    world.clinician.locale = "da"  # this test reads every page in Danish
    db.session.commit()
    case = act.create_referral(
        {"first_name": "Naja", "last_name": "Henvist", "birth_year": 1992},
        world.clinician,
        psychiatry_contact_id=world.clinician.id,
        ips_team_id=world.team.id,
    )

    # The coordinator's queue: the referral, who sent it, and a consultant to choose.
    log_in(page, live_server, world.coordinator)
    page.wait_for_url(f"{live_server}/coordinator")
    queue = page.locator("#queue")
    assert "Ufordelte henvisninger (1)" in queue.inner_text()
    assert case.reference in queue.inner_text() and world.clinician.name in queue.inner_text()
    assert fits(page, "#queue")
    screenshot(page, f"referral-queue-{width}")
    # Each consultant's caseload stands beside the name.
    assert f"{world.consultant.name} (" in queue.get_by_label("IPS-konsulent").inner_text()
    queue.get_by_label("IPS-konsulent").select_option(value=str(world.consultant.id))
    queue.get_by_role("button", name="Fordel").click()
    page.wait_for_load_state()
    assert f"{case.reference} er fordelt til {world.consultant.name}" in page.content()
    assert "Ufordelte henvisninger (0)" in page.locator("#queue").inner_text()
    log_out(page)

    # The referrer's menu counts the unread item; the inbox says who took the case.
    log_in(page, live_server, world.clinician)
    page.wait_for_url(f"{live_server}/cases")
    menu = page.locator("details.menu > summary")
    if menu.is_visible():  # a phone: the count shows on the folded menu's button
        assert menu.locator(".badge").inner_text() == "1"
        menu.click()
    link = page.get_by_role("link", name="Indbakke")
    assert link.locator(".badge").inner_text() == "1"
    link.click()
    page.wait_for_url(f"{live_server}/inbox")
    item = page.locator(".inbox-item").first
    assert f"Fordelt til {world.consultant.name}" in item.inner_text() and "Ny" in item.inner_text()
    assert fits(page)
    screenshot(page, f"inbox-{width}")
    item.get_by_role("button", name="Markér som læst").click()
    page.wait_for_url(f"{live_server}/inbox")
    assert page.locator(".inbox-item.unread").count() == 0
    assert page.locator("header .badge").count() == 0
    log_out(page)

    # The consultant enrols without the psychiatry consent: the page says what was not sent, and where to fix it.
    log_in(page, live_server, world.consultant)
    page.wait_for_url(f"{live_server}/my-day")
    page.goto(f"{live_server}/cases/{case.id}")
    assert "Første kontakt med borgeren (inden 7 dage)" in page.content()
    page.locator("#next").get_by_role("link", name="Optag i IPS").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Optag i IPS", exact=True).click()
    page.wait_for_load_state()
    withheld = page.locator("#withheld")
    assert "Ikke sendt, fordi samtykket mangler" in withheld.inner_text()
    withheld.get_by_role("link", name="Registrér samtykket").click()
    assert page.url.endswith("#consent")
    assert fits(page)
    screenshot(page, f"consent-missing-{width}")

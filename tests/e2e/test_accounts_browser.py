"""Accounts and administration in Chromium: the forgotten-password journey on a
phone, the admin's pages at phone and desktop size, the calendar feed as a calendar program
reads it, and the case page printed as a meeting summary."""

from __future__ import annotations

import pytest

from ips_coord.extensions import db as _db
from ips_coord.models import ApiToken, User
from tests.e2e.conftest import ARTIFACTS, fits_the_screen, screenshot
from tests.e2e.test_browser import log_in
from tests.factories import token_for
from tests.web.test_citizen_view import mailbox_body

pytestmark = pytest.mark.slow  # a real browser against a live server

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
NEW = "Fresh-harbour-2026"


def test_forgotten_password_on_a_phone(browser, live_server, app, world):
    ctx = browser.new_context(viewport=PHONE, locale="da-DK")
    page = ctx.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Glemt adgangskode?").click()
    page.wait_for_url(f"{live_server}/password/forgot")
    page.get_by_label("E-mail").fill(world.consultant.email)
    page.get_by_role("button", name="Send mig et link").click()
    page.wait_for_url(f"{live_server}/login")  # (the flash may go to the favicon's 404 page: not checked here)
    body = mailbox_body(app, world.consultant.email, containing="/password/reset#")
    link = body.split("http://testserver", 1)[1].split()[0]
    assert link.startswith("/password/reset#")
    page.goto(live_server + link)
    assert page.evaluate("location.hash") == ""  # moved into the form and off the address bar
    assert fits_the_screen(page)
    page.get_by_label("Ny adgangskode", exact=True).fill(NEW)
    page.get_by_label("Ny adgangskode igen").fill(NEW)
    screenshot(page, "password-reset-phone")
    page.get_by_role("button", name="Gem den nye adgangskode").click()
    page.wait_for_url(f"{live_server}/login")
    log_in(page, live_server, world.consultant, NEW)
    page.wait_for_url(f"{live_server}/my-day")
    # The same link a second time is refused, in words.
    page.goto(live_server + link)
    page.get_by_label("Ny adgangskode", exact=True).fill(NEW + "x")
    page.get_by_label("Ny adgangskode igen").fill(NEW + "x")
    page.get_by_role("button", name="Gem den nye adgangskode").click()
    assert "Linket er udløbet eller brugt" in page.content()
    ctx.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_admin_manages_users_and_tokens_in_the_browser(browser, live_server, world, size):
    token_for(world.consultant)
    ctx = browser.new_context(viewport=PHONE if size == "phone" else DESKTOP, locale="da-DK")
    page = ctx.new_page()
    log_in(page, live_server, world.admin)
    page.wait_for_url(f"{live_server}/admin/users")
    page.get_by_label("Navn", exact=True).fill("Nikolaj Ny")
    page.get_by_label("E-mail", exact=True).fill(f"nikolaj-{size}@example.test")
    page.get_by_label("Rolle").select_option(label="Sagsbehandler")
    page.get_by_label("Organisation").select_option(label="Jobcenter")
    page.get_by_role("button", name="Opret brugeren").click()
    assert "Nikolaj Ny er oprettet" in page.content()
    assert fits_the_screen(page)
    screenshot(page, f"admin-users-{size}")
    page.get_by_role("link", name="Nikolaj Ny").click()
    page.get_by_label("Aktiv (må logge ind)").uncheck()
    page.get_by_role("button", name="Gem", exact=True).click()
    assert "Gemt: Nikolaj Ny." in page.content()
    _db.session.expire_all()
    assert _db.session.query(User).filter_by(email=f"nikolaj-{size}@example.test").one().active is False
    page.get_by_role("link", name="API-nøgler").click()
    page.get_by_role("button", name="Tilbagekald test").click()
    assert "er tilbagekaldt" in page.content()
    assert _db.session.query(ApiToken).one().revoked_at is not None
    assert fits_the_screen(page)
    screenshot(page, f"admin-tokens-{size}")
    ctx.close()


def test_the_calendar_feed_and_the_printed_case_page(browser, live_server, world):
    case = world.case_in("job_search")
    ctx = browser.new_context(viewport=DESKTOP, locale="da-DK")
    page = ctx.new_page()
    log_in(page, live_server, world.consultant)
    page.wait_for_url(f"{live_server}/my-day")
    page.get_by_role("link", name="Min konto").click()
    page.get_by_role("button", name="Lav min kalenderadresse").click()
    address = page.get_by_label("Din kalenderadresse (vises kun nu)").input_value()
    feed = page.request.get(address.replace("http://testserver", live_server))
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert case.reference in feed.text() and "BEGIN:VEVENT" in feed.text()

    # Printed for a meeting: what is recorded, none of the buttons, forms or navigation.
    page.goto(f"{live_server}/cases/{case.id}")
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()
    assert page.locator("main form").evaluate_all("forms => forms.every(f => f.offsetParent === null)")
    assert page.locator("main button").evaluate_all("bs => bs.every(b => b.offsetParent === null)")
    assert page.locator("#citizen").is_visible() and page.locator(".print-note").is_visible()
    assert "Fortroligt" in page.locator(".print-note").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "case-page-print.pdf"), format="A4")
    assert pdf[:4] == b"%PDF"
    page.emulate_media(media="screen")
    assert page.locator("header.top").is_visible() and page.locator(".print-note").is_hidden()
    ctx.close()

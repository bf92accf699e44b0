"""In Chromium: the citizen adds a person to their network on a phone (390 px) and decides what
they may know; the coordinator records a fidelity review at desktop width (1366 px), with the
reviewers' scores, an error beside its field, the final level and the action plan."""

from __future__ import annotations

import pytest

from ips_coord.extensions import db
from ips_coord.models import FidelityReview, NetworkPerson
from ips_coord.services import network as network_svc
from tests.e2e.conftest import fits_the_screen, screenshot
from tests.e2e.test_browser import log_in
from tests.web.test_citizen_view import citizen_case, mailbox_code

pytestmark = pytest.mark.slow  # a real browser against a live server


def test_the_citizen_adds_a_network_person_on_a_phone(browser, live_server, app, world):
    case = citizen_case(world, first="Nanna", email_addr="nanna@borger.example")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="da-DK")
    page = phone.new_page()
    page.goto(f"{live_server}/citizen/login")
    page.get_by_label("Din e-mailadresse").fill("nanna@borger.example")
    page.get_by_role("button", name="Send mig en kode").click()
    page.wait_for_url(f"{live_server}/citizen/login/code")
    page.get_by_label("Koden fra e-mailen").fill(mailbox_code(app, "nanna@borger.example"))
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{live_server}/citizen/cases/{case.id}")
    page.get_by_role("link", name="Dit netværk: hvem du vil have med, og hvad de må vide").click()
    page.wait_for_url(f"{live_server}/citizen/cases/{case.id}/network")
    # A phone number too short: the error stands beside the field, what was typed stays.
    page.get_by_label("Navn").fill("Mor Skovhave")
    page.get_by_label("Relation").select_option("relative")
    page.get_by_label("Telefon").fill("1234")
    page.get_by_label("Støtte til møder").check()
    page.locator("#new-meetings").check()
    page.get_by_role("button", name="Tilføj", exact=True).click()
    assert "Et telefonnummer har mindst 8 cifre." in page.locator("#phone-error").inner_text()
    assert page.get_by_label("Navn").input_value() == "Mor Skovhave"
    assert page.evaluate("document.activeElement.id") == "phone"
    page.get_by_label("Telefon").fill("22 33 44 55")
    page.get_by_role("button", name="Tilføj", exact=True).click()
    page.wait_for_url(f"{live_server}/citizen/cases/{case.id}/network#network")
    person = db.session.scalar(db.select(NetworkPerson))
    assert person.name == "Mor Skovhave" and person.roles == ["meetings"] and person.added_by == "citizen"
    assert network_svc.live_categories(person) == {"meetings"}
    assert fits_the_screen(page)
    screenshot(page, "citizen-network-390")
    # The citizen takes back what the person may know; the next read knows it.
    page.locator(f"#c{person.id}-meetings").uncheck()
    page.get_by_role("button", name="Gem hvad Mor Skovhave må vide").click()
    page.wait_for_load_state()
    db.session.expire_all()
    assert network_svc.live_categories(db.session.get(NetworkPerson, person.id)) == set()
    assert "Intet endnu: intet deles med Mor Skovhave." in page.content()
    phone.close()


def test_the_coordinator_records_a_fidelity_review_at_desktop_width(browser, live_server, app, world):
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="da-DK")
    page = desk.new_page()
    log_in(page, live_server, world.coordinator)
    page.wait_for_load_state()
    page.goto(f"{live_server}/coordinator/fidelity-reviews")
    page.get_by_label("Gennemgangens dato").fill("2026-03-01")
    page.get_by_label("Bedømmere, én pr. linje (eksterne bedømmere behøver ingen konto)").fill("Ane Ekstern\nBo Intern")
    page.get_by_role("button", name="Start gennemgangen").click()
    page.wait_for_url(f"{live_server}/coordinator/fidelity-reviews/*")
    for n in range(1, 26):
        page.locator(f"#score_{n}").select_option("4" if n != 17 else "2")
    page.locator("#evidence_17").fill("To besøg om ugen i snit")
    page.get_by_role("button", name="Gem og gør endelig").click()
    page.wait_for_load_state()
    review = db.session.scalar(db.select(FidelityReview))
    db.session.refresh(review)
    assert (review.total, review.level) == (98, "fair")
    assert "Rimelig fidelitet (74-99)" in page.content() and "01.09.2026" in page.content()
    # The action plan: an owner must be chosen; the error is beside the field.
    page.locator("#action_item").select_option("17")
    page.get_by_label("Handling", exact=True).fill("Seks virksomhedsbesøg om ugen")
    page.get_by_label("Frist").fill("2026-05-01")
    page.get_by_role("button", name="Tilføj handlingen").click()
    assert page.locator("#owner_id-error").is_visible()
    assert page.get_by_label("Handling", exact=True).input_value() == "Seks virksomhedsbesøg om ugen"
    page.locator("#owner_id").select_option(str(world.consultant.id))
    page.get_by_role("button", name="Tilføj handlingen").click()
    page.wait_for_load_state()
    assert "Seks virksomhedsbesøg om ugen" in page.locator("section[aria-labelledby=actions]").inner_text()
    assert fits_the_screen(page)
    screenshot(page, "coordinator-fidelity-review-1366")
    page.goto(f"{live_server}/coordinator/fidelity-reviews?item=17")
    assert page.locator("svg").count() == 2
    desk.close()

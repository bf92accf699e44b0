"""In a real browser, at desktop and at phone width: the employer register with search-as-you-type,
an employer contact with purpose and next step, this week's list, an opening, the matching for a
case with its reasons in words, a suggestion and its outcome, and moving a follow-up."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ips_coord.models import FollowUp
from ips_coord.services import activities as act
from tests.e2e.conftest import reaching_past, screenshot
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.slow  # a real browser against a live server


def no_sideways_scroll(page) -> bool:
    wide = reaching_past(page)
    assert not wide, wide
    texts = page.evaluate("""(() => { const out = [];
        const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (w.nextNode()) { const r = document.createRange(); r.selectNodeContents(w.currentNode);
          const b = r.getBoundingClientRect();
          if (b.right > window.innerWidth + 1) out.push(w.currentNode.textContent.slice(0, 40)); }
        return [document.documentElement.scrollWidth, window.innerWidth, out]; })()""")
    assert texts[0] <= texts[1], texts
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 390])
def test_register_contact_opening_matching_and_move(page, live_server, world, db, width):
    page.set_viewport_size({"width": width, "height": 900})
    case = world.case_in("job_search")
    act.save_profile(
        case, world.consultant, {"job_preferences": "Lager om formiddagen, 20 timer", "disclosure": "full"}
    )
    log_in(page, live_server, world.consultant)
    page.wait_for_url(f"{live_server}/my-day")

    # The register: add an employer; a second one with the same name in capitals is refused.
    page.goto(f"{live_server}/employers")
    page.get_by_label("Navn").fill("Lageret A/S")
    page.get_by_label("CVR-nummer").fill("10150817")
    page.get_by_label("Kommune").fill("Nordby")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Lageret A/S"
    page.goto(f"{live_server}/employers")
    page.get_by_label("Navn").fill("LAGERET A/S")
    page.get_by_role("button", name="Gem").click()
    assert "allerede i registret" in page.content()
    assert no_sideways_scroll(page)

    # An opening, learned from the employer.
    page.goto(f"{live_server}/employers")
    page.get_by_role("link", name="Lageret A/S").click()
    page.wait_for_load_state()
    screenshot(page, f"employer-{width}")
    page.locator("summary", has_text="Tilføj en stilling").click()
    form = page.locator("details[open] form")
    form.get_by_label("Stilling", exact=True).fill("Lagermedarbejder")
    form.get_by_label("Timer om ugen").fill("20")
    form.get_by_label("Hvad arbejdsgiveren efterspørger").fill("Formiddage")
    form.get_by_role("button", name="Gem").click()
    page.wait_for_load_state()
    assert "Lagermedarbejder" in page.locator("h1").inner_text()
    assert case.reference in page.content()  # the job seekers it may suit
    screenshot(page, f"opening-{width}")

    # An employer contact: the name comes from the register as you type.
    page.goto(f"{live_server}/employer-contacts/new")
    name = page.get_by_label("Arbejdsgiver", exact=True)
    name.press_sequentially("lager", delay=30)
    page.locator("#employer-names option").first.wait_for(state="attached")
    assert page.locator("#employer-names option").first.get_attribute("value") == "Lageret A/S"
    name.fill("Lageret A/S")
    page.get_by_label("Formål").select_option("learn_needs")
    page.get_by_label("Udfald").fill("De mangler folk om formiddagen")
    page.get_by_label("Næste skridt", exact=True).fill("Send CV")
    page.get_by_label("Næste skridt senest").fill("2026-03-06")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_url(f"{live_server}/my-day")
    page.get_by_role("link", name="Se dem").click()
    assert "Lageret A/S" in page.content() and "Send CV" in page.content()
    assert no_sideways_scroll(page)
    screenshot(page, f"employer-week-{width}")

    # Matching for the case: reasons in words, a suggestion and what came of it.
    page.goto(f"{live_server}/cases/{case.id}")
    page.get_by_role("link", name="Stillinger der kan passe").click()
    assert "ønsker formiddagen, lager; timer 20" in page.content()
    page.get_by_role("button", name="Notér at jeg har foreslået den").click()
    page.wait_for_load_state()
    page.get_by_label("Hvad kom der ud af det").select_option("applied")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_load_state()
    assert page.get_by_label("Hvad kom der ud af det").input_value() == "applied"
    assert page.get_by_role("button", name="Gem").is_visible() and no_sideways_scroll(page)
    screenshot(page, f"matches-{width}")

    # Move a follow-up and hand it to a colleague; the history keeps the reason.
    fu = db.session.scalar(
        select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.status == "open").order_by(FollowUp.id)
    )
    page.goto(f"{live_server}/cases/{case.id}")
    page.locator(f"a[href='/follow-ups/{fu.id}/move']").click()
    page.get_by_label("Ny dato").fill("2026-04-10")
    page.get_by_label("Overdrag til en kollega").select_option(label=world.colleague.name)
    page.get_by_label("Hvorfor").fill("Borgeren er på ferie")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_load_state()
    page.goto(f"{live_server}/follow-ups/{fu.id}/move")
    assert "Borgeren er på ferie" in page.content() and no_sideways_scroll(page)
    screenshot(page, f"follow-up-moved-{width}")

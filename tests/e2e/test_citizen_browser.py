"""The citizen's view in a real browser at phone size: a citizen signs in with a code read from the local
mailbox, edits their goals, rates their progress, withdraws a consent (the consultant's next
read lacks what it covered) and downloads their data; another citizen's case is 404; a
consultant and a clinician see the plan and the citizen's own words."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ips_coord.clock import utcnow
from ips_coord.extensions import db
from ips_coord.models import Citizen, IpsCase, SharedHealthInfo
from ips_coord.services import activities as act
from ips_coord.services import plan as plan_svc
from tests.e2e.conftest import fits_the_screen, reaching_past, screenshot
from tests.e2e.test_browser import log_in
from tests.web.test_citizen_view import mailbox_code

pytestmark = pytest.mark.slow  # a real browser against a live server

SHARED = "Går en tur når uroen kommer (e2e)"
PHONE = {"width": 390, "height": 844}


def _case(world, first, address):
    case = world.referral(first=first, last="Skovhave")
    case = world.step(case, "enrol")
    db.session.get(Citizen, case.citizen_id).email = address
    db.session.commit()
    today = utcnow().date()
    act.record_consent(
        db.session.get(IpsCase, case.id),
        world.consultant,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["coping_strategies"],
        purpose="Koordinering af forløbet",
        given_at=today,
        expires_at=None,
    )
    act.record_consent(
        db.session.get(IpsCase, case.id),
        world.consultant,
        from_party="ips_team",
        to_party="psychiatry",
        categories=["employment_progress"],
        purpose="Orientering om job",
        given_at=today,
        expires_at=None,
    )
    return db.session.get(IpsCase, case.id)


# What sticks out on the right (outside a sideways-scrolling table), to name it when the check fails.


def _no_sideways_scroll(page):
    assert fits_the_screen(page), reaching_past(page, skip=".scroll")[:4]


def test_citizen_in_the_browser_on_a_phone(browser, live_server, app, world):
    case = _case(world, "Nanna", "nanna@borger.example")
    other = _case(world, "Palle", "palle@borger.example")
    db.session.add(
        SharedHealthInfo(
            case_id=case.id,
            category="coping_strategies",
            text=SHARED,
            author_id=world.clinician.id,
            created_at=utcnow(),
        )
    )
    db.session.commit()
    plan_svc.add_action(
        db.session.get(IpsCase, case.id),
        text="Besøge dyreinternatet",
        owner="citizen",
        due_date=utcnow().date(),
        actor=world.consultant,
    )

    # The consultant reads what psychiatry shared, under the consent.
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    desk = staff.new_page()
    log_in(desk, live_server, world.consultant)
    desk.wait_for_load_state()
    desk.goto(f"{live_server}/cases/{case.id}")
    assert SHARED in desk.content()

    phone = browser.new_context(viewport=PHONE, locale="da-DK", accept_downloads=True)
    page = phone.new_page()
    page.goto(f"{live_server}/citizen/login")
    _no_sideways_scroll(page)
    page.get_by_label("Din e-mailadresse").fill("nanna@borger.example")
    page.get_by_role("button", name="Send mig en kode").click()
    page.wait_for_url(f"{live_server}/citizen/login/code")
    page.get_by_label("Koden fra e-mailen").fill(mailbox_code(app, "nanna@borger.example"))
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{live_server}/citizen/cases/{case.id}")
    assert page.get_by_role("heading", level=1).inner_text() == "Hej Nanna"
    assert "Besøge dyreinternatet" in page.locator("#next").inner_text()
    _no_sideways_scroll(page)
    screenshot(page, "citizen-phone-start")

    # Goals in the citizen's own words.
    page.locator("#goals summary", has_text="Ændr mine mål").click()
    page.get_by_label("Mine mål, med mine egne ord").fill("Jeg vil arbejde med dyr, 15 timer om ugen")
    page.get_by_role("button", name="Gem mine mål").click()
    page.wait_for_load_state()
    assert "Jeg vil arbejde med dyr, 15 timer om ugen" in page.locator("#goals blockquote").inner_text()
    assert "Skrevet af dig" in page.locator("#goals").inner_text()

    # Progress, rated by the citizen: the first rating is due from enrolment, so the view asks for it.
    assert "Det er tid til at vurdere" in page.locator("#rating-due").inner_text()
    assert page.locator("#progress details").get_attribute("open") is not None
    for label, value in (
        ("Mit ønske om at arbejde", "8"),
        ("Mit helbred og min trivsel", "5"),
        ("Struktur i min hverdag", "4"),
        ("Venner, familie og andre mennesker", "6"),
        ("Økonomi og tryghed", "3"),
        ("Tro på egne evner", "5"),
    ):
        page.get_by_role("group", name=label).get_by_text(value, exact=True).click()  # 1-10 as buttons
    page.get_by_role("button", name="Gem min vurdering").click()
    page.wait_for_load_state()
    assert page.locator("#progress svg").count() == 1 and page.locator("#rating-due").count() == 0
    _no_sideways_scroll(page)

    # Withdraw the consent that lets psychiatry share with the IPS team (with confirmation).
    item = page.locator("li.consent", has_text="Dit behandlingssted må fortælle din IPS-konsulent om")
    item.locator("summary", has_text="Træk tilbage").click()
    item.get_by_role("button", name="Tilbagekald samtykket").click()  # not confirmed yet
    page.wait_for_load_state()
    item = page.locator("li.consent", has_text="Dit behandlingssted må fortælle din IPS-konsulent om")
    assert item.locator(".error").count() == 1
    item.get_by_label(re.compile("Ja, jeg vil trække dette samtykke tilbage")).check()
    item.get_by_role("button", name="Tilbagekald samtykket").click()
    page.wait_for_load_state()
    withdrawn = page.locator("li.consent", has_text="Dit behandlingssted må fortælle din IPS-konsulent om")
    assert "Du trak det tilbage" in withdrawn.inner_text() and "Hvis du vil give det igen" in withdrawn.inner_text()
    screenshot(page, "citizen-phone-after-withdrawal")

    # The consultant's next read lacks what the consent covered.
    desk.goto(f"{live_server}/cases/{case.id}")
    assert SHARED not in desk.content()
    assert "Jeg vil arbejde med dyr, 15 timer om ugen" in desk.locator("#plan").inner_text()
    assert "Skrevet af borgeren" in desk.locator("#plan").inner_text()

    # Download all my data.
    with page.expect_download() as download:
        page.get_by_role("link", name="Hent alle mine data").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    [mine] = data["cases"]
    assert mine["plan_goals"][-1]["text"] == "Jeg vil arbejde med dyr, 15 timer om ugen"
    assert mine["progress_ratings"][0]["rater"] == "citizen"
    assert "remote_addr" not in json.dumps(data) and "request_id" not in json.dumps(data)

    # The same as a document to read and print on the phone: Danish headings, people by role.
    page.goto(f"{live_server}/citizen/cases/{case.id}")
    page.get_by_role("link", name="Se og udskriv alle mine data").click()
    page.wait_for_url(f"{live_server}/citizen/my-data")
    assert page.get_by_role("heading", level=1).inner_text() == "Alle mine data"
    assert page.get_by_role("heading", name=re.compile("Dine samtykker")).count() == 1
    assert "IPS-konsulent" in page.locator("main").inner_text()
    _no_sideways_scroll(page)
    screenshot(page, "citizen-phone-my-data")

    # Another citizen's case does not exist for this citizen.
    response = page.goto(f"{live_server}/citizen/cases/{other.id}")
    assert response.status == 404

    # The clinician (employment progress shared with psychiatry) sees the plan and the citizen's words.
    clinician_ctx = browser.new_context(viewport=PHONE, locale="da-DK")
    clin = clinician_ctx.new_page()
    log_in(clin, live_server, world.clinician)
    clin.wait_for_load_state()
    clin.goto(f"{live_server}/cases/{case.id}")
    plan_text = clin.locator("#plan").inner_text()
    assert "Jeg vil arbejde med dyr, 15 timer om ugen" in plan_text and "Besøge dyreinternatet" in plan_text
    _no_sideways_scroll(clin)
    screenshot(clin, "clinician-plan-phone")
    for ctx in (phone, staff, clinician_ctx):
        ctx.close()

"""The three most frequent tasks of a consultant's phone day, in Chromium at 390x844, counted:
every tap (a link, a button, a field) and every pixel the user has to scroll. Each task takes at
most 4 taps and at most one screen of scrolling; the counts and the pages' heights are printed
(run with -s to read them). Screenshots of Min dag and the case page go to test-artifacts/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.e2e.conftest import screenshot
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.slow  # a real browser against a live server

PHONE = {"width": 390, "height": 844}
MAX_TAPS = 4


class Meter:
    """Counts the taps of one task and the scrolling it needs to reach each control."""

    def __init__(self, page, name):
        self.page, self.name, self.taps, self.scrolled = page, name, 0, 0

    def _reach(self, locator):
        before = self.page.evaluate("() => window.scrollY")
        locator.scroll_into_view_if_needed()
        self.scrolled += abs(self.page.evaluate("() => window.scrollY") - before)
        box = locator.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"] + 1, (self.name, box)

    def tap(self, locator, navigates=True):
        self._reach(locator)
        self.taps += 1
        locator.click()
        if navigates:
            self.page.wait_for_load_state()

    def type_into(self, locator, text):
        self._reach(locator)
        self.taps += 1  # focusing the field is a tap
        locator.click()
        locator.fill(text)

    def report(self):
        print(f"\nphone task '{self.name}': {self.taps} taps, {self.scrolled} px scrolled")
        assert self.taps <= MAX_TAPS, (self.name, self.taps)
        assert self.scrolled <= PHONE["height"], (self.name, self.scrolled)
        return self.taps, self.scrolled


def _height(page) -> int:
    return page.evaluate("() => document.scrollingElement.scrollHeight")


@pytest.fixture
def day(world, clock, db):
    """A consultant's caseload with a long tail of overdue measurements and one contact due today."""
    from ips_coord.models import FollowUp
    from ips_coord.workflows.phases import FollowUpKind

    world.consultant.locale = "da"
    db.session.commit()
    for _ in range(4):
        world.case_in("employed")
        world.case_in("job_search")
    alma = world.referral(first="Alma", last="Engtoft")
    alma = world.step(alma, "enrol")
    alma = world.step(alma, "start_search")
    bo = world.referral(first="Bo", last="Bergholt")
    bo = world.step(bo, "enrol")
    clock.advance(days=120)  # progress ratings and contacts fall due, and far overdue
    now = clock.now()
    db.session.add(
        FollowUp(
            case_id=alma.id,
            kind=FollowUpKind.WEEKLY_CONTACT,
            due_at=now + timedelta(minutes=5),
            assignee_id=world.consultant.id,
            created_at=now - timedelta(days=7),
        )
    )
    db.session.commit()
    return {"alma": alma, "bo": bo}


def test_the_three_phone_tasks_in_four_taps(browser, live_server, world, day, db):
    from ips_coord.models import Contact, EmployerContact

    context = browser.new_context(viewport=PHONE, locale="da-DK", has_touch=True, is_mobile=True)
    page = context.new_page()
    counts = {}
    try:
        log_in(page, live_server, world.consultant)
        page.wait_for_url(f"{live_server}/my-day")
        # The header is one compact bar; the first thing to do is on the first screen.
        header = page.locator("header.top").bounding_box()
        first = page.locator("li.task").first.bounding_box()
        print(
            f"\nheader height at 390 px: {header['height']:.0f} px; first card at y={first['y']:.0f}; "
            f"Min dag height: {_height(page)} px"
        )
        assert header["height"] <= 80 and first["y"] + first["height"] <= PHONE["height"]
        # Today's contact comes first, before what is overdue.
        assert "Engtoft" in page.locator("li.task").first.inner_text()
        screenshot(page, "phone-my-day")

        # 1. Log a due contact, with a note, from Min dag.
        task = Meter(page, "due contact with a note")
        card = page.locator("li.task", has_text="Engtoft").first
        task.type_into(card.get_by_label("Note (valgfri)"), "Talte om praktikken")
        task.tap(card.get_by_role("button", name="Kontakt taget"))
        counts[task.name] = task.report()
        assert "Kontakten med" in page.locator(".flash").first.inner_text()
        assert db.session.scalar(select(Contact.note).where(Contact.case_id == day["alma"].id)) == "Talte om praktikken"

        # 2. Log a contact with a citizen found by search (one hit opens the case).
        page.goto(f"{live_server}/my-day")
        task = Meter(page, "contact found by search")
        task.type_into(page.get_by_label("Find en borger"), "Bergholt")
        task.tap(page.locator("form.header-search").get_by_role("button", name="Søg"))
        assert page.url.endswith(f"/cases/{day['bo'].id}")
        print(f"case page height at 390 px: {_height(page)} px")
        screenshot(page, "phone-case")
        task.tap(page.locator("nav.jump").get_by_role("link", name="Registrér kontakt"))
        task.tap(page.locator("#contact").get_by_role("button", name="Gem kontakt"))
        counts[task.name] = task.report()
        assert "Kontakten er gemt" in page.locator("#contact").inner_text()  # the message is in the section
        assert db.session.scalar(select(Contact.id).where(Contact.case_id == day["bo"].id)) is not None

        # 3. An employer visit for a citizen.
        page.goto(f"{live_server}/my-day")
        task = Meter(page, "employer visit for a citizen")
        task.tap(page.locator(".quick-actions").get_by_role("link", name="Arbejdsgiverkontakt"))
        task.type_into(page.get_by_label("Arbejdsgiver", exact=True), "Cykelsmeden")
        task.type_into(page.get_by_label("For borger (valgfrit)"), "Engtoft")
        task.tap(page.get_by_role("button", name="Gem", exact=True))
        counts[task.name] = task.report()
        assert page.url.endswith("/my-day")
        row = db.session.scalar(select(EmployerContact).where(EmployerContact.case_id == day["alma"].id))
        assert row is not None and row.face_to_face and row.employer_name == "Cykelsmeden"
    finally:
        context.close()
    assert len(counts) == 3


def test_the_case_page_opens_a_section_and_lands_on_errors(browser, live_server, world, day, db):
    """Without JavaScript: a section opens by its link, a failed save comes back at the field
    with focus on it, a good one at the section with its message."""
    context = browser.new_context(viewport=PHONE, locale="da-DK", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, live_server, world.consultant)
        page.wait_for_load_state()
        case = world.case_in("employed")
        page.goto(f"{live_server}/cases/{case.id}")
        assert page.locator("#supports-form form").count() == 0  # closed: not rendered
        page.locator("a.opener", has_text="Ændr støtten").click()
        page.wait_for_load_state()
        form = page.locator("#supports-form form")
        form.get_by_label("Mentortimer om ugen").fill("99")
        form.get_by_role("button", name="Gem støtten").click()
        page.wait_for_load_state()
        field = page.get_by_label("Mentortimer om ugen")
        assert page.evaluate("() => document.activeElement && document.activeElement.name") == "mentor_hours"
        box = field.bounding_box()
        assert 0 <= box["y"] <= PHONE["height"], box  # on the screen, not 4,700 px away
        assert page.locator("#supports-form .error").count() == 1
        field.fill("4")
        page.locator("#supports-form").get_by_role("button", name="Gem støtten").click()
        page.wait_for_load_state()
        assert page.url.endswith("#supports")
        message = page.locator("#plan .flash", has_text="Gemt")
        assert message.count() == 1 and 0 <= message.bounding_box()["y"] <= PHONE["height"]
    finally:
        context.close()

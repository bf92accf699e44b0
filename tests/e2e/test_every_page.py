"""Every main page of every role, in Danish, on a small phone (360x740), a phone (390x844) and a
desktop (1366x900):
no sideways scroll, every button and field inside the screen and big enough for a thumb,
no internal code or untranslated catalogue string in the text, and axe-core (the
axe-playwright-python package, which ships axe.min.js) finds nothing critical or serious.
Screenshots of each page at both sizes go to test-artifacts/ (gitignored)."""

from __future__ import annotations

import pathlib
import re
from datetime import timedelta

import pytest
from babel.messages.pofile import read_po

from tests.e2e.conftest import screenshot
from tests.e2e.test_browser import log_in

pytestmark = pytest.mark.slow  # a real browser against a live server

SIZES = {
    "small-phone": {"width": 360, "height": 740},
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1366, "height": 900},
}
PO = pathlib.Path(__file__).parents[2] / "ips_coord" / "translations" / "da" / "LC_MESSAGES" / "messages.po"
# Words that are the same or accepted in Danish, so their English msgid may appear on a Danish page.
SAME_IN_DANISH = {"IPS", "API", "E-mail", "Mentor", "Definition", "Video", "Status", "Admin", "ips-coord"}
# A code the user should never see: two or more lower-case words joined by underscores.
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def english_sentences() -> list[str]:
    """Catalogue strings whose Danish differs: finding the English on a Danish page means it was not
    translated. Only whole phrases of two words or more without placeholders, so a shared word does
    not count."""
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="da")
    out = []
    for m in catalog:
        if not m.id or isinstance(m.id, tuple) or "%" in m.id or m.string == m.id or m.id in SAME_IN_DANISH:
            continue
        if len(m.id.split()) >= 2 and len(m.id) >= 12:
            out.append(m.id)
    return [*out, "This field is required.", "Number must be between"]


@pytest.fixture
def rich_world(world, clock, db):
    """Cases in several phases with every kind of record, so every table and form is on the pages."""
    from ips_coord.services import activities as act
    from ips_coord.workflows.phases import ConsentCategory, Party

    for u in (
        world.consultant,
        world.coordinator,
        world.clinician,
        world.caseworker,
        world.admin,
        world.privacy_officer,
    ):
        u.locale = "da"
    db.session.commit()
    ended = world.case_in("job_ended", clock)
    world.consent_employment_to_psychiatry(ended)
    act.record_consent(
        ended,
        world.consultant,
        from_party=Party.PSYCHIATRY,
        to_party=Party.IPS_TEAM,
        categories=[ConsentCategory.COPING_STRATEGIES, ConsentCategory.STRENGTHS],
        purpose="Støtte i jobbet",
        given_at=clock.now().date(),
        expires_at=None,
    )
    now = clock.now()
    act.record_review(
        ended,
        world.consultant,
        held_at=now - timedelta(hours=1),
        what_worked="Kollegerne",
        what_did_not="For mange timer",
        adjustments={"hours": "Start med 12 timer"},
        clinician_present=True,
    )
    act.log_employer_contact(
        world.consultant,
        employer_name="Cykelsmeden",
        occurred_at=now - timedelta(hours=2),
        location="community",
        face_to_face=True,
        case=ended,
        note="Mangler en mekaniker",
    )
    act.log_contact(
        ended,
        world.consultant,
        kind="contact",
        occurred_at=now - timedelta(hours=3),
        location="phone",
        note="Aftalte møde",
    )
    employed = world.case_in("employed")
    search = world.case_in("job_search")
    world.case_in("referred")
    from ips_coord.models import Organisation
    from ips_coord.workflows.phases import OrgKind, Role
    from tests.factories import user

    national = Organisation(name="Nationalt IPS-støtteteam", kind=OrgKind.NATIONAL)
    db.session.add(national)
    db.session.flush()
    world.national = user("national@example.test", Role.COORDINATOR, national, "Nina National")
    # The sectors at work: an admission, a jobcenter decision and a treatment-team meeting on the pages.
    from ips_coord.services.treatment import record_admission, record_team_meeting

    record_admission(search.id, world.clinician, admitted_on=clock.now().date(), reason="Akut forværring")
    act.record_benefit_fact(employed, world.caseworker, benefit="Sygedagpenge", kind="benefit")
    act.record_benefit_fact(employed, world.caseworker, benefit="Mentor", kind="mentor_hours", hours=4)
    record_team_meeting(
        world.consultant, held_on=clock.now().date(), attended=True, clinicians_present=2, cases_discussed=6
    )
    clock.advance(days=20)  # follow-ups fall due and overdue: the Min dag table fills
    db.session.commit()
    from tests.factories import token_for

    token_for(world.consultant)  # the admin's token list has a row
    return {"ended": ended, "employed": employed, "search": search}


def pages_for(world, cases) -> dict[str, list[tuple[str, str]]]:
    ended, employed, search = cases["ended"].id, cases["employed"].id, cases["search"].id
    return {
        "consultant": [
            ("my-day", "/my-day"),
            ("cases", "/cases"),
            ("case-ended", f"/cases/{ended}"),
            ("case-employed", f"/cases/{employed}"),
            ("referral", "/cases/new"),
            ("employer-contact", "/employer-contacts/new"),
            ("not-found", "/cases/999999"),
            ("account", "/account"),
            ("team-cases", "/cases?scope=team"),
            ("search", "/search"),
            ("inbox", "/inbox"),
            ("treatment-team", "/treatment-team"),
            ("case-admitted", f"/cases/{search}"),
            # The sections that open on demand, opened: every form measured.
            (
                "case-ended-open",
                f"/cases/{ended}?open=contact&open=review&open=profile&open=step"
                "&open=consent&open=withdraw&open=plan&open=interventions&open=rating"
                "&open=next-resume_search&open=next-close",
            ),
            (
                "case-employed-open",
                f"/cases/{employed}?open=supports&open=terms&open=contact&open=next-end_job&open=next-pause",
            ),
        ],
        "coordinator": [
            ("overview", "/coordinator"),
            ("reports", "/coordinator/reports"),
            ("reports-consultant", f"/coordinator/reports?consultant={world.consultant.id}"),
            ("consultant-cases", f"/cases?consultant={world.consultant.id}"),
            ("notifications", "/coordinator/notifications"),
            ("cases", "/cases"),
            ("case", f"/cases/{ended}"),
            ("access-log", f"/cases/{ended}/access-log"),
        ],
        "clinician": [
            ("cases", "/cases"),
            ("case", f"/cases/{ended}"),
            ("case-open", f"/cases/{ended}?open=shared"),
            ("referral", "/cases/new"),
            ("inbox", "/inbox"),
            ("treatment", f"/cases/{search}/treatment"),
            ("treatment-new", f"/cases/{ended}/treatment"),
        ],
        "caseworker": [
            ("cases", "/cases"),
            ("case", f"/cases/{ended}"),
            ("workspace", "/jobcenter"),
            ("case-employed", f"/cases/{employed}"),
            ("case-employed-open", f"/cases/{employed}?open=decision"),
        ],
        "admin": [
            ("cases", "/cases"),
            ("users", "/admin/users"),
            ("user", f"/admin/users/{world.consultant.id}"),
            ("organisations", "/admin/organisations"),
            ("tokens", "/admin/tokens"),
            ("account", "/account"),
            ("integrations", "/admin/integrations"),
        ],
        "privacy_officer": [("privacy", f"/privacy?q={cases['ended'].reference}")],
        "national": [("country", "/coordinator/country")],
    }


CHECK_LAYOUT = """() => {
  const width = window.innerWidth;
  const problems = [];
  const scrolled = document.scrollingElement.scrollWidth;
  if (scrolled > width) problems.push('scrolls sideways: ' + scrolled);
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
      && !el.closest('details:not([open]) > :not(summary)'); };
  for (const el of document.querySelectorAll('button, select, input:not([type=hidden]), textarea, summary, nav a')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    const name = (el.innerText || el.name || el.id || el.tagName).trim().slice(0, 40);
    if (r.left < -1 || r.right > width + 1) problems.push('outside the screen: ' + name);
    const isBox = el.type === 'checkbox' || el.type === 'radio';
    const target = isBox ? el.closest('label') || (el.labels && el.labels[0]) || el : el;
    const h = target.getBoundingClientRect().height;
    if (h < 43.5 && el.tagName !== 'TEXTAREA') problems.push('tap target ' + Math.round(h) + 'px: ' + name);
  }
  // Chart text (inline SVG, scaled to its box) at least 12 px on the screen.
  for (const t of document.querySelectorAll('svg text')) {
    const px = parseFloat(getComputedStyle(t).fontSize) * t.ownerSVGElement.getScreenCTM().a;
    if (px < 11.95) problems.push('chart text ' + px.toFixed(1) + 'px: ' + t.textContent.slice(0, 20));
  }
  return problems;
}"""


def check_page(page, label: str, english: list[str]) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    problems = [f"{label}: {p}" for p in page.evaluate(CHECK_LAYOUT)]
    text = page.locator("body").inner_text()
    # What is shown as <code> is a machine identifier on purpose (a token's first letters, a
    # request id, an address): the user copies it as it is, so it is not an untranslated code.
    machine = page.locator("code").all_inner_texts()
    words = text
    for shown in machine:
        words = words.replace(shown, " ")
    problems += [f"{label}: code on the page: {m}" for m in sorted(set(SNAKE.findall(words)))]
    problems += [f"{label}: English left: {s!r}" for s in english if s in text]
    results = Axe().run(page)
    for v in results.response["violations"]:
        if v["impact"] in ("critical", "serious") or v["id"] in ("empty-table-header", "scrollable-region-focusable"):
            targets = [n["target"] for n in v["nodes"]][:3]
            problems.append(f"{label}: axe {v['impact']} {v['id']}: {v['help']} {targets}")
    return problems


@pytest.mark.parametrize(
    "who", ["consultant", "coordinator", "clinician", "caseworker", "admin", "privacy_officer", "national"]
)
def test_every_page_in_danish_on_phone_and_desktop(browser, live_server, world, rich_world, who):
    english = english_sentences()
    user = getattr(world, who)
    problems: list[str] = []
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, locale="da-DK")
        page = context.new_page()
        try:
            log_in(page, live_server, user)
            page.wait_for_load_state()
            for name, path in pages_for(world, rich_world)[who]:
                page.goto(f"{live_server}{path}")
                page.wait_for_load_state()
                # Open every closed form so its fields are measured too.
                page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
                problems += check_page(page, f"{who}/{name}/{size}", english)
                screenshot(page, f"page-{who}-{name}-{size}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def test_login_page_on_a_phone(browser, live_server, world):
    english = english_sentences()
    problems: list[str] = []
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, locale="da-DK")
        page = context.new_page()
        try:
            page.goto(f"{live_server}/login")
            problems += check_page(page, f"login/{size}", english)
            page.get_by_role("button", name="Log ind").click()  # empty: the Danish messages
            page.wait_for_load_state()
            assert "Feltet skal udfyldes." in page.content()
            problems += check_page(page, f"login-errors/{size}", english)
            screenshot(page, f"page-login-{size}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", ["/password/forgot", "/password/reset"])
def test_password_pages_on_phone_and_desktop(browser, live_server, world, path):
    """The forgotten-password pages, empty and with their messages, at both sizes."""
    english = english_sentences()
    problems: list[str] = []
    name = path.rsplit("/", 1)[1]
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, locale="da-DK")
        page = context.new_page()
        try:
            page.goto(f"{live_server}{path}")
            problems += check_page(page, f"{name}/{size}", english)
            page.locator("button[type=submit].primary").click()  # empty: the Danish messages
            page.wait_for_load_state()
            assert "Feltet skal udfyldes." in page.content()
            problems += check_page(page, f"{name}-errors/{size}", english)
            screenshot(page, f"page-password-{name}-{size}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)

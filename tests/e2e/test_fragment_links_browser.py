"""The e-mailed links whose secret rides after "#", in Chromium: psychiatry's one-click
acknowledgement and the citizen's invitation work from the link as it arrives in the e-mail,
and the token leaves the address bar (static/fragment_token.js)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import IpsCase, Notification
from tests.conftest import IsolatedClient
from tests.factories import login
from tests.web.test_citizen_view import citizen_case
from tests.web.test_no_secret_in_a_path import _links, _mail_to

pytestmark = pytest.mark.slow  # a real browser against a live server


def test_acknowledge_and_invitation_links_in_the_browser(browser, live_server, app, world):
    case = citizen_case(world)
    client = IsolatedClient(app)
    login(client, world.consultant)
    assert client.post(f"/cases/{case.id}/plan/invite").status_code == 302
    invitation = next(u for u in _links(_mail_to(app, "sara@borger.example")) if "/citizen/invitation#" in u)
    _db.session.expire_all()
    case = _db.session.get(IpsCase, case.id)
    world.step(
        world.step(
            world.step(case, "start_search"), "start_job", employer_name="Bageriet", benefits_counselling_offered=True
        ),
        "end_job",
        end_reason="dismissed",
    )
    ack = next(u for u in _links(_mail_to(app, world.clinician.email)) if "/ack#" in u)

    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="da-DK")
    page = ctx.new_page()
    page.goto(live_server + ack.removeprefix("http://testserver"))
    page.get_by_role("button", name="Kvittér").wait_for()  # the page asked what the link is for
    assert case.reference in page.content() and "#" not in page.url
    page.get_by_role("button", name="Kvittér").click()
    page.get_by_text("er registreret").wait_for()
    row = _db.session.scalar(select(Notification).where(Notification.requires_ack, Notification.case_id == case.id))
    _db.session.refresh(row)
    assert row.acknowledged_at is not None

    page.goto(live_server + invitation.removeprefix("http://testserver"))
    assert page.evaluate("location.hash") == ""  # moved into the form and off the address bar
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url(f"{live_server}/citizen/cases/{case.id}")
    assert "Hej Sara" in page.content()
    ctx.close()

"""The pages speak Danish in their text: no ISO date, no English code in the history."""

from __future__ import annotations

import re

from sqlalchemy import select

from ips_coord.models import Notification
from ips_coord.services import plan as plan_svc
from ips_coord.services.notifications import acknowledge
from tests.factories import login

ISO = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def visible_text(html: str) -> str:
    """The page's text without its tags (so without attribute values such as datetime="" or value="")."""
    html = re.sub(r"<(script|style|datalist)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_the_history_and_dates_are_danish(client, world, db, clock):
    case = world.case_in("job_ended", clock)
    row = db.session.scalar(
        select(Notification).where(Notification.case_id == case.id, Notification.requires_ack.is_(True))
    )
    assert acknowledge(row)
    plan_svc.add_action(
        case, text="Ring til bageren", owner="ips_team", due_date=clock.now().date(), actor=world.consultant
    )
    plan_svc.start_intervention(case, world.consultant, name="CTI", start_date=clock.now().date())
    db.session.commit()
    login(client, world.consultant)
    for path in (f"/cases/{case.id}", f"/cases/{case.id}?open=plan", "/my-day", "/employer-contacts/week"):
        text = visible_text(client.get(path).get_data(as_text=True))
        assert ISO.findall(text) == [], path
    text = visible_text(client.get(f"/cases/{case.id}").get_data(as_text=True))
    assert "job ended" not in text and "Kvitteret (Job ophørt)" in " ".join(text.split())
    assert clock.now().strftime("%d.%m.%Y") in text

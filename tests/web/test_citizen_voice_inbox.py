"""The citizen's voice reaches the consultant: a note and a withdrawn consent arrive in the inbox
once, unread, with a link to where the case shows them and a way to answer; Min dag shows the
count. A repeated kind on the same case (two shares in a row) gathers in one unread item, and one
event is told once however often it is told."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ips_coord.extensions import db as _db
from ips_coord.models import Consent, InboxItem, IpsCase
from ips_coord.services import activities as act
from ips_coord.services import inbox as inbox_svc
from ips_coord.workflows.phases import InboxKind
from tests.factories import login
from tests.web.test_citizen_view import citizen_case, citizen_client, sign_in  # noqa: F401 - fixtures, used by name


def _items(user, case, kind=None):
    _db.session.expire_all()
    q = select(InboxItem).where(InboxItem.user_id == user.id, InboxItem.case_id == case.id)
    if kind:
        q = q.where(InboxItem.kind == kind)
    return _db.session.scalars(q).all()


def test_citizens_note_and_withdrawal_reach_the_consultants_inbox_once_unread_and_answerable(
    app,
    world,
    client,
    citizen_client,  # noqa: F811 - the imported fixture
):
    case = citizen_case(world)
    sign_in(app, citizen_client, "sara@borger.example")
    assert citizen_client.post(f"/citizen/cases/{case.id}/note", data={"text": "Mine arbejdstider"}).status_code == 302
    consent = _db.session.scalar(select(Consent).where(Consent.case_id == case.id, Consent.from_party == "psychiatry"))
    assert (
        citizen_client.post(
            f"/citizen/cases/{case.id}/consents/{consent.id}/withdraw", data={f"w{consent.id}-confirm": "y"}
        ).status_code
        == 302
    )
    notes = _items(world.consultant, case, "citizen_note")
    withdrawn = _items(world.consultant, case, "consent_withdrawn")
    assert len(notes) == 1 and len(withdrawn) == 1
    assert notes[0].read_at is None and withdrawn[0].read_at is None
    # The note's words stay on the case page, never in the inbox item.
    assert "Mine arbejdstider" not in str(notes[0].data)
    # The clinician on the case learns of the withdrawal too (a party to it).
    assert len(_items(world.clinician, case, "consent_withdrawn")) == 1
    login(client, world.consultant)
    day = client.get("/my-day").get_data(as_text=True)
    unread = _db.session.scalar(
        select(func.count(InboxItem.id)).where(InboxItem.user_id == world.consultant.id, InboxItem.read_at.is_(None))
    )
    assert unread >= 2 and f"Nyt i din indbakke: {unread}" in day
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Besked fra borgeren" in inbox and "efter borgerens ønske" in inbox
    assert f'href="/cases/{case.id}#citizen-notes"' in inbox and f'href="/cases/{case.id}#consents"' in inbox
    assert f'href="/cases/{case.id}#contact"' in inbox  # the reply path: a contact with the citizen
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="citizen-notes"' in page and "Mine arbejdstider" in page and 'id="contact"' in page
    # A second note while the first is unread: one item, counted, still unread.
    assert citizen_client.post(f"/citizen/cases/{case.id}/note", data={"text": "Og ferie"}).status_code == 302
    notes = _items(world.consultant, case, "citizen_note")
    assert len(notes) == 1 and notes[0].data["count"] == 2 and notes[0].read_at is None
    assert re.search(r"Besked fra borgeren</strong> \(2\)", client.get("/inbox").get_data(as_text=True))
    # Read it; the next note arrives as a new unread item.
    assert client.post(f"/inbox/{notes[0].id}/read").status_code == 302
    assert citizen_client.post(f"/citizen/cases/{case.id}/note", data={"text": "Tak"}).status_code == 302
    assert [i.read_at is None for i in _items(world.consultant, case, "citizen_note")].count(True) == 1


def test_shared_with_you_arrives_once_per_event_and_gathers_while_unread(world, clock):
    case = world.case_in("engagement")
    act.record_consent(
        case,
        world.clinician,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["strengths", "warning_signs"],
        purpose="Koordinering",
        given_at=clock.now().date(),
        expires_at=None,
    )
    first = act.share_health_info(
        _db.session.get(IpsCase, case.id), world.clinician, category="strengths", text="Vedholdende"
    )
    act.share_health_info(
        _db.session.get(IpsCase, case.id), world.clinician, category="warning_signs", text="Trækker sig"
    )
    items = _items(world.consultant, case, "shared_with_you")
    assert len(items) == 1 and items[0].data["count"] == 2
    # The same event told again (a retried task, a second path): nothing new.
    inbox_svc.tell(
        [world.consultant.id],
        InboxKind.SHARED_WITH_YOU,
        clock.now(),
        case=_db.session.get(IpsCase, case.id),
        source=f"shared_health_info:{first.id}",
    )
    _db.session.commit()
    assert (
        _db.session.scalar(
            select(func.count(InboxItem.id)).where(
                InboxItem.user_id == world.consultant.id, InboxItem.kind == "shared_with_you"
            )
        )
        == 1
    )
    assert _items(world.consultant, case, "shared_with_you")[0].data["count"] == 2

"""The coordinating professional across the sectors (tovholder), PostgreSQL and SQLite: chosen at
enrolment, changed with a reason and a history, told in the inbox, given the plan actions no
professional owns and the overdue ones, and shown to every party and to the citizen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.extensions import db as _db
from ips_coord.models import CaseEvent, FollowUp, InboxItem, IpsCase, Notification
from ips_coord.notifications.sweep import escalate_due
from ips_coord.services import ServiceError
from ips_coord.services import coordination as svc
from ips_coord.services import plan as plan_svc
from ips_coord.services.errors import Forbidden
from tests.factories import login


def test_named_at_enrolment_and_changed_with_a_reason(db, world, clock):
    case = world.case_in("engagement")
    assert case.coordinating_professional_id == world.consultant.id  # the consultant until someone else
    chosen = world.step(world.referral(), "enrol", coordinating_professional_id=world.caseworker.id)
    assert chosen.coordinating_professional_id == world.caseworker.id  # chosen at enrolment
    with pytest.raises(ServiceError) as outsider:
        world.step(world.referral(), "enrol", coordinating_professional_id=world.outsider.id)
    assert outsider.value.field == "coordinating_professional_id"
    version = case.version
    with pytest.raises(ServiceError) as no_reason:
        svc.name_coordinating_professional(case, world.consultant, world.clinician.id, "")
    assert no_reason.value.field == "reason"
    with pytest.raises(Forbidden):
        svc.name_coordinating_professional(case, world.colleague, world.clinician.id, "Behandleren ser hende oftest")
    svc.name_coordinating_professional(case, world.consultant, world.clinician.id, "Behandleren ser hende oftest")
    case = db.session.get(IpsCase, case.id)
    assert case.coordinating_professional_id == world.clinician.id and case.version == version + 1
    event = db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.event == "coordinating_professional_named")
    )
    assert event.data == {"from": world.consultant.id, "to": world.clinician.id}
    assert event.reason == "Behandleren ser hende oftest" and event.actor_id == world.consultant.id
    assert (
        db.session.scalar(
            select(InboxItem).where(InboxItem.user_id == world.clinician.id, InboxItem.case_id == case.id)
        )
        is not None
    )
    # The team's coordinator may change it back.
    svc.name_coordinating_professional(case, world.coordinator, world.consultant.id, "Tilbage til konsulenten")


def test_unowned_and_overdue_plan_actions_reach_the_coordinating_professional(db, world, clock):
    case = world.case_in("job_search")
    svc.name_coordinating_professional(case, world.consultant, world.caseworker.id, "Jobcentret koordinerer")
    case = db.session.get(IpsCase, case.id)
    mine = plan_svc.add_action(
        case,
        text="Ring til værkstedet",
        owner="citizen",
        due_date=clock.now().date() + timedelta(days=5),
        actor=world.consultant,
    )
    fu = db.session.get(FollowUp, mine.follow_up_id)
    assert fu.assignee_id == world.caseworker.id  # no professional owns it: the coordinating professional
    told = db.session.scalars(
        select(InboxItem).where(
            InboxItem.user_id == world.caseworker.id, InboxItem.kind == "message", InboxItem.case_id == case.id
        )
    ).all()
    assert any("tovholder" in (i.data.get("text") or "") for i in told)  # ... and hears of it in the inbox
    theirs = plan_svc.add_action(
        case,
        text="Samtale om medicin",
        owner="psychiatry",
        due_date=clock.now().date() + timedelta(days=5),
        actor=world.consultant,
    )
    assert db.session.get(FollowUp, theirs.follow_up_id).assignee_id == world.clinician.id
    clock.advance(days=20)  # past the escalation of both
    assert escalate_due(clock.now(), 100) >= 2
    told = {
        (n.recipient_id, n.kind)
        for n in db.session.scalars(
            select(Notification).where(Notification.case_id == case.id, Notification.kind == "escalation")
        )
    }
    assert (world.caseworker.id, "escalation") in told and (world.coordinator.id, "escalation") in told
    inbox = db.session.scalars(
        select(InboxItem).where(InboxItem.user_id == world.caseworker.id, InboxItem.kind == "escalation")
    ).all()
    assert len(inbox) == 2  # both overdue actions, the clinician's included


def test_every_party_sees_who_and_the_citizen_who_to_ask(app, client, db, world):
    case = world.case_in("job_search")
    svc.name_coordinating_professional(case, world.consultant, world.caseworker.id, "Jobcentret koordinerer")
    login(client, world.consultant)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Tovholder" in page and world.caseworker.name in page
    detail = client.get(f"/cases/{case.id}/coordinating-professional").get_data(as_text=True)
    assert "Jobcentret koordinerer" in detail  # the history with its reason
    wrong = client.post(
        f"/cases/{case.id}/coordinating-professional",
        data={"coordinating_professional_id": str(world.clinician.id), "reason": ""},
    )
    assert wrong.status_code == 422 and 'id="reason-error"' in wrong.get_data(as_text=True)
    moved = client.post(
        f"/cases/{case.id}/coordinating-professional",
        data={"coordinating_professional_id": str(world.clinician.id), "reason": "Indlagt længe"},
    )
    assert moved.status_code == 302
    clinician = app.test_client()
    login(clinician, world.clinician)
    seen = clinician.get(f"/cases/{case.id}/coordinating-professional")
    assert seen.status_code == 200 and world.clinician.name in seen.get_data(as_text=True)
    other = app.test_client()
    login(other, world.outsider)
    assert other.get(f"/cases/{case.id}/coordinating-professional").status_code in (403, 404)
    assert other.post(
        f"/cases/{case.id}/coordinating-professional",
        data={"coordinating_professional_id": str(world.outsider.id), "reason": "x" * 5},
    ).status_code in (403, 404)
    _db.session.expire_all()
    assert _db.session.get(IpsCase, case.id).coordinating_professional_id == world.clinician.id

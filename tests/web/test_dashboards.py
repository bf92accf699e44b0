"""The consultant's day and the coordinator's overview, with their figures checked against
independent queries."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from ips_coord.models import Contact, EmployerContact, FollowUp, IpsCase
from tests.factories import login


def test_start_pages_by_role(client, world):
    for user, target in (
        (world.consultant, "/my-day"),
        (world.coordinator, "/coordinator"),
        (world.clinician, "/cases"),
        (world.caseworker, "/jobcenter"),
    ):  # the workspace
        login(client, user)
        assert client.get("/").headers["Location"] == target
        assert client.get(target).status_code == 200
        client.post("/logout")
    login(client, world.clinician)
    assert client.get("/employer-contacts/new").status_code == 404
    assert client.get("/coordinator").status_code == 404
    assert client.get("/my-day").status_code == 302  # not a consultant: the case list instead


def test_my_day_and_one_click_contact(client, world, db, clock):
    case = world.case_in("employed")
    other = world.case_in("job_search")
    clock.advance(days=3, hours=1)
    login(client, world.consultant)
    page = client.get("/my-day").get_data(as_text=True)
    assert "Kontakt efter jobstart" in page and case.reference in page
    assert "0 / 6" in page
    fu = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == "job_start_contact"))
    r = client.post(f"/my-day/follow-ups/{fu.id}/contact", data={"location": "community"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(FollowUp, fu.id).status == "done"
    contact = db.session.scalar(select(Contact).where(Contact.case_id == case.id))
    assert contact.location == "community"
    # Someone else's follow-up cannot be completed from here.
    foreign = world.referral(consultant_id=world.colleague.id)
    world.step(foreign, "enrol")
    theirs = db.session.scalar(select(FollowUp).where(FollowUp.case_id == foreign.id))
    assert client.post(f"/my-day/follow-ups/{theirs.id}/contact", data={"location": "office"}).status_code == 404
    # Employer contact from a phone, for a case: counts toward the week and the first contact.
    r = client.post(
        "/employer-contacts/new",
        data={
            "employer_name": "Cykelsmeden",
            "occurred_at": clock.now().strftime("%Y-%m-%dT%H:%M"),
            "face_to_face": "y",
            "location": "community",
            "case_id": str(other.id),
        },
    )
    assert r.status_code == 302
    assert "1 / 6" in client.get("/my-day").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(IpsCase, other.id).first_employer_contact_at is not None
    bad = client.post(
        "/employer-contacts/new",
        data={
            "employer_name": "",
            "occurred_at": "",
            "location": "community",
            "case_id": "0",
            "note": "Ringede tilbage",
        },
    )
    assert bad.status_code == 400 and "Ringede tilbage" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EmployerContact.id))) == 1


def test_coordinator_overview_figures(client, world, db, clock):
    for phase in ("referred", "engagement", "job_search", "employed", "closed"):
        world.case_in(phase)
    world.referral(consultant_id=world.colleague.id)
    clock.advance(days=40)
    from ips_coord.notifications.sweep import escalate_due

    escalate_due(clock.now(), 100)
    login(client, world.coordinator)
    html = client.get("/coordinator").get_data(as_text=True)
    active = db.session.scalar(
        select(func.count()).where(
            IpsCase.consultant_id == world.consultant.id, IpsCase.phase.not_in(["closed", "transitioned"])
        )
    )
    overdue = db.session.scalar(
        select(func.count()).where(
            FollowUp.assignee_id == world.consultant.id, FollowUp.status == "open", FollowUp.due_at < clock.now()
        )
    )
    escalated = db.session.scalar(
        select(func.count()).where(FollowUp.status == "open", FollowUp.escalated_at.is_not(None))
    )
    assert escalated > 0
    row = html[html.index("Kim Konsulent") :]
    row = row[: row.index("</tr>")]
    cells = [c.split("<")[0].strip() for c in re.findall(r'<td class="num"[^>]*>(.*?)</td>', row, re.S)]
    # The last column: deadlines moved later / follow-ups handed over in 90 days (none here).
    assert cells == [str(active), str(overdue), "0 / 0"]
    assert f"<strong>{escalated}</strong>" in html
    assert f"<strong>{db.session.scalar(select(func.count(IpsCase.id)))}</strong>" in html

"""The citizen's network (PostgreSQL and SQLite): people added by the citizen or by the IPS team on
the citizen's word, a consent per person and category that a withdrawal ends on the next read,
invitations and plan actions only under that consent, who took part, and a count for the reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.clock import to_local, utcnow
from ips_coord.extensions import db as _db
from ips_coord.models import Citizen, FollowUp, IpsCase, NetworkPerson, Notification
from ips_coord.services import ServiceError
from ips_coord.services import network as svc
from ips_coord.services.coordination import name_coordinating_professional
from ips_coord.services.errors import Forbidden, NotFound
from tests.factories import login
from tests.web.test_citizen_view import citizen_case, sign_in


def test_people_consents_and_what_they_allow(db, world, clock):
    case = world.case_in("job_search")
    citizen = db.session.get(Citizen, case.citizen_id)
    mor = svc.add_person(
        case,
        name="Lise Skovhave",
        relation="relative",
        phone="+45 22 33 44 55",
        email="Lise@Example.org",
        roles=["meetings", "bad_periods"],
        categories=["meetings"],
        citizen=citizen,
    )
    assert mor.added_by == "citizen" and mor.email == "Lise@example.org" and svc.may_know(mor, "meetings")
    ven = svc.add_person(case, name="Omar Ven", relation="friend", actor=world.consultant)
    assert svc.live_categories(ven) == set()  # nothing shared without the citizen's consent
    with pytest.raises(Forbidden):
        svc.add_person(case, name="X Y", relation="friend", actor=world.clinician)  # the IPS team keeps it
    with pytest.raises(NotFound):
        other = citizen_case(world, first="Bo", email_addr="bo@borger.example")
        svc.add_person(db.session.get(IpsCase, other.id), name="X Y", relation="friend", citizen=citizen)
    for bad, field in (
        ({"name": "A"}, "name"),
        ({"relation": "boss"}, "relation"),
        ({"phone": "12"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"roles": ["driver"]}, "roles"),
        ({"categories": ["health"]}, "categories"),
    ):
        with pytest.raises(ServiceError) as refused:
            svc.add_person(case, **({"name": "Ny Person", "relation": "friend"} | bad), citizen=citizen)
        assert refused.value.field == field
    # An invitation needs the meetings consent; the friend has none.
    when = utcnow() + timedelta(days=3)
    with pytest.raises(ServiceError) as no_consent:
        svc.invite(case, ven.id, world.consultant, meeting_at=when, place="Jobcentret")
    assert no_consent.value.field == "person_id"
    meeting = svc.invite(case, mor.id, world.consultant, meeting_at=when, place="Jobcentret, mødelokale 2")
    svc.record_participation(case, meeting.id, world.consultant, True)
    assert [m.took_part for m in svc.meetings(case)] == [True]
    # An action in the plan needs the plan consent; then it is the network's, followed up by the tovholder.
    with pytest.raises(ServiceError):
        svc.give_action(case, mor.id, world.consultant, text="Køre Sara til samtalen")
    svc.set_consents(case, mor.id, ["meetings", "plan"], citizen=citizen)
    name_coordinating_professional(case, world.consultant, world.caseworker.id, "Jobcentret koordinerer")
    action = svc.give_action(case, mor.id, world.consultant, text="Køre Sara til samtalen")
    assert action.owner == "network" and action.network_person_id == mor.id
    # The citizen withdraws: the next read knows it, and what needed it is refused.
    svc.set_consents(case, mor.id, [], citizen=citizen)
    assert not svc.may_know(db.session.get(NetworkPerson, mor.id), "meetings")
    with pytest.raises(ServiceError):
        svc.invite(case, mor.id, world.consultant, meeting_at=when, place="Jobcentret")
    svc.remove_person(case, ven.id, citizen=citizen)
    assert [p.name for p in svc.people(case)] == ["Lise Skovhave"]
    assert svc.citizens_with_network(world.team.id)[0] == 0  # no one may know anything now
    svc.set_consents(case, mor.id, ["job"], actor=world.consultant)
    assert svc.citizens_with_network(world.team.id) == (1, 2)


def test_an_action_with_a_due_date_is_followed_up_by_the_tovholder(db, world, clock):
    case = world.case_in("job_search")
    person = svc.add_person(
        case, name="Peer Støtte", relation="peer_supporter", categories=["plan"], actor=world.consultant
    )
    name_coordinating_professional(case, world.consultant, world.clinician.id, "Behandleren koordinerer")
    from ips_coord.services.plan import add_action

    row = add_action(
        db.session.get(IpsCase, case.id),
        text="Følge med til første arbejdsdag",
        owner="network",
        due_date=utcnow().date() + timedelta(days=7),
        actor=world.consultant,
        network_person_id=person.id,
    )
    assert db.session.get(FollowUp, row.follow_up_id).assignee_id == world.clinician.id
    with pytest.raises(ServiceError):  # "network" without a person, from the ordinary plan form or the API
        add_action(
            db.session.get(IpsCase, case.id), text="Noget", owner="network", due_date=None, actor=world.consultant
        )


def test_the_pages(app, client, db, world):
    case = citizen_case(world)
    citizen_client = app.test_client()
    sign_in(app, citizen_client, "sara@borger.example")
    page = citizen_client.get(f"/citizen/cases/{case.id}/network")
    assert page.status_code == 200 and "Dit netværk" in page.get_data(as_text=True)
    bad = citizen_client.post(
        f"/citizen/cases/{case.id}/network",
        data={"name": "Mor", "relation": "relative", "phone": "12", "categories": "meetings"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="phone-error"' in html and 'value="Mor"' in html
    added = citizen_client.post(
        f"/citizen/cases/{case.id}/network",
        data={"name": "Mor Skovhave", "relation": "relative", "phone": "22334455", "categories": "meetings"},
    )
    assert added.status_code == 302
    person = _db.session.scalar(select(NetworkPerson))
    login(client, world.consultant)
    staff = client.get(f"/cases/{case.id}/network").get_data(as_text=True)
    assert "Mor Skovhave" in staff and "Registrér invitationen" in staff
    when = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT10:00")
    invited = client.post(
        f"/cases/{case.id}/network/invite", data={"person_id": str(person.id), "meeting_at": when, "place": "Caféen"}
    )
    assert invited.status_code == 302
    wrong = client.post(
        f"/cases/{case.id}/network/invite", data={"person_id": "²", "meeting_at": when, "place": "Caféen ved havnen"}
    )
    assert wrong.status_code == 422 and 'value="Caféen ved havnen"' in wrong.get_data(as_text=True)  # shown back
    # The citizen withdraws from their own view; the team's next read shows it.
    citizen_client.post(f"/citizen/cases/{case.id}/network/consents", data={"person_id": str(person.id)})
    assert "Kun en, borgeren lader vide om møder" in client.get(f"/cases/{case.id}/network").get_data(as_text=True)
    clinician = app.test_client()
    login(clinician, world.clinician)
    assert clinician.get(f"/cases/{case.id}/network").status_code in (403, 404)
    assert client.get(f"/citizen/cases/{case.id}/network").status_code == 404  # staff are not the citizen


def test_the_invitation_e_mail_says_when_and_where_and_nothing_about_health(app, db, world, clock):
    from tests.web.test_citizen_view import mailbox_body

    case = world.case_in("job_search")
    person = svc.add_person(
        case,
        name="Lise Skovhave",
        relation="relative",
        email="lise@familie.example",
        categories=["meetings"],
        actor=world.consultant,
    )
    no_mail = svc.add_person(case, name="Omar Ven", relation="friend", categories=["meetings"], actor=world.consultant)
    when = clock.now() + timedelta(days=3)
    svc.invite(case, person.id, world.consultant, meeting_at=when, place="Jobcentret, mødelokale 2")
    svc.invite(case, no_mail.id, world.consultant, meeting_at=when, place="Jobcentret")  # recorded, no e-mail
    body = mailbox_body(app, "lise@familie.example")
    local = to_local(when)
    assert f"{local:%d.%m.%Y} kl. {local:%H.%M}" in body and "Jobcentret, mødelokale 2" in body
    assert world.consultant.name in body and case.citizen.first_name in body
    assert case.citizen.last_name not in body  # the first name only
    for word in ("IPS", "psykiatri", "behandling", "diagnose", "indlæg", "ydelse", "helbred", "sygdom"):
        assert word.lower() not in body.lower(), word
    sent = db.session.scalars(select(Notification).where(Notification.kind == "network_invitation")).all()
    assert [n.to_address for n in sent] == ["lise@familie.example"]

"""The citizen's own view in plain words and true dates: "Det sker snart" holds nothing that has
passed, a plan action past its date says so, the consents speak plainly (no "Triggere og
advarselstegn", no staff purpose, no "IPS-team må dele med Jobcenter"), a withdrawn consent has
no end date and says how to give it again, and "Hvem har læst" gives the time of day and the
reader's role once per person and day."""

from __future__ import annotations

import re
from datetime import date, timedelta

from ips_coord.extensions import db as _db
from ips_coord.models import Consent, IpsCase
from ips_coord.services import activities as act
from ips_coord.services import plan as plan_svc
from tests.factories import login
from tests.web.test_citizen_view import citizen_case, citizen_client, sign_in  # noqa: F401 - fixtures, used by name

DATE = re.compile(r"(\d\d)\.(\d\d)\.(\d{4})")


def test_the_citizens_view_in_plain_words_and_true_dates(app, world, clock, client, citizen_client):  # noqa: F811 - the imported fixture
    case = citizen_case(world, consents=False)
    today = clock.now().date()
    act.record_consent(
        _db.session.get(IpsCase, case.id),
        world.consultant,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["warning_signs", "coping_strategies"],
        purpose="Koordinering af IPS-forløbet",
        given_at=today,
        expires_at=today + timedelta(days=640),
    )
    act.record_consent(
        _db.session.get(IpsCase, case.id),
        world.consultant,
        from_party="ips_team",
        to_party="jobcenter",
        categories=["employment_progress"],
        purpose="Koordinering af IPS-forløbet",
        given_at=today,
        expires_at=None,
    )
    plan_svc.add_action(
        _db.session.get(IpsCase, case.id),
        text="Ringe til bageren",
        owner="citizen",
        due_date=today + timedelta(days=2),
        actor=world.consultant,
    )
    plan_svc.add_action(
        _db.session.get(IpsCase, case.id),
        text="Købe sko",
        owner="citizen",
        due_date=today + timedelta(days=20),
        actor=world.consultant,
    )
    clock.advance(days=5)  # the first action's date has passed
    consent = _db.session.query(Consent).filter_by(case_id=case.id, from_party="psychiatry").one()
    act.withdraw_consent(consent, world.consultant, requested_by="citizen", confirmed=True)
    login(client, world.consultant)
    client.get(f"/cases/{case.id}")
    client.get(f"/cases/{case.id}")
    sign_in(app, citizen_client, "sara@borger.example")
    html = citizen_client.get(f"/citizen/cases/{case.id}").get_data(as_text=True)
    now = clock.now().date()

    coming = html[html.index('id="next"') : html.index('id="goals"')]
    shown = [date(int(y), int(m), int(d)) for d, m, y in DATE.findall(coming)]
    assert shown and all(d >= now for d in shown), shown
    assert "Ringe til bageren" not in coming and "Købe sko" in coming

    plan = html[html.index('id="plan"') : html.index('id="progress"')]
    late = re.search(r"Ringe til bageren.*?</li>", plan, re.S).group(0)
    assert "ikke gjort endnu: datoen er gået" in late

    consents = html[html.index('id="consents"') : html.index('id="who-read"')]
    for jargon in (
        "Triggere og advarselstegn",
        "Hvorfor: Koordinering af IPS-forløbet",
        "Koordinering af IPS-forløbet",
        "IPS-team må dele med Jobcenter",
    ):
        assert jargon not in consents, jargon
    assert "Din IPS-konsulent må fortælle jobcentret om" in consents
    assert "tegn på, at det er ved at blive svært for dig" in consents
    withdrawn = consents[consents.index("Dit behandlingssted må fortælle din IPS-konsulent om") :]
    withdrawn = withdrawn[: withdrawn.index("</li>")]
    assert "Du trak det tilbage" in withdrawn and "Hvis du vil give det igen" in withdrawn
    assert (today + timedelta(days=640)).strftime("%d.%m.%Y") not in withdrawn and "indtil" not in withdrawn

    who = html[html.index('id="who-read"') : html.index('id="data"')]
    lines = [line for line in re.findall(r"<li>(.*?)</li>", who, re.S) if world.consultant.name in line]
    assert len(lines) == 1, lines  # one line per person and day
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", lines[0]) and lines[0].count("IPS-konsulent") == 1
    assert world.team.name in lines[0]

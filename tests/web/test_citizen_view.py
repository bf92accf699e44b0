"""The citizen's voice: the shared plan on the case page and in the API, the citizen's
own sign-in and view, progress ratings, and the separation of citizen and staff sessions."""

from __future__ import annotations

import email
import email.policy
import glob
import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.clock import utcnow
from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, CaseEvent, Citizen, FollowUp, IpsCase, PlanGoal
from ips_coord.services import activities as act
from ips_coord.services import plan as plan_svc
from ips_coord.workflows.phases import Part
from tests.conftest import IsolatedClient
from tests.factories import bearer, login


def deliver_due(app) -> list:
    """What the worker does after wake_delivery(): claim the due outbox rows and send them (into
    the embedded mailbox folder), in-process, through the real delivery code."""
    from ips_coord.notifications.delivery import deliver_many
    from ips_coord.notifications.sweep import claim_due_notifications

    with app.app_context():
        return deliver_many(claim_due_notifications(utcnow(), 500))


def mailbox_body(app, to: str, containing: str = "") -> str:
    """The text part of the newest e-mail to `to` (that contains `containing`), after delivering
    what is due."""
    deliver_due(app)
    files = sorted(glob.glob(os.path.join(app.instance_path, "mailbox", "*.eml")), key=os.path.getmtime)
    for path in reversed(files):
        with open(path, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        text = msg.get_body(("plain",)).get_content()
        if msg["To"] == to and containing in text:
            return text
    raise AssertionError(f"no e-mail to {to}")


def mailbox_code(app, to: str) -> str:
    """The newest sign-in code e-mailed to `to`, read from the embedded mailbox folder."""
    return re.search(r"\b(\d{6})\b", mailbox_body(app, to)).group(1)


def citizen_case(world, first="Sara", email_addr="sara@borger.example", consents=True):
    case = world.referral(first=first, last="Holmvang")
    case = world.step(case, "enrol")
    _db.session.get(Citizen, case.citizen_id).email = email_addr
    _db.session.commit()
    if consents:
        today = utcnow().date()
        for f, t, cats in (
            ("psychiatry", "ips_team", ["symptoms"]),
            ("ips_team", "psychiatry", ["employment_progress"]),
        ):
            act.record_consent(
                _db.session.get(IpsCase, case.id),
                world.consultant,
                from_party=f,
                to_party=t,
                categories=cats,
                purpose="Koordinering",
                given_at=today,
                expires_at=None,
            )
    return _db.session.get(IpsCase, case.id)


def sign_in(app, client, address):
    assert client.post("/citizen/login", data={"email": address}).status_code == 302
    code = mailbox_code(app, address)
    resp = client.post("/citizen/login/code", data={"code": code})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/citizen")
    return code


@pytest.fixture
def citizen_client(app, db):
    app.test_client_class = IsolatedClient
    return app.test_client()


def test_plan_goals_actions_interventions_and_supports_are_case_events(world, clock):
    case = citizen_case(world)
    goal = plan_svc.save_goal(case, "Jeg vil gerne arbejde med dyr", actor=world.consultant)
    assert goal.version == 1 and goal.written_by == "staff"
    action = plan_svc.add_action(
        _db.session.get(IpsCase, case.id),
        text="Ring til dyreinternatet",
        owner="citizen",
        due_date=utcnow().date() + timedelta(days=10),
        actor=world.consultant,
    )
    fu = _db.session.get(FollowUp, action.follow_up_id)
    assert fu.kind == "plan_action" and fu.assignee_id == world.consultant.id and fu.escalate_at > fu.due_at
    psych = plan_svc.add_action(
        _db.session.get(IpsCase, case.id),
        text="Medicinsamtale",
        owner="psychiatry",
        due_date=utcnow().date() + timedelta(days=5),
        actor=world.consultant,
    )
    assert _db.session.get(FollowUp, psych.follow_up_id).assignee_id == world.clinician.id
    plan_svc.complete_action(action, actor=world.consultant)
    assert _db.session.get(FollowUp, action.follow_up_id).status == "done"
    iv = plan_svc.start_intervention(
        _db.session.get(IpsCase, case.id), world.clinician, name="CTI", start_date=utcnow().date()
    )
    clock.advance(days=30)
    plan_svc.end_intervention(iv, world.clinician, end_date=utcnow().date())
    case = world.step(_db.session.get(IpsCase, case.id), "start_search")
    case = world.step(case, "start_job", employer_name="Dyreklinikken", benefits_counselling_offered=True)
    plan_svc.update_supports(case, world.consultant, {"mentor": "Lone", "mentor_hours": 3})
    plan_svc.update_supports(_db.session.get(IpsCase, case.id), world.consultant, {"mentor": "Lone", "mentor_hours": 2})
    events = [
        e.event
        for e in _db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq))
    ]
    for name in (
        "plan_goal_saved",
        "plan_action_added",
        "plan_action_done",
        "intervention_started",
        "intervention_ended",
        "supports_changed",
    ):
        assert name in events
    from ips_coord.services import ServiceError

    with pytest.raises(ServiceError):
        plan_svc.add_action(
            _db.session.get(IpsCase, case.id), text="x", owner="nobody", due_date=None, actor=world.consultant
        )


def test_citizen_signs_in_by_code_sees_only_own_case_and_edits_in_own_words(app, world, citizen_client, client):
    case = citizen_case(world)
    other = citizen_case(world, first="Bo", email_addr="bo@borger.example")
    sign_in(app, citizen_client, "sara@borger.example")
    page = citizen_client.get(f"/citizen/cases/{case.id}")
    assert page.status_code == 200 and "Hej Sara" in page.get_data(as_text=True)
    # Another citizen's case, or any id that is not theirs, is 404 and logged as a refusal.
    assert citizen_client.get(f"/citizen/cases/{other.id}").status_code == 404
    assert citizen_client.get("/citizen/cases/999999").status_code == 404
    assert citizen_client.post(f"/citizen/cases/{other.id}/goal", data={"text": "x"}).status_code == 404
    refused = _db.session.scalars(
        select(AccessLog).where(AccessLog.action == "refused", AccessLog.citizen_id == case.citizen_id)
    ).all()
    assert {r.target for r in refused} >= {f"case {other.id}", "case 999999"}
    # Goals in the citizen's own words, marked as theirs for staff.
    saved = citizen_client.post(f"/citizen/cases/{case.id}/goal", data={"text": "Arbejde i en dyrehandel"})
    assert saved.status_code == 302
    goal = _db.session.scalar(select(PlanGoal).where(PlanGoal.case_id == case.id))
    assert goal.written_by == "citizen" and goal.author_id is None
    assert citizen_client.post(f"/citizen/cases/{case.id}/note", data={"text": "Mine arbejdstider"}).status_code == 302
    login(client, world.consultant)
    staff_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Arbejde i en dyrehandel" in staff_page and "Skrevet af borgeren" in staff_page
    assert "Mine arbejdstider" in staff_page
    # Every citizen action is audited with the citizen as the actor.
    writes = _db.session.scalars(
        select(AccessLog).where(AccessLog.citizen_id == case.citizen_id, AccessLog.action == "write")
    ).all()
    assert {w.part for w in writes} >= {"sign_in", Part.SHARED_PLAN, Part.CONTACT_NOTES}
    assert all(w.user_id is None for w in writes)


def test_a_wrong_code_fails_and_a_code_works_once(app, world, citizen_client):
    citizen_case(world)
    code = sign_in(app, citizen_client, "sara@borger.example")
    fresh = IsolatedClient(app)
    fresh.post("/citizen/login", data={"email": "sara@borger.example"})
    new_code = mailbox_code(app, "sara@borger.example")
    wrong = "000000" if new_code != "000000" else "111111"
    assert fresh.post("/citizen/login/code", data={"code": wrong}).status_code == 400
    assert fresh.post("/citizen/login/code", data={"code": code if code != new_code else "999999"}).status_code == 400
    assert fresh.post("/citizen/login/code", data={"code": new_code}).status_code == 302
    again = IsolatedClient(app)
    again.post("/citizen/login", data={"email": "nobody@example.test"})  # unknown: the same answer
    assert again.post("/citizen/login/code", data={"code": new_code}).status_code == 400


# Pages for someone signed out, like the login page: the forgotten-password pages.
PUBLIC = ("account.forgot", "account.reset")


def test_sessions_do_not_cross(app, world, citizen_client):
    """A citizen session is refused by every staff page and the API; a staff session by every citizen page."""
    case = citizen_case(world)
    sign_in(app, citizen_client, "sara@borger.example")
    checked = 0
    for rule in app.url_map.iter_rules():
        if (
            rule.endpoint.startswith(("citizen.", "static", "auth.", "health.", "ack.", "api-docs", *PUBLIC))
            or "GET" not in rule.methods
        ):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(case.id), rule.rule)
        resp = citizen_client.get(url)
        assert resp.status_code in (302, 401, 404), (url, resp.status_code)
        if resp.status_code == 302:
            assert "/login" in resp.headers["Location"]
        checked += 1
    assert checked > 20
    for rule in app.url_map.iter_rules():  # and every staff form and API write
        if rule.endpoint.startswith(("citizen.", "static", "auth.", "ack.", *PUBLIC)) or "POST" not in rule.methods:
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(case.id), rule.rule)
        resp = citizen_client.post(url, data={})
        assert resp.status_code in (302, 401, 404), (url, resp.status_code)
        if resp.status_code == 302:
            assert "/login" in resp.headers["Location"]
    staff = IsolatedClient(app)
    login(staff, world.consultant)
    for url in ("/citizen", f"/citizen/cases/{case.id}", "/citizen/export.json"):
        assert staff.get(url).status_code == 404
    assert staff.post(f"/citizen/cases/{case.id}/goal", data={"text": "x"}).status_code == 404


def test_withdrawal_from_the_citizen_view_takes_effect_on_the_next_read(app, world, citizen_client, client):
    case = citizen_case(world)
    login(client, world.consultant)
    assert client.get(f"/api/v1/cases/{case.id}/shared-health-info").status_code == 200
    sign_in(app, citizen_client, "sara@borger.example")
    from ips_coord.models import Consent

    consent = _db.session.scalar(select(Consent).where(Consent.case_id == case.id, Consent.from_party == "psychiatry"))
    unconfirmed = citizen_client.post(f"/citizen/cases/{case.id}/consents/{consent.id}/withdraw", data={})
    assert unconfirmed.status_code == 400 and "Bekræft" in unconfirmed.get_data(as_text=True)
    ok = citizen_client.post(
        f"/citizen/cases/{case.id}/consents/{consent.id}/withdraw", data={f"w{consent.id}-confirm": "y"}
    )
    assert ok.status_code == 302
    assert client.get(f"/api/v1/cases/{case.id}/shared-health-info").status_code == 403
    event = _db.session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.event == "consent_withdrawn")
    )
    assert event.actor_id is None and event.data["by"] == "citizen"


def test_progress_ratings_by_both_and_the_export(app, world, citizen_client, client):
    case = citizen_case(world)
    scores = {
        d: 5
        for d in (
            "wish_to_work",
            "health_and_wellbeing",
            "daily_structure",
            "social_relations",
            "finances_and_security",
            "belief_in_own_abilities",
        )
    }
    plan_svc.record_rating(case, {**scores, "wish_to_work": 8}, actor=world.consultant)
    due = _db.session.scalar(
        select(FollowUp).where(
            FollowUp.case_id == case.id, FollowUp.kind == "progress_rating", FollowUp.status == "open"
        )
    )
    assert due is not None and (due.due_at - utcnow()).days == 90
    sign_in(app, citizen_client, "sara@borger.example")
    bad = citizen_client.post(f"/citizen/cases/{case.id}/progress", data={**scores, "wish_to_work": 11})
    assert bad.status_code == 400
    assert citizen_client.post(f"/citizen/cases/{case.id}/progress", data=scores).status_code == 302
    view = citizen_client.get(f"/citizen/cases/{case.id}").get_data(as_text=True)
    assert "<svg" in view and "Hvem har læst" in view
    export = citizen_client.get("/citizen/export.json")
    assert export.status_code == 200 and "attachment" in export.headers["Content-Disposition"]
    data = export.get_json()
    assert data["format"] == "ips-coord citizen download v2" and len(data["cases"][0]["progress_ratings"]) == 2
    login(client, world.consultant)
    assert "<svg" in client.get(f"/cases/{case.id}").get_data(as_text=True)


def test_invitation_link_is_signed_expiring_and_single_use(app, world, client, clock):
    case = citizen_case(world)
    login(client, world.consultant)
    assert client.post(f"/cases/{case.id}/plan/invite").status_code == 302
    body = mailbox_body(app, "sara@borger.example")
    token = re.search(r"http://testserver/citizen/invitation#(\S+)", body).group(1)  # after "#": in no log
    first = IsolatedClient(app)
    assert first.get("/citizen/invitation").status_code == 200  # opening the link uses nothing
    path = "/citizen/invitation"
    assert first.post(path, data={"token": token}).headers["Location"].endswith("/citizen")
    second = IsolatedClient(app)
    assert second.post(path, data={"token": token}).headers["Location"].endswith("/citizen/login")  # used once
    assert (
        IsolatedClient(app)
        .post(path, data={"token": token[:-3] + "xyz"})
        .headers["Location"]
        .endswith("/citizen/login")
    )


def test_oidc_client_registered_from_configuration(tmp_path):
    from config import ConfigError
    from tests.conftest import make_app

    url = "sqlite:///" + str(tmp_path / "o.sqlite")
    app = make_app(
        url,
        CITIZEN_AUTH="oidc",
        OIDC_CLIENT_ID="ips",
        OIDC_CLIENT_SECRET="s3cret",
        OIDC_METADATA_URL="https://broker.example/.well-known/openid-configuration",
    )
    from ips_coord.citizen_oidc import oidc_client

    client = oidc_client(app)
    assert client is not None and client.client_id == "ips" and client.client_kwargs["scope"] == "openid"
    assert client.client_kwargs["code_challenge_method"] == "S256"  # PKCE on every redirect
    assert oidc_client(make_app(url)) is None  # the default: e-mail codes
    with pytest.raises(ConfigError, match="OIDC_CLIENT_ID"):
        make_app(url, CITIZEN_AUTH="oidc")


def test_every_citizen_page_logs_what_it_shows_with_the_citizen_as_reader(app, world, citizen_client):
    from ips_coord.access.audit import is_for_the_citizen

    case = citizen_case(world)
    sign_in(app, citizen_client, "sara@borger.example")
    checked = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not is_for_the_citizen(app.view_functions[rule.endpoint]):
            continue
        url = re.sub(r"<(?:\w+:)?case_id>", str(case.id), rule.rule)
        resp = citizen_client.get(url)
        rows = _db.session.scalars(
            select(AccessLog).where(AccessLog.request_id == resp.headers.get("X-Request-ID", "-"))
        ).all()
        if resp.status_code == 200:
            assert rows and all(
                r.citizen_id == case.citizen_id and r.user_id is None and r.case_id == case.id for r in rows
            ), url
            checked.append(rule.endpoint)
        else:
            assert resp.status_code == 302 and not rows
    assert {"citizen.case", "citizen.export"} <= set(checked)


def test_each_party_sees_the_plan_under_policy_and_consent_in_the_api(world, client):
    case = citizen_case(world)  # consents: psychiatry -> IPS (symptoms), IPS -> psychiatry (employment progress)
    plan_svc.save_goal(case, "Arbejde med dyr, 15 timer", actor=world.consultant)
    plan_svc.start_intervention(
        _db.session.get(IpsCase, case.id), world.consultant, name="ACT", start_date=utcnow().date()
    )
    h = {who: bearer(getattr(world, who)) for who in ("consultant", "clinician", "caseworker", "coordinator")}
    goals = client.get(f"/api/v1/cases/{case.id}/plan/goals", headers=h["clinician"])
    assert goals.status_code == 200 and goals.json[0]["text"] == "Arbejde med dyr, 15 timer"
    assert goals.json[0]["written_by"] == "staff"
    # A clinician adds psychiatry's own action; it becomes their follow-up.
    r = client.post(
        f"/api/v1/cases/{case.id}/plan/actions",
        headers=h["clinician"],
        json={
            "text": "Medicinsamtale",
            "owner": "psychiatry",
            "due_date": (utcnow().date() + timedelta(days=7)).isoformat(),
        },
    )
    assert r.status_code == 201 and _db.session.get(FollowUp, r.json["follow_up_id"]).assignee_id == world.clinician.id
    # The jobcenter has no consent for the plan here, and never sees interventions or ratings.
    assert client.get(f"/api/v1/cases/{case.id}/plan/goals", headers=h["caseworker"]).status_code == 403
    assert client.get(f"/api/v1/cases/{case.id}/interventions", headers=h["caseworker"]).status_code == 403
    assert client.get(f"/api/v1/cases/{case.id}/interventions", headers=h["clinician"]).json[0]["name"] == "ACT"
    assert client.get(f"/api/v1/cases/{case.id}/plan/goals", headers=h["coordinator"]).status_code == 403
    bad = client.post(
        f"/api/v1/cases/{case.id}/progress", headers=h["consultant"], json={"scores": {"wish_to_work": 0}}
    )
    assert bad.status_code == 422 and "scores" in str(bad.json["errors"])
    # The clinician's page shows the plan and the citizen's words.
    login(client, world.clinician)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Arbejde med dyr, 15 timer" in page and "Medicinsamtale" in page


@pytest.mark.slow  # seeds a small demo
def test_reports_show_progress_and_the_job_or_education_rate_on_demo_data(app, db, client):
    from ips_coord.demo import seed_demo
    from ips_coord.models import ParallelIntervention, PlanAction, ProgressRating, User

    seed_demo(citizens=24)
    assert _db.session.scalar(select(PlanGoal.id).limit(1)) is not None
    assert _db.session.scalar(select(PlanAction.id).limit(1)) is not None
    assert _db.session.scalar(select(ParallelIntervention.id).limit(1)) is not None
    raters = set(_db.session.scalars(select(ProgressRating.rater)))
    assert raters == {"citizen", "staff"}
    coordinator = _db.session.scalar(select(User).where(User.role == "coordinator", User.email.like("koordinator@%")))
    login(client, coordinator, "Demo-ips-2026")
    page = client.get("/coordinator/reports").get_data(as_text=True)
    assert "Job eller uddannelse" in page and "job-or-education-v1" in page and "Mål 60\u00a0%" in page
    assert "Progression over tid" in page and "ips-progress-v1" in page
    # Danish formats: 45,2 % (a no-break space before the sign) and -1,52.
    rate_section = page.split('id="job-or-education"')[1].split("</section>")[0]
    rates = re.findall(r'<td class="num">([\d.,]+)\u00a0%</td>', rate_section)
    assert rates, "the demo data gives the rate figures"
    progress_section = page.split('id="progress"')[1].split("</section>")[0]
    gaps = re.findall(r'<td class="num">([+\-\u2212][\d.,]+)</td></tr>', progress_section)
    assert gaps


def test_a_plan_action_is_reminded_and_escalated_like_any_follow_up(world, clock):
    from ips_coord.models import Notification
    from ips_coord.notifications.sweep import create_digests, escalate_due

    case = citizen_case(world)
    action = plan_svc.add_action(
        case,
        text="Afklare ydelse ved deltidsjob",
        owner="jobcenter",
        due_date=utcnow().date() + timedelta(days=5),
        actor=world.consultant,
    )
    fu = _db.session.get(FollowUp, action.follow_up_id)
    assert fu.assignee_id == world.caseworker.id
    clock.set(fu.remind_at + timedelta(hours=1))
    create_digests(clock.now())
    digest = _db.session.scalar(
        select(Notification).where(
            Notification.kind == "daily_digest", Notification.recipient_id == world.caseworker.id
        )
    )
    assert digest is not None and any(i["kind"] == "plan_action" for i in digest.data["items"])
    clock.set(fu.escalate_at + timedelta(minutes=1))
    assert escalate_due(clock.now(), 100) >= 1
    assert _db.session.scalar(
        select(Notification).where(Notification.kind == "escalation", Notification.recipient_id == world.coordinator.id)
    )


def test_supports_api_needs_a_body_and_keeps_history(world, client):
    case = citizen_case(world)
    case = world.step(
        world.step(case, "start_search"), "start_job", employer_name="Bageriet", benefits_counselling_offered=True
    )
    h = bearer(world.consultant)
    assert client.put(f"/api/v1/cases/{case.id}/supports", headers=h).status_code == 422
    ok = client.put(f"/api/v1/cases/{case.id}/supports", headers=h, json={"mentor": "Lone", "mentor_hours": 2})
    assert ok.status_code == 200 and ok.json["supports"] == {"mentor": "Lone", "mentor_hours": 2.0}
    again = client.put(f"/api/v1/cases/{case.id}/supports", headers=h, json={"mentor": "Lone", "mentor_hours": 1})
    assert [c["supports"]["mentor_hours"] for c in again.json["history"]] == [1.0, 2.0]


def test_enrolment_records_that_the_citizen_agreed(world, client):
    case = world.referral(first="Ulla", last="Lyngvig")
    h = bearer(world.consultant)
    r = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers=h,
        json={"event": "enrol", "version": case.version, "citizen_agreed": True},
    )
    assert r.status_code == 200, r.json
    event = _db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.event == "enrol"))
    assert event.data["citizen_agreed"] == utcnow().date().isoformat()
    login(client, world.consultant)
    assert "Borgeren sagde ja til at deltage" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    # Without it, the page asks for the agreement to be recorded.
    other = world.step(world.referral(first="Vagn", last="Lyngvig"), "enrol")
    assert "Registrér at borgeren har sagt ja til at deltage" in client.get(f"/cases/{other.id}").get_data(as_text=True)


SCORES = {
    d: 6
    for d in (
        "wish_to_work",
        "health_and_wellbeing",
        "daily_structure",
        "social_relations",
        "finances_and_security",
        "belief_in_own_abilities",
    )
}


def test_enrolment_makes_the_first_progress_rating_due_for_both(app, world, citizen_client, client, clock):
    """The instrument is recorded at enrolment and every 90 days, by the citizen and by the
    consultant: enrolment makes the first rating the consultant's follow-up, the citizen's view
    asks for theirs, and the consultant sees whether the citizen has rated."""
    case = citizen_case(world)
    [first] = _db.session.scalars(
        select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == "progress_rating")
    ).all()
    assert first.status == "open" and first.assignee_id == world.consultant.id
    assert (first.due_at - case.enrolled_at).days == 14 and first.remind_at < first.due_at
    clock.advance(days=1)
    login(client, world.consultant)
    desk = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Næste måling skal laves senest" in desk and "Borgeren har endnu ikke lavet sin måling" in desk
    assert "Progressionsmåling (hver 90. dag)" in desk  # among the case's open follow-ups

    sign_in(app, citizen_client, "sara@borger.example")
    view = citizen_client.get(f"/citizen/cases/{case.id}").get_data(as_text=True)
    assert 'id="rating-due"' in view and "Det er tid til at vurdere" in view
    assert citizen_client.post(f"/citizen/cases/{case.id}/progress", data=SCORES).status_code == 302
    assert 'id="rating-due"' not in citizen_client.get(f"/citizen/cases/{case.id}").get_data(as_text=True)
    assert "Borgeren har lavet sin måling i denne runde" in client.get(f"/cases/{case.id}").get_data(as_text=True)

    # The consultant's rating closes the round and opens the next, 90 days on; the citizen is asked again then.
    plan_svc.record_rating(_db.session.get(IpsCase, case.id), SCORES, actor=world.consultant)
    rounds = _db.session.scalars(
        select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.kind == "progress_rating").order_by(FollowUp.id)
    ).all()
    assert [r.status for r in rounds] == ["done", "open"] and (rounds[1].due_at - utcnow()).days == 90
    assert 'id="rating-due"' not in citizen_client.get(f"/citizen/cases/{case.id}").get_data(as_text=True)
    clock.advance(days=80)
    sign_in(app, citizen_client, "sara@borger.example")  # the earlier session has timed out
    assert 'id="rating-due"' in citizen_client.get(f"/citizen/cases/{case.id}").get_data(as_text=True)


def test_the_citizens_coming_up_list_is_in_date_order(app, world, citizen_client):
    case = citizen_case(world, consents=False)
    today = utcnow().date()
    for days_ahead, text in ((30, "Tredje: besøg"), (2, "Første: ring"), (None, "Uden dato: tænk")):
        plan_svc.add_action(
            _db.session.get(IpsCase, case.id),
            text=text,
            owner="citizen",
            due_date=today + timedelta(days=days_ahead) if days_ahead else None,
            actor=world.consultant,
        )
    sign_in(app, citizen_client, "sara@borger.example")
    html = citizen_client.get(f"/citizen/cases/{case.id}").get_data(as_text=True)
    coming = html[html.index('id="next"') : html.index('id="goals"')]
    items = re.findall(r"<li>(.*?)</li>", coming)
    # The start meeting (14 days) and the first progress rating (14 days) fall between the two actions.
    order = [
        i
        for i, item in enumerate(items)
        if "Første" in item or "Opstartsmøde" in item or "Tredje" in item or "Uden dato" in item
    ]
    texts = [items[i] for i in order]
    assert "Første" in texts[0] and "Tredje" in texts[-2] and "Uden dato" in texts[-1], texts
    assert any("Opstartsmøde" in t for t in texts[1:-2]), texts

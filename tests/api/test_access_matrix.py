"""The authorization matrix: every endpoint and page x every role and relation x consent
given / withdrawn / expired. The expectations below are written from the consent rules (docs/domain.md), not
from the policy module. An endpoint missing from this file fails the test."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from ips_coord.clock import utcnow
from ips_coord.extensions import db
from ips_coord.models import Consent, FollowUp
from ips_coord.services import activities as act
from tests.factories import bearer, login

ALL = {
    "identity",
    "phase",
    "career_profile",
    "placements",
    "contact_notes",
    "shared_health_info",
    "benefit_facts",
    "history",
    "consents",
    "follow_ups",
    "access_log",
    "export",
    "shared_plan",
    "parallel_interventions",
    "progress",
}

# (endpoint, method) -> (part, write) for everything scoped to one case.
CASE_SCOPED = {
    ("api_cases.CaseDetail", "GET"): ("phase", False),
    ("api_cases.Transitions", "POST"): ("phase", True),
    ("api_cases.AllowedEvents", "GET"): ("phase", False),
    ("api_cases.Events", "GET"): ("history", False),
    ("api_cases.AccessLogView", "GET"): ("access_log", False),
    ("api_case_parts.Placements", "GET"): ("placements", False),
    ("api_case_parts.Placements", "POST"): ("placements", True),
    ("api_case_parts.Contacts", "GET"): ("contact_notes", False),
    ("api_case_parts.Contacts", "POST"): ("contact_notes", True),
    ("api_case_parts.Reviews", "GET"): ("contact_notes", False),
    ("api_case_parts.Reviews", "POST"): ("contact_notes", True),
    ("api_case_parts.Profile", "GET"): ("career_profile", False),
    ("api_case_parts.Profile", "POST"): ("career_profile", True),
    ("api_case_parts.ProfileVersions", "GET"): ("career_profile", False),
    ("api_case_parts.Consents", "GET"): ("consents", False),
    ("api_case_parts.Consents", "POST"): ("consents", True),
    ("api_case_parts.ConsentWithdraw", "POST"): ("consents", True),
    ("api_case_parts.FollowUpComplete", "POST"): ("follow_ups", True),
    ("api_case_parts.SharedHealthInfoList", "GET"): ("shared_health_info", False),
    ("api_case_parts.SharedHealthInfoList", "POST"): ("shared_health_info", True),
    ("api_case_parts.BenefitFacts", "GET"): ("benefit_facts", False),
    ("api_case_parts.BenefitFacts", "POST"): ("benefit_facts", True),
    ("case_page.detail", "GET"): ("identity", False),
    ("case_page.show_cpr", "POST"): ("identity", False),  # the full CPR number: a read, logged
    ("case_page.transition", "POST"): ("phase", True),
    ("case_page.add_contact", "POST"): ("contact_notes", True),
    ("case_page.add_step", "POST"): ("placements", True),
    ("case_page.add_review", "POST"): ("contact_notes", True),
    ("case_page.save_profile", "POST"): ("career_profile", True),
    ("case_page.add_consent", "POST"): ("consents", True),
    ("case_page.withdraw_consent", "POST"): ("consents", True),
    ("case_page.add_shared_health_info", "POST"): ("shared_health_info", True),
    ("case_page.follow_up_done", "POST"): ("follow_ups", True),
    ("cases.access_log", "GET"): ("access_log", False),
    ("api_employers.CaseMatches", "GET"): ("career_profile", False),
    ("api_employers.CaseSuggestions", "GET"): ("placements", False),
    ("api_employers.CaseSuggestions", "POST"): ("placements", True),
    ("api_employers.FollowUpMove", "GET"): ("follow_ups", False),
    ("api_employers.FollowUpMove", "POST"): ("follow_ups", True),
    ("api_plan.Goals", "GET"): ("shared_plan", False),
    ("api_plan.Goals", "POST"): ("shared_plan", True),
    ("api_plan.Actions", "GET"): ("shared_plan", False),
    ("api_plan.Actions", "POST"): ("shared_plan", True),
    ("api_plan.ActionDone", "POST"): ("shared_plan", True),
    ("api_plan.Interventions", "GET"): ("parallel_interventions", False),
    ("api_plan.Interventions", "POST"): ("parallel_interventions", True),
    ("api_plan.InterventionEnd", "POST"): ("parallel_interventions", True),
    ("api_plan.Supports", "GET"): ("placements", False),
    ("api_plan.Supports", "PUT"): ("placements", True),
    ("api_plan.Progress", "GET"): ("progress", False),
    ("api_plan.Progress", "POST"): ("progress", True),
    ("plan.save_goal", "POST"): ("shared_plan", True),
    ("plan.add_action", "POST"): ("shared_plan", True),
    ("plan.action_done", "POST"): ("shared_plan", True),
    ("plan.start_intervention", "POST"): ("parallel_interventions", True),
    ("plan.end_intervention", "POST"): ("parallel_interventions", True),
    ("plan.save_supports", "POST"): ("placements", True),
    ("plan.rate", "POST"): ("progress", True),
    ("plan.participation", "POST"): ("phase", True),
    ("plan.invite", "POST"): ("phase", True),
    # The sectors at work: psychiatry's admissions and discharges (its page shows the reasons), the jobcenter's
    # decisions, a running job's new terms.
    ("sector_pages.treatment", "GET"): ("shared_health_info", True),
    ("sector_pages.admit", "POST"): ("shared_health_info", True),
    ("sector_pages.discharge", "POST"): ("shared_health_info", True),
    ("sector_pages.add_decision", "POST"): ("benefit_facts", True),
    ("sector_pages.edit_decision", "POST"): ("benefit_facts", True),
    ("sector_pages.change_terms", "POST"): ("placements", True),
}
# Endpoints not scoped to one case, and who may use them (roles; others get the status given).
GLOBAL = {
    ("api_cases.Cases", "GET"),
    ("api_cases.Cases", "POST"),
    ("api_citizens.Citizens", "GET"),
    ("api_citizens.CitizenDetail", "GET"),
    ("api_citizens.CitizenExport", "GET"),
    ("api_citizens.CitizenCpr", "POST"),
    ("api_case_parts.EmployerContacts", "GET"),
    ("api_case_parts.EmployerContacts", "POST"),
    ("api_case_parts.FollowUps", "GET"),
    ("api_tokens.Tokens", "GET"),
    ("api_tokens.Tokens", "POST"),
    ("api_tokens.TokenDetail", "DELETE"),
    ("auth.login", "GET"),
    ("auth.login", "POST"),
    ("auth.logout", "POST"),
    ("auth.idp_start", "GET"),
    ("auth.idp_callback", "GET"),
    ("auth.logout_everywhere", "POST"),
    ("auth.language", "POST"),
    ("cases.index", "GET"),
    ("health.healthz", "GET"),
    ("ack.acknowledge_page", "GET"),
    ("ack.acknowledge_post", "POST"),
    ("coordinator.notifications", "GET"),
    ("ack.retired_link", "GET"),
    ("ack.retired_link", "POST"),  # never reads its value: test_no_secret_in_a_path
    ("coordinator.retry", "POST"),
    ("api-docs.openapi_json", "GET"),
    ("static", "GET"),
    ("coordinator.merge", "POST"),  # the team's coordinator: test_privacy_leaks
    ("assignment.assign", "POST"),  # the team's coordinator only: tests/web/test_referral_pages.py
    ("inbox.index", "GET"),
    ("inbox.read", "POST"),
    ("inbox.read_all", "POST"),  # own items: test_referral_pages
    ("case_page.acknowledge_here", "POST"),  # only the notification's recipient: test_case_page
    ("cases.home", "GET"),
    ("consultant.my_day", "GET"),
    ("consultant.employer_contact", "GET"),
    ("consultant.employer_contact", "POST"),
    ("consultant.log_contact_for", "POST"),  # test_dashboards
    ("coordinator.overview", "GET"),
    ("coordinator.reports", "GET"),
    ("coordinator.outcomes_csv", "GET"),
    ("coordinator.country", "GET"),  # national coordinators only, aggregates: test_country
    ("coordinator.caseload_csv", "GET"),  # coordinators only: test_reports
    ("coordinator.caseload_xlsx", "GET"),
    ("coordinator.outcomes_xlsx", "GET"),
    ("coordinator.fidelity_csv", "GET"),
    ("coordinator.fidelity_xlsx", "GET"),  # coordinators only: test_reports_readable
    ("search.form", "GET"),
    ("search.results", "POST"),  # the user's own cases only: test_search
    ("case_page.new_referral", "GET"),
    ("case_page.new_referral", "POST"),  # all but admin: test_browser
    ("privacy.index", "GET"),
    ("privacy.export", "POST"),  # privacy officer only: test_citizen_routes_matrix
    # The employer register (the IPS team's consultants and coordinator): tests/web/test_employers_pages.py
    # and tests/api/test_employers_api.py.
    ("api_employers.Employers", "GET"),
    ("api_employers.Employers", "POST"),
    ("api_employers.EmployerDetail", "GET"),
    ("api_employers.EmployerDetail", "PUT"),
    ("api_employers.EmployerPersons", "POST"),
    ("api_employers.EmployerOpenings", "POST"),
    ("api_employers.Openings", "GET"),
    ("api_employers.OpeningStatusView", "POST"),
    ("api_employers.OpeningCandidates", "GET"),
    ("api_employers.SuggestionOutcomeView", "POST"),
    ("employers.index", "GET"),
    ("employers.index", "POST"),
    ("employers.search_json", "GET"),
    ("employers.detail", "GET"),
    ("employers.update", "POST"),
    ("employers.add_person", "POST"),
    ("employers.add_opening", "POST"),
    ("employers.openings", "GET"),
    ("employers.opening", "GET"),
    ("employers.opening_status", "POST"),
    ("employers.case_matches", "GET"),
    ("employers.suggest", "POST"),
    ("employers.suggestion_outcome", "POST"),
    ("employers.week", "GET"),
    ("employers.next_step_done", "POST"),
    ("employers.move", "GET"),
    ("employers.move", "POST"),
    # The citizen's own view: a citizen session only, own cases only; staff get 404 (test_citizen_view).
    ("citizen.login", "GET"),
    ("citizen.login", "POST"),
    ("citizen.code", "GET"),
    ("citizen.code", "POST"),
    ("citizen.invitation", "GET"),
    ("citizen.invitation", "POST"),
    ("citizen.oidc_start", "GET"),
    ("citizen.retired_invitation", "GET"),
    ("citizen.retired_invitation", "POST"),
    ("citizen.oidc_callback", "GET"),
    ("citizen.logout", "POST"),
    ("citizen.home", "GET"),
    ("citizen.case", "GET"),
    ("citizen.save_goal", "POST"),
    ("citizen.add_note", "POST"),
    ("citizen.rate", "POST"),
    ("citizen.withdraw", "POST"),
    ("citizen.export", "GET"),
    ("citizen.my_data", "GET"),
    # The sectors: the consultant's own treatment-team meetings, the caseworker's workspace (test_sectors_pages).
    ("sector_pages.team_meetings", "GET"),
    ("sector_pages.team_meetings", "POST"),
    ("sector_pages.workspace", "GET"),
    # Accounts: each user's own account and calendar feed, the forgotten-password pages, and
    # the admin role's pages (admin only, 404 for every other role): tests/web/test_accounts.py.
    ("account.index", "GET"),
    ("account.change_password", "POST"),
    ("account.new_calendar_key", "POST"),
    ("account.revoke_calendar", "POST"),
    ("account.calendar", "GET"),
    ("account.forgot", "GET"),
    ("account.forgot", "POST"),
    ("account.reset", "GET"),
    ("account.reset", "POST"),
    ("admin.index", "GET"),
    ("admin.users", "GET"),
    ("admin.users", "POST"),
    ("admin.user", "GET"),
    ("admin.user", "POST"),
    ("admin.tokens", "GET"),
    ("admin.revoke_token", "POST"),
    ("admin.organisations", "GET"),
    ("admin.organisations", "POST"),
    # Sync and push: the feed and /me for every login, each item through the case's access
    # (tests/api/test_sync.py); the integrations admin for the admin only (tests/api/test_webhooks.py,
    # tests/web/test_admin_integrations.py).
    ("api_changes.Changes", "GET"),
    ("api_directory.Staff", "GET"),
    ("api_directory.Me", "GET"),
    ("api_integrations.ServiceTokens", "GET"),
    ("api_integrations.ServiceTokens", "POST"),
    ("api_integrations.ServiceTokenDetail", "DELETE"),
    ("api_integrations.Webhooks", "GET"),
    ("api_integrations.Webhooks", "POST"),
    ("api_integrations.WebhookDetail", "DELETE"),
    ("api_integrations.Deliveries", "GET"),
    ("api_integrations.DeliveryResend", "POST"),
    ("admin_integrations.index", "GET"),
    ("admin_integrations.create_token", "POST"),
    ("admin_integrations.revoke_token", "POST"),
    ("admin_integrations.register_webhook", "POST"),
    ("admin_integrations.disable_webhook", "POST"),
    ("admin_integrations.resend", "POST"),
    # The team's own practice and figures (coordinators; guides for the IPS team): aggregates and the team's
    # texts, no citizen: tests/db/test_tenure_figures.py, test_fidelity_reviews.py, test_guides.py.
    ("figures.time_and_tenure_page", "GET"),
    ("figures.time_and_tenure_csv", "GET"),
    ("figures.time_and_tenure_xlsx", "GET"),
    ("figures.economics_page", "GET"),
    ("figures.economics_csv", "GET"),
    ("figures.economics_xlsx", "GET"),
    ("fidelity_reviews.index", "GET"),
    ("fidelity_reviews.create", "POST"),
    ("fidelity_reviews.detail", "GET"),
    ("fidelity_reviews.scores", "POST"),
    ("fidelity_reviews.add_action", "POST"),
    ("fidelity_reviews.action_done", "POST"),
    ("fidelity_reviews.xlsx", "GET"),
    ("guides.index", "GET"),
    ("guides.new", "GET"),
    ("guides.create", "POST"),
    ("guides.edit", "GET"),
    ("guides.update", "POST"),
    ("guides.standard", "POST"),
    # The case's coordinating professional (every party reads who; the consultant, the tovholder or the
    # coordinator changes it) and the citizen's network (the IPS team, and the citizen in their own view):
    # tests/db/test_coordination.py, tests/db/test_network.py.
    ("coordination.show", "GET"),
    ("coordination.change", "POST"),
    ("network.staff_page", "GET"),
    ("network.staff_add", "POST"),
    ("network.staff_consents", "POST"),
    ("network.staff_invite", "POST"),
    ("network.staff_took_part", "POST"),
    ("network.staff_action", "POST"),
    ("citizen.network_page", "GET"),
    ("citizen.network_add", "POST"),
    ("citizen.network_consents", "POST"),
    ("citizen.network_remove", "POST"),
    # The second pair of eyes on service tokens: the privacy officer (and for the API a coordinator of
    # the token's organisation): test_integration_accounts_matrix below and tests/api/test_sync.py.
    ("api_token_approvals.PendingTokens", "GET"),
    ("api_token_approvals.TokenApproval", "POST"),
    ("privacy.approve_token", "POST"),
    ("privacy.reject_token", "POST"),
    ("coordinator.approve_token", "POST"),
    ("coordinator.reject_token", "POST"),  # test_admin_integrations
}

HEALTH = {"symptoms", "coping_strategies", "warning_signs", "medication_side_effects", "strengths"}


def expected_parts(relation: str | None, consents_live: bool) -> set[str] | None:
    """The consent rules (docs/domain.md), restated. None: the case does not exist for this user."""
    if relation in ("consultant", "team_consultant"):
        parts = {
            "identity",
            "phase",
            "career_profile",
            "placements",
            "contact_notes",
            "history",
            "consents",
            "follow_ups",
            "shared_plan",
            "parallel_interventions",
            "progress",
        }
        return parts | ({"shared_health_info", "benefit_facts"} if consents_live else set())
    if relation == "psychiatry_contact":  # employment progress (with the plan) only under consent; never benefit facts
        parts = {"identity", "phase", "shared_health_info", "consents", "parallel_interventions"}
        under_consent = {"placements", "career_profile", "history", "shared_plan", "progress"}
        return parts | (under_consent if consents_live else set())
    if relation == "jobcenter_caseworker":  # never clinical information: no interventions, no ratings
        parts = {"identity", "phase", "benefit_facts", "consents"}
        return parts | ({"placements", "history", "shared_plan"} if consents_live else set())
    if relation == "coordinator":  # status and figures, no notes
        return {"identity", "phase", "placements", "history", "consents", "follow_ups", "access_log"}
    if relation == "privacy_officer":  # access logs and the full export, nothing else
        return {"access_log", "export"}
    return None


def expected_writes(relation, consents_live=True):
    plan = {"shared_plan"} if consents_live else set()  # the other sectors add to the plan they may see
    return {
        "consultant": {
            "phase",
            "career_profile",
            "placements",
            "contact_notes",
            "consents",
            "follow_ups",
            "shared_plan",
            "parallel_interventions",
            "progress",
        },
        "team_consultant": {
            "phase",
            "career_profile",
            "placements",
            "contact_notes",
            "consents",
            "follow_ups",
            "shared_plan",
            "parallel_interventions",
            "progress",
        },
        "psychiatry_contact": {"shared_health_info", "consents", "parallel_interventions"} | plan,
        "jobcenter_caseworker": {"benefit_facts", "consents"} | plan,
        "coordinator": {"phase", "follow_ups"},
    }.get(relation, set())


ACTORS = {
    "consultant": "consultant",
    "colleague": "team_consultant",
    "outsider": None,
    "clinician": "psychiatry_contact",
    "other_clinician": None,
    "caseworker": "jobcenter_caseworker",
    "coordinator": "coordinator",
    "admin": None,
    "privacy_officer": "privacy_officer",
}


def _consents(case, world, state):
    today = utcnow().date()
    specs = [
        ("psychiatry", "ips_team", sorted(HEALTH)),
        ("ips_team", "psychiatry", ["employment_progress"]),
        ("ips_team", "jobcenter", ["employment_progress"]),
        ("jobcenter", "ips_team", ["benefit_facts"]),
    ]
    rows = []
    for from_party, to_party, cats in specs:
        given = today - timedelta(days=100) if state == "expired" else today
        expires = today - timedelta(days=1) if state == "expired" else None
        rows.append(
            act.record_consent(
                case,
                world.consultant,
                from_party=from_party,
                to_party=to_party,
                categories=cats,
                purpose="Koordinering",
                given_at=given,
                expires_at=expires,
            )
        )
    if state == "withdrawn":
        for row in rows:
            act.withdraw_consent(row, world.consultant, requested_by="citizen", confirmed=True)
    # A consent the matrix may withdraw without changing anyone's access.
    return act.record_consent(
        case,
        world.consultant,
        from_party="jobcenter",
        to_party="psychiatry",
        categories=["benefit_facts"],
        purpose="Matrix",
        given_at=today,
        expires_at=None,
    )


def _plan_rows(case, world):
    """An action, an intervention and a jobcenter decision on the case, for the routes that name one."""
    from ips_coord.services import plan as plan_svc

    return {
        "action_id": plan_svc.add_action(case, text="Ring", owner="citizen", due_date=None, actor=world.consultant).id,
        "intervention_id": plan_svc.start_intervention(
            case, world.consultant, name="CTI", start_date=utcnow().date()
        ).id,
        "fact_id": act.record_benefit_fact(case, world.caseworker, benefit="Kontanthjælp", note=None).id,
    }


def _url(app, endpoint, case, spare_consent, follow_up, **extra):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    args = {"case_id": case.id, "consent_id": spare_consent.id, "follow_up_id": follow_up.id, **extra}
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: v for k, v in args.items() if k in rule.arguments})


def test_every_endpoint_is_in_the_matrix(app):
    seen = {(r.endpoint, m) for r in app.url_map.iter_rules() for m in r.methods - {"HEAD", "OPTIONS"}}
    missing = seen - set(CASE_SCOPED) - GLOBAL
    assert not missing, f"add these endpoints to the access matrix: {sorted(missing)}"


def test_each_api_method_declares_its_case_part(app):
    """The access rule sits on the API method it guards (@case_part); the declarations agree
    with the matrix above, and no API route scoped to a case goes without one."""
    from ips_coord.api.common import declared_case_part

    with app.test_request_context():
        declared = {
            (r.endpoint, m): declared_case_part(r.endpoint, m)
            for r in app.url_map.iter_rules()
            if r.endpoint.startswith("api_")
            for m in r.methods - {"HEAD", "OPTIONS"}
        }
    api_scoped = {k: v for k, v in CASE_SCOPED.items() if k[0].startswith("api_")}
    assert {k: (str(v[0]), v[1]) for k, v in declared.items() if v is not None} == api_scoped
    for (endpoint, method), rule in declared.items():
        if rule is None:
            assert (endpoint, method) in GLOBAL, f"{endpoint} {method}: no @case_part and not global"


@pytest.mark.parametrize("state", ["given", "withdrawn", "expired"])
def test_matrix(client, app, world, clock, state):
    case = world.case_in("employed")
    act.save_profile(case, world.consultant, {"job_preferences": "Lager"})
    spare = _consents(case, world, state)
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.status == "open"))
    plan_ids = _plan_rows(case, world)
    live = state == "given"
    tokens = {name: bearer(getattr(world, name)) for name in ACTORS}
    failures = []
    for name, relation in ACTORS.items():
        parts = expected_parts(relation, live)
        writes = expected_writes(relation, live)
        # The visible parts the API reports equal the design's.
        r = client.get(f"/api/v1/cases/{case.id}", headers=tokens[name])
        if parts is None:
            assert r.status_code == 404, name
        elif "phase" not in parts:
            assert r.status_code == 403, name
        else:
            assert set(r.json["visible_parts"]) == parts, (name, state)
        for (endpoint, method), (part, write) in CASE_SCOPED.items():
            if not endpoint.startswith("api_"):
                continue  # pages: below, with a session
            url = _url(app, endpoint, case, spare, follow_up, **plan_ids)
            resp = client.open(url, method=method, headers=tokens[name], json={} if method in ("POST", "PUT") else None)
            if parts is None:
                ok = resp.status_code == 404
            elif (part in writes) if write else (part in parts):
                ok = resp.status_code not in (401, 403, 404)
            else:
                ok = resp.status_code == 403
            if not ok:
                failures.append((name, method, url, resp.status_code))
    assert not failures, failures


@pytest.mark.parametrize("name", list(ACTORS))
def test_pages_matrix(app, world, name):
    from tests.conftest import IsolatedClient

    case = world.case_in("engagement")
    spare = _consents(case, world, "given")
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.status == "open"))
    plan_ids = _plan_rows(case, world)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    login(client, getattr(world, name))
    relation = ACTORS[name]
    parts, writes = expected_parts(relation, True), expected_writes(relation)
    failures = []
    for (endpoint, method), (part, write) in CASE_SCOPED.items():
        if not endpoint.startswith(("case_page.", "plan.")):
            continue
        url = _url(app, endpoint, case, spare, follow_up, **plan_ids)
        resp = client.open(url, method=method, data={})
        if parts is None:
            ok = resp.status_code == 404
        elif (part in writes) if write else (part in parts):
            ok = resp.status_code in (200, 302, 400)
        else:
            ok = resp.status_code == 403
        if not ok:
            failures.append((method, url, resp.status_code))
    assert not failures, failures
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == {None: 404, "privacy_officer": 403}.get(relation, 200)
    log_page = client.get(f"/cases/{case.id}/access-log")
    assert log_page.status_code == {None: 404, "coordinator": 200, "privacy_officer": 200}.get(relation, 403)
    coordinator_page = client.get("/coordinator/notifications")
    assert coordinator_page.status_code == (200 if name == "coordinator" else 404)
    privacy_page = client.get("/privacy")
    assert privacy_page.status_code == (200 if name == "privacy_officer" else 404)


def test_withdrawal_takes_effect_on_the_next_request(client, world):
    case = world.case_in("engagement")
    consent = act.record_consent(
        case,
        world.consultant,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["coping_strategies"],
        purpose="Koordinering",
        given_at=utcnow().date(),
        expires_at=None,
    )
    h = bearer(world.consultant)
    r = client.post(
        f"/api/v1/cases/{case.id}/shared-health-info",
        headers=bearer(world.clinician),
        json={"category": "coping_strategies", "text": "Går en tur ved uro"},
    )
    assert r.status_code == 201
    assert client.get(f"/api/v1/cases/{case.id}/shared-health-info", headers=h).json["total"] == 1
    client.post(f"/api/v1/consents/{consent.id}/withdraw", headers=h, json={"requested_by": "citizen", "confirm": True})
    assert client.get(f"/api/v1/cases/{case.id}/shared-health-info", headers=h).status_code == 403


def test_expiry_takes_effect_the_day_it_comes(client, world, clock):
    case = world.case_in("engagement")
    act.record_consent(
        case,
        world.consultant,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["strengths"],
        purpose="Koordinering",
        given_at=utcnow().date(),
        expires_at=utcnow().date() + timedelta(days=10),
    )
    h = bearer(world.consultant)
    assert client.get(f"/api/v1/cases/{case.id}/shared-health-info", headers=h).status_code == 200
    clock.advance(days=10)
    assert client.get(f"/api/v1/cases/{case.id}/shared-health-info", headers=h).status_code == 403


def test_shared_health_info_is_limited_to_consented_categories(client, world):
    case = world.case_in("engagement")
    ch = bearer(world.clinician)
    for cat, text in (("strengths", "God til struktur"), ("symptoms", "Uro om natten")):
        client.post(f"/api/v1/cases/{case.id}/shared-health-info", headers=ch, json={"category": cat, "text": text})
    db.session.refresh(case)  # the shares raised the case's version
    act.record_consent(
        case,
        world.consultant,
        from_party="psychiatry",
        to_party="ips_team",
        categories=["strengths"],
        purpose="Koordinering",
        given_at=utcnow().date(),
        expires_at=None,
    )
    items = client.get(f"/api/v1/cases/{case.id}/shared-health-info", headers=bearer(world.consultant)).json["items"]
    assert [i["text"] for i in items] == ["God til struktur"]
    # Psychiatry always sees what it shared itself.
    assert client.get(f"/api/v1/cases/{case.id}/shared-health-info", headers=ch).json["total"] == 2
    assert isinstance(db.session.scalar(select(Consent).limit(1)), Consent)


# Citizen-scoped routes, lists and exports, for every actor (the consent rules of docs/domain.md, restated):
# relation -> (sees the citizen in lists and by id, refers them by id, export scope).
CITIZEN_RULES = {
    "consultant": (True, True, "role"),
    "team_consultant": (True, True, "role"),
    "psychiatry_contact": (True, True, "role"),
    "jobcenter_caseworker": (True, True, "role"),
    "coordinator": (True, True, "role"),
    "privacy_officer": (False, False, "full"),
    None: (False, False, None),
}
REFERRERS = {"ips_consultant", "psychiatry", "jobcenter", "coordinator"}


@pytest.mark.parametrize("state", ["given", "withdrawn"])
def test_citizen_routes_matrix(client, world, state):
    from ips_coord.models import Citizen, IpsCase

    case = world.case_in("employed")
    _consents(case, world, state)
    cid = case.citizen_id
    failures = []
    for name, relation in ACTORS.items():
        actor = getattr(world, name)
        h = bearer(actor)
        sees, refers, export_scope = CITIZEN_RULES[relation]
        listed = [c["id"] for c in client.get("/api/v1/citizens", headers=h).json["items"]]
        detail = client.get(f"/api/v1/citizens/{cid}", headers=h).status_code
        cases = [c["id"] for c in client.get("/api/v1/cases", headers=h).json["items"]]
        follow_ups = {f["case_id"] for f in client.get("/api/v1/follow-ups", headers=h).json["items"]}
        if (cid in listed, detail == 200, case.id in cases) != (sees, sees, sees):
            failures.append((name, "lists/detail", cid in listed, detail, case.id in cases))
        if follow_ups - ({case.id} if sees else set()):
            failures.append((name, "follow-ups of a case not theirs", follow_ups))
        # Export: 404 without a relation; the privacy officer's needs a reason and is whole.
        export = client.get(f"/api/v1/citizens/{cid}/export", headers=h)
        if export_scope is None and export.status_code != 404:
            failures.append((name, "export", export.status_code))
        if export_scope == "full":
            with_reason = client.get(f"/api/v1/citizens/{cid}/export?reason=Indsigtsanmodning", headers=h)
            if export.status_code != 422 or with_reason.status_code != 200 or with_reason.json["scope"] != "full":
                failures.append((name, "full export", export.status_code, with_reason.status_code))
        if export_scope == "role":  # exactly the parts the role reads now; never the full export
            parts = expected_parts(relation, state == "given")
            [exported] = export.json["cases"] if export.status_code == 200 else [{}]
            if export.status_code != 200 or set(exported.get("parts", [])) != parts:
                failures.append((name, "export parts", export.status_code, exported.get("parts"), sorted(parts)))
    for name, relation in ACTORS.items():
        # Referring an existing citizen by id needs a relation to them; nothing is written otherwise.
        actor, h = getattr(world, name), bearer(getattr(world, name))
        refers = CITIZEN_RULES[relation][1]
        before = _db_counts(IpsCase, Citizen)
        referred = client.post("/api/v1/cases", headers=h, json={"citizen_id": cid})
        wanted = 201 if refers and actor.role in REFERRERS else (404 if actor.role in REFERRERS else 403)
        if referred.status_code != wanted:
            failures.append((name, "refer by id", referred.status_code, wanted))
        if wanted != 201 and _db_counts(IpsCase, Citizen) != before:
            failures.append((name, "refer by id wrote something"))
    assert not failures, failures


def _db_counts(*models):
    from sqlalchemy import func

    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in models)


# Integration accounts (an organisation's system behind an approved service token) relate to cases
# as the organisation's own staff do: (kind, the staff member of that kind on the main case, the
# relation both have to it). National IPS support sees aggregates only: its system relates to none.
INTEGRATION_KINDS = {
    "ips_team": ("team", "colleague", "team_consultant"),
    "psychiatry": ("psychiatry", "clinician", "psychiatry_contact"),
    "jobcenter": ("jobcenter", "caseworker", "jobcenter_caseworker"),
    "national": ("national", None, None),
}


def _bearer_of(token: str) -> dict:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


@pytest.mark.parametrize("state", ["given", "withdrawn"])
def test_integration_accounts_matrix(client, app, world, state):
    """For every organisation kind: which cases its system sees and which parts of them, against
    what a staff member of that kind sees, under consents given and withdrawn."""
    from ips_coord.access.policy import case_filter, relation_to_case
    from ips_coord.models import IpsCase, Organisation, User
    from ips_coord.workflows.phases import OrgKind, Role
    from tests.factories import service_token

    main = world.case_in("employed")
    act.save_profile(main, world.consultant, {"job_preferences": "Lager"})
    spare = _consents(main, world, state)
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.case_id == main.id, FollowUp.status == "open"))
    plan_ids = _plan_rows(main, world)
    # The other clinician's patient (the team's, no jobcenter) and another team's case (nobody's here).
    other_patient = world.referral(psychiatry_contact_id=world.other_clinician.id, jobcenter_caseworker_id=None)
    elsewhere = act.create_referral(
        {"first_name": "Anden", "last_name": "Borger", "birth_year": 1971},
        world.outsider,
        psychiatry_contact_id=None,
        jobcenter_caseworker_id=None,
    )
    national = Organisation(name="Nationalt IPS", kind=OrgKind.NATIONAL)
    db.session.add(national)
    db.session.commit()
    expected_cases = {
        "ips_team": {main.id, other_patient.id},
        "psychiatry": {main.id, other_patient.id},
        "jobcenter": {main.id},
        "national": set(),
    }
    live = state == "given"
    failures = []
    for kind, (org_name, staff_name, relation) in INTEGRATION_KINDS.items():
        org = national if org_name == "national" else getattr(world, org_name)
        made = client.post(
            "/api/v1/admin/service-tokens",
            headers=bearer(world.admin),
            json={"organisation_id": org.id, "name": kind, "scopes": ["cases:read"]},
        )
        if kind == "national":
            # No system of national IPS support: refused at the door, and the policy relates such an
            # account (were one made by hand) to no case.
            assert made.status_code == 422 and "organisation_id" in made.json["errors"]
            account = User(
                email="national-system@service.invalid",
                name="National system",
                role=Role.INTEGRATION,
                organisation_id=national.id,
                locale="en",
                password_hash="x",
                created_at=utcnow(),
            )
            db.session.add(account)
            db.session.commit()
            assert all(relation_to_case(account, c) is None for c in db.session.scalars(select(IpsCase)))
            assert db.session.scalars(select(IpsCase.id).where(case_filter(account))).all() == []
            continue
        assert made.status_code == 201, made.json
        token, _row = (
            service_token(world, org, ["cases:read"])
            if kind != "ips_team"
            else service_token(world, org, ["cases:read"], approver=world.coordinator)
        )  # the team's coordinator approves
        h = _bearer_of(token)
        listed = {c["id"] for c in client.get("/api/v1/cases?page_size=200", headers=h).json["items"]}
        if listed != expected_cases[kind] or elsewhere.id in listed:
            failures.append((kind, "cases", sorted(listed)))
        # The same parts as the organisation's staff member on the case, and as the design says.
        mine = client.get(f"/api/v1/cases/{main.id}", headers=h).json["visible_parts"]
        staff = client.get(f"/api/v1/cases/{main.id}", headers=bearer(getattr(world, staff_name))).json
        if set(mine) != expected_parts(relation, live) or set(mine) != set(staff["visible_parts"]):
            failures.append((kind, "parts", sorted(mine), sorted(staff["visible_parts"])))
        parts = expected_parts(relation, live)
        for (endpoint, method), (part, _write) in CASE_SCOPED.items():
            if not endpoint.startswith("api_") or method != "GET":
                continue  # its scope (cases:read) allows reads only: writes are 403 by scope
            url = _url(app, endpoint, main, spare, follow_up, **plan_ids)
            status = client.get(url, headers=h).status_code
            if (status == 200) != (part in parts) or status not in (200, 403):
                failures.append((kind, url, status))
        if client.get(f"/api/v1/cases/{elsewhere.id}", headers=h).status_code != 404:
            failures.append((kind, "another team's case exists for it"))
    assert not failures, failures


def test_the_admins_token_reads_nothing_alone_and_the_privacy_officer_sees_the_attempt(client, world):
    """The admin asks for a psychiatry system's token and tries to read a case with it: refused
    before the approval (403) and after it with only their half (401), both in the log the privacy
    officer reads, naming the integration account and the admin behind it."""
    from ips_coord.models import AccessLog, ApiToken

    case = world.referral()
    admin = bearer(world.admin)
    made = client.post(
        "/api/v1/admin/service-tokens",
        headers=admin,
        json={"organisation_id": world.psychiatry.id, "name": "EPJ", "scopes": ["cases:read"]},
    ).json
    half = made["token"]
    before = client.get(f"/api/v1/cases/{case.id}", headers=_bearer_of(half))
    assert before.status_code == 403 and before.mimetype == "application/problem+json"
    assert before.json["title"] == "Service token not approved" and before.json["code"] == "token_not_approved"
    # Nobody approves their own request, and a coordinator only for their own organisation.
    approve = {"decision": "approve"}
    assert client.post(f"/api/v1/service-token-approvals/{made['id']}", headers=admin, json=approve).status_code == 403
    assert (
        client.post(
            f"/api/v1/service-token-approvals/{made['id']}", headers=bearer(world.coordinator), json=approve
        ).status_code
        == 403
    )
    pending = client.get("/api/v1/service-token-approvals", headers=bearer(world.privacy_officer)).json["items"]
    assert [t["id"] for t in pending] == [made["id"]] and pending[0]["state"] == "pending"
    approved = client.post(
        f"/api/v1/service-token-approvals/{made['id']}", headers=bearer(world.privacy_officer), json=approve
    )
    assert approved.status_code == 200 and approved.json["approved_by_id"] == world.privacy_officer.id
    second = approved.json["approver_half"]
    assert "token" not in approved.json and second not in half
    alone = client.get(f"/api/v1/cases/{case.id}", headers=_bearer_of(half))
    assert alone.status_code == 401 and alone.json["title"] == "Service token incomplete"
    assert client.get(f"/api/v1/cases/{case.id}", headers=_bearer_of(f"{half}.{half[4:]}")).status_code == 401
    assert client.get(f"/api/v1/cases/{case.id}", headers=_bearer_of(second)).status_code == 401
    # Both halves (what the integration is handed): it reads as psychiatry reads.
    whole = client.get(f"/api/v1/cases/{case.id}", headers=_bearer_of(f"{half}.{second}"))
    assert whole.status_code == 200 and "contact_notes" not in whole.json["visible_parts"]
    row = db.session.get(ApiToken, made["id"])
    refused = db.session.scalars(
        select(AccessLog).where(AccessLog.user_id == row.user_id, AccessLog.action == "refused").order_by(AccessLog.id)
    ).all()
    assert [(r.case_id, r.outcome, r.part) for r in refused] == [(case.id, 403, "service_token")] + [
        (case.id, 401, "service_token")
    ] * 2
    reads = db.session.scalars(
        select(AccessLog).where(AccessLog.user_id == row.user_id, AccessLog.action == "read")
    ).all()
    assert reads and all(r.case_id == case.id for r in reads)
    events = db.session.execute(
        select(AccessLog.user_id, AccessLog.reason).where(
            AccessLog.part == "service_token", AccessLog.target == f"token {row.id}", AccessLog.action == "write"
        )
    ).all()
    assert sorted(events) == sorted([(world.admin.id, "created"), (world.privacy_officer.id, "approved")])
    db.session.commit()
    # The privacy officer's page: the attempt, the integration account and the people behind it.
    login(client, world.privacy_officer)
    page = client.get("/privacy?lang=en").get_data(as_text=True)
    assert "Not approved yet" in page and "Only one half of the token" in page and row.user.name in page
    assert f"token #{row.id}, created by {world.admin.name}, approved by {world.privacy_officer.name}" in page
    log_page = client.get(f"/privacy?lang=en&q={case.reference}").get_data(as_text=True)
    assert f"created by {world.admin.name}" in log_page, "each read names the people behind the system"

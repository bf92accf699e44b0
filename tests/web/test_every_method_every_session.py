"""OPTIONS and HEAD on every rule of the URL map, for every kind of session: never a 5xx.

Flask answers OPTIONS itself, but a blueprint's before_request runs first; a role check there
that assumed a signed-in staff user failed for a visitor or a citizen. The rules come from the
app, so a new route or blueprint is covered without editing this file.
"""

from __future__ import annotations

import re

from ips_coord.clock import utcnow
from ips_coord.extensions import db as _db
from ips_coord.models import Citizen
from ips_coord.services import citizen_access
from ips_coord.workflows.plan import SignInMethod
from tests.conftest import IsolatedClient
from tests.factories import login

STAFF = ("consultant", "clinician", "caseworker", "coordinator", "admin", "privacy_officer")


def _sessions(app, world, case) -> dict:
    app.test_client_class = IsolatedClient
    clients = {"anonymous": app.test_client(), "citizen": app.test_client()}
    citizen = _db.session.get(Citizen, case.citizen_id)
    sid = citizen_access.start_session(citizen, SignInMethod.EMAIL_CODE)
    with clients["citizen"].session_transaction() as session:
        session["citizen_sid"] = sid
        session["citizen_seen"] = utcnow().timestamp()
    for who in STAFF:
        clients[who] = app.test_client()
        assert login(clients[who], getattr(world, who)).status_code == 302, who
    return clients


def _urls(app, case) -> list[tuple[str, str, frozenset]]:
    """Every rule with its arguments filled: the case's ids where they fit, 1 elsewhere."""
    values = {
        "case_id": str(case.id),
        "citizen_id": str(case.citizen_id),
        "filename": "app.css",
        "key": "cal_not-a-key",
        "token": "not-a-token",
    }
    urls = []
    for rule in app.url_map.iter_rules():
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", values.get(arg, "1"), url)
        urls.append((rule.endpoint, url, frozenset(rule.methods or ())))
    return urls


def test_options_and_head_on_every_rule_for_every_session(app, world):
    case = world.case_in("engagement")
    clients = _sessions(app, world, case)
    urls = _urls(app, case)
    prefixes = {url.split("/")[1] for _e, url, _m in urls}
    assert {"admin", "coordinator", "privacy", "citizen", "api", "cases"} <= prefixes  # really the whole map
    failures = []
    for who, client in clients.items():
        for endpoint, url, methods in urls:
            for method in ("OPTIONS", "HEAD") if "GET" in methods else ("OPTIONS",):
                status = client.open(url, method=method).status_code
                if status >= 500:
                    failures.append((who, method, endpoint, url, status))
    assert failures == []


def test_a_role_guard_answers_options_as_it_answers_get(app, world):
    """OPTIONS says no more than GET: signed out goes to the login, a wrong role gets 404,
    the right role gets the methods."""
    case = world.case_in("engagement")
    clients = _sessions(app, world, case)
    for url, owner in (
        ("/admin/users", "admin"),
        ("/coordinator", "coordinator"),
        ("/privacy", "privacy_officer"),
        ("/inbox", "consultant"),
    ):
        for who, client in clients.items():
            get, options = client.get(url), client.options(url)
            if who == owner:
                assert get.status_code == 200 and options.status_code == 200 and "GET" in options.headers["Allow"]
            elif who in ("anonymous", "citizen"):
                assert get.status_code == options.status_code == 302, (url, who)
                assert "/login" in options.headers["Location"]
            elif url != "/inbox" or who in ("admin", "privacy_officer"):
                assert get.status_code == options.status_code == 404, (url, who)

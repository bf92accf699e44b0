"""Property-based: no request a user can send gets a 5xx (bad input gets a clear error).

The endpoints come from the app itself: every JSON write in the OpenAPI document (with the
properties of its body schema) and every form POST in the URL map, so a new endpoint is fuzzed
without editing this file. Each is sent every class of bad input once (lone surrogates, NUL,
CR/LF, deep nesting, huge strings, wrong types), then hypothesis adds random combinations.
"""

from __future__ import annotations

import glob
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule
from wtforms.fields.core import UnboundField

from tests.conftest import IsolatedClient
from tests.factories import login

pytestmark = pytest.mark.slow  # every endpoint with every class of bad input, then random ones: minutes

BAD_STRINGS = [
    "\udc00",
    "a\ud800b",
    "\x00",
    "x\x00y",
    "a\r\nSet-Cookie: x=1",
    "//evil.example",
    "x" * 300_000,
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "2026-13-45",
    "1e309",
    "null",
    "<script>",
]
# One of each class, for the exhaustive sweep (every endpoint x every class).
CLASSES = ["\udc00", "x\x00y", "a\r\nSet-Cookie: x=1", "x" * 300_000, "", "99999999999999999999", "2026-13-45"]
WRONG_TYPES = [None, True, 0, -1, 2**63, 1.5, [], {}, ["\udc00"], {"a": "\x00"}]
# The same classes for a form, whose every field is filled at once: a long text that keeps the body
# under MAX_CONTENT_LENGTH, so it reaches the fields instead of a 413 (300,000 characters in each of
# ~100 fields never did).
FORM_CLASSES = [v if len(v) < 10_000 else "x" * 5_000 for v in CLASSES]
# Numbers int() or the database cannot take: str.isdigit() accepts "²" and int() refuses it; int()
# accepts "٣" and "５"; 20 digits, 2^31 and -2^31-1 are beyond PostgreSQL's integer.
NUMBERS = ["²", "٣", "５", "99999999999999999999", "2147483648", "-2147483649"]


def _deep(n: int) -> str:
    return "[" * n + "]" * n


NESTED = json.loads(_deep(60))  # deeper than any schema, shallow enough for json.dumps


JSON_BODIES = [
    _deep(1000),
    _deep(50_000),
    '{"a":' * 1000 + "1" + "}" * 1000,
    '"\\udc00"',
    "[]",
    "null",
    "1",
    '{"name": "\\ud800"}',
    "{",
    "\x00",
    '{"name": "' + "x" * 2_000_000 + '"}',
]

# Query parameters seen on GET routes (the API's from OpenAPI, the web's by name: these, and every
# one a view of ips_coord/web reads, found in the source by _read_parameters).
WEB_QUERY = ["q", "page", "phase", "team", "lang", "next", "status", "kind", "overdue", "show"]
SKIP_FORMS = {"auth.logout", "auth.logout_everywhere"}  # they only end the fuzzing session
ANONYMOUS = {
    "auth.login",
    "ack.acknowledge_page",
    "ack.acknowledge_post",
    "ack.retired_link",
    "citizen.login",
    "citizen.code",
    "citizen.invitation",
    "citizen.retired_invitation",
}


def _read_parameters() -> dict[str, set[str]]:
    """Every query parameter the pages read, by the module (ips_coord.web.<name>) that reads it:
    from request.args, the parsers query_id/query_page and forms filled from request.args."""
    import importlib

    import ips_coord.web

    found: dict[str, set[str]] = {}
    for path in glob.glob(ips_coord.web.__path__[0] + "/*.py"):
        module = "ips_coord.web." + path.rsplit("/", 1)[1][:-3]
        if module == "ips_coord.web.guards":
            continue  # the parsers themselves
        source = Path(path).read_text(encoding="utf-8")
        names = set(re.findall(r'request\.args(?:\.get)?[(\[]\s*"(\w+)"', source))
        names |= set(re.findall(r'query_(?:id|page)\(\s*"(\w+)"', source))
        names |= {"page"} if re.search(r'query_page\((?!\s*")', source) else set()
        for form in re.findall(r"(\w+Form)\(request\.args\)", source):
            cls = getattr(importlib.import_module(module), form)
            names |= {n for n, v in vars(cls).items() if isinstance(v, UnboundField)}
        if names:
            found[module] = names
    return found


def _form_field_names() -> list[str]:
    from ips_coord.web import case_forms, citizen_forms, forms, plan_views

    names = {"next", "lang", "event", "email", "password"}
    for module in (case_forms, forms, citizen_forms, plan_views):
        for obj in vars(module).values():
            if isinstance(obj, type):
                names.update(n for n, v in vars(obj).items() if isinstance(v, UnboundField))
    return sorted(names)


class Target:
    def __init__(self, world, case, app):
        from ips_coord.extensions import db
        from ips_coord.models import BenefitFact, Consent, EmployerContact, FollowUp, InboxItem, Notification
        from ips_coord.models.employer import Employer, Opening, Suggestion
        from ips_coord.services import plan

        self.ids = {
            "case_id": case.id,
            "into_case_id": case.id,
            "citizen_id": case.citizen_id,
            "consent_id": db.session.query(Consent.id).filter_by(case_id=case.id).scalar() or 1,
            "follow_up_id": db.session.query(FollowUp.id).filter_by(case_id=case.id).limit(1).scalar() or 1,
            "notification_id": db.session.query(Notification.id).limit(1).scalar() or 1,
            "token_id": 1,
            "token": "not-a-token",
            "filename": "app.css",
            "endpoint_id": 1,
            "delivery_id": 1,  # webhooks: a missing one is a 404
            # The employer register: the ids made in _setup, or 1.
            "employer_id": db.session.query(Employer.id).limit(1).scalar() or 1,
            "opening_id": db.session.query(Opening.id).limit(1).scalar() or 1,
            "suggestion_id": db.session.query(Suggestion.id).limit(1).scalar() or 1,
            "employer_contact_id": db.session.query(EmployerContact.id).limit(1).scalar() or 1,
            "action_id": plan.add_action(case, text="Ring", owner="citizen", due_date=None, actor=world.consultant).id,
            "intervention_id": plan.start_intervention(
                case, world.consultant, name="CTI", start_date=case.referred_at.date()
            ).id,
            # The inbox: an item of the case, or 1.
            "item_id": db.session.query(InboxItem.id).limit(1).scalar() or 1,
            # The team's fidelity reviews and guides, a network meeting: a missing one is a 404.
            "review_id": 1,
            "guide_id": 1,
            "meeting_id": 1,
            # The jobcenter's decisions, corrected in place: one of the case, or 1.
            "fact_id": db.session.query(BenefitFact.id).limit(1).scalar() or 1,
        }
        # Accounts: an admin's user page, and a calendar-feed key that opens nothing.
        self.ids.update(user_id=world.consultant.id, key="cal_not-a-key")
        self.ids.update(
            consultant_id=world.consultant.id,
            psychiatry_contact_id=world.clinician.id,
            jobcenter_caseworker_id=world.caseworker.id,
            version=case.version,
        )
        spec = app.test_client().get("/api/openapi.json").json
        self.spec = spec
        # (method, url, a valid body built from the schema, its free-text fields)
        self.json_writes: list[tuple[str, str, dict, list[str]]] = []
        self.api_gets: list[tuple[str, list[str]]] = []
        for path, ops in spec["paths"].items():
            url = re.sub(r"\{(\w+)\}", lambda m: str(self.ids[m.group(1)]), path)
            for method, op in ops.items():
                if method == "get":
                    self.api_gets.append((url, [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]))
                elif method in ("post", "put", "patch", "delete"):
                    valid, free = {}, []
                    body = op.get("requestBody")
                    if body:
                        schema = self._resolve(body["content"]["application/json"]["schema"])
                        valid = self.valid(schema)
                        free = [
                            n
                            for n, p in schema.get("properties", {}).items()
                            if self._resolve(p).get("type") == "string"
                            and not {"enum", "format"} & set(self._resolve(p))
                            and not p.get("readOnly")
                        ]
                    self.json_writes.append((method.upper(), url, valid, free))
        self.forms: list[tuple[str, str]] = []
        self.web_gets: list[tuple[str, str]] = []
        self.module_of: dict[str, str] = {}  # endpoint -> the module of its view
        with app.test_request_context():
            for rule in app.url_map.iter_rules():
                if rule.rule.startswith("/api/") or rule.endpoint == "static":
                    continue
                url = self._url(rule)
                if "POST" in rule.methods and rule.endpoint not in SKIP_FORMS:
                    self.forms.append((rule.endpoint, url))
                if "GET" in rule.methods:
                    self.web_gets.append((rule.endpoint, url))
                    self.module_of[rule.endpoint] = app.view_functions[rule.endpoint].__module__
        self.field_names = _form_field_names()

    def _resolve(self, schema: dict) -> dict:
        while "$ref" in schema or "oneOf" in schema:  # a body per variant (transitions): the first one
            schema = schema["oneOf"][0] if "oneOf" in schema else schema
            schema = (
                self.spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
            )
        return schema

    def valid(self, schema: dict, name: str = ""):
        """A value the schema accepts, so bad values in one field reach the code behind validation."""
        schema = self._resolve(schema)
        kind = schema.get("type")
        if "enum" in schema:
            return schema["enum"][0]
        if kind == "object":
            return {n: self.valid(p, n) for n, p in schema.get("properties", {}).items() if not p.get("readOnly")}
        if kind == "array":
            return [self.valid(schema.get("items", {}), name)]
        if kind == "string":
            return {"date-time": "2026-03-02T08:00:00Z", "date": "2026-03-02"}.get(schema.get("format"), "tekst")
        if kind == "integer":
            return self.ids.get(name, schema.get("minimum", 1))
        if kind == "number":
            return schema.get("minimum", 1)
        if kind == "boolean":
            return True
        return "tekst"

    def _url(self, rule: Rule) -> str:
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{arg}>", str(self.ids[arg]), url)
        return url


def _encoded(data: dict) -> str:
    """URL-encode as a client would send raw bytes: lone surrogates become invalid UTF-8."""
    return urlencode({k: v.encode("utf-8", "surrogatepass") for k, v in data.items()})


def _post_form(client, url, data, query=None):
    if query is not None:
        url = f"{url}?{_encoded(query)}"
    return client.post(url, data=_encoded(data), content_type="application/x-www-form-urlencoded")


def _get(client, url, query):
    return client.get(f"{url}?{_encoded(query)}")


def _check(response, what):
    assert response.status_code < 500, (what, response.status_code, response.get_data(as_text=True)[:500])


def _clients(app, world):
    app.test_client_class = IsolatedClient
    consultant, coordinator, anonymous = app.test_client(), app.test_client(), app.test_client()
    assert login(consultant, world.consultant).status_code == 302
    assert login(coordinator, world.coordinator).status_code == 302
    return {"consultant": consultant, "coordinator": coordinator, "anonymous": anonymous}


def _client_for(clients, endpoint_or_url: str):
    if endpoint_or_url in ANONYMOUS:
        return clients["anonymous"]
    return clients["coordinator"] if "coordinator" in endpoint_or_url else clients["consultant"]


def _setup(app, world):
    case = world.case_in("engagement")
    world.consent_employment_to_psychiatry(case)
    _employer_register(world, case)
    return Target(world, case, app), _clients(app, world)


def _employer_register(world, case):
    """An employer with a person, an opening, a contact with a next step and a suggestion."""
    from ips_coord.clock import utcnow
    from ips_coord.services import activities as act
    from ips_coord.services import employers as emp
    from ips_coord.services import matching

    act.save_profile(case, world.consultant, {"job_preferences": "lager 20 timer", "disclosure": "full"})
    employer = emp.create_employer(world.consultant, {"name": "Lageret A/S", "cvr": "10150817"})
    person = emp.add_person(employer, world.consultant, {"name": "Mette"})
    opening = emp.create_opening(employer, world.consultant, {"title": "Lagermedarbejder", "hours_per_week": 20})
    act.log_employer_contact(
        world.consultant,
        employer_id=employer.id,
        person_id=person.id,
        occurred_at=utcnow(),
        location="community",
        case=case,
        purpose="learn_needs",
        next_step="Ring",
        next_step_due=utcnow().date(),
    )
    matching.record_suggestion(case, opening, world.consultant)


def test_every_bad_input_class_on_every_endpoint(app, world):
    target, clients = _setup(app, world)
    assert len(target.json_writes) >= 12 and len(target.forms) >= 15  # the lists really came from the app
    # The built bodies are valid: a contact with them is saved (so the bad ones test more than the schema).
    method, url, valid, _free = next(w for w in target.json_writes if w[1].endswith("/contacts"))
    assert clients["consultant"].open(url, method=method, json=valid).status_code == 201
    for method, url, valid, free in target.json_writes:
        client = clients["consultant"]
        for raw in JSON_BODIES:
            _check(client.open(url, method=method, data=raw, content_type="application/json"), (url, raw[:40]))
        for value in CLASSES:  # every free-text field of an otherwise valid body
            body = json.dumps({**valid, **{name: value for name in free}})
            _check(client.open(url, method=method, data=body, content_type="application/json"), (url, repr(value)[:40]))
        for value in CLASSES + WRONG_TYPES + [NESTED]:  # every field at once, of any type
            body = json.dumps({name: value for name in valid or ["x"]})
            _check(client.open(url, method=method, data=body, content_type="application/json"), (url, repr(value)[:40]))
    for endpoint, url in target.forms:
        client = _client_for(clients, endpoint)
        for value in [*FORM_CLASSES, "²"]:  # "99999999999999999999" is a class already
            data = {name: value for name in target.field_names}
            _check(_post_form(client, url, data), (endpoint, repr(value)[:40]))
        for value in ("//evil.example", "/x\r\nSet-Cookie: x=1", "\x00"):
            _check(_post_form(client, url, {"next": value}, {"next": value}), (endpoint, "next", repr(value)))
    for url, params in target.api_gets:
        for value in ["\x00", "\udc00", "-1", "x" * 5000, "[]", *NUMBERS]:
            _check(_get(clients["consultant"], url, {p: value for p in params}), (url, value[:20]))
    _every_query_parameter(target, clients)
    for value in [*NUMBERS, "IPS-²", "ips ٣", "²²²²", "٣" * 12, "+45 ５５ ５５", "0" * 30 + "1"]:  # the header search
        for who in ("consultant", "coordinator"):
            _check(_post_form(clients[who], "/search", {"q": value}), ("search", who, value))


def _every_query_parameter(target, clients):
    """Every class of bad value in every query parameter of every GET page. Where a page reads a
    parameter, also one at a time (a refused first parameter would hide what the page does with
    the next) for each session the page is for (the coordinator reads ?consultant= on /cases)."""
    read = _read_parameters()
    assert {"consultant", "employer_id", "page"} <= set().union(*read.values())  # the source was read
    params = sorted(set(WEB_QUERY).union(*read.values()))
    for endpoint, url in target.web_gets:
        client = _client_for(clients, endpoint)
        for value in ["\x00", "\udc00", "-1", "x" * 5000, "a\r\nb", *NUMBERS]:
            _check(_get(client, url, {p: value for p in params}), (endpoint, value[:20]))
        names = read.get(target.module_of[endpoint], ())
        for who in {client, clients["coordinator"]} if names else ():
            if who.get(url).status_code != 200:
                continue  # not this session's page: it reads nothing
            for name in names:
                for value in ("²", "٣", "99999999999999999999"):
                    _check(_get(who, url, {name: value}), (endpoint, name, value))


text = st.one_of(
    st.sampled_from(BAD_STRINGS),
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=20),
)
# Ordinary text with something the database, a header or a parser cannot take somewhere inside.
bad_text = st.one_of(
    st.builds(
        lambda pre, bad, post: pre + bad + post,
        st.text(max_size=10),
        st.sampled_from(["\udc00", "\ud800", "\x00", "\r\n", "\u2028", "\ufeff", "\x1b"]),
        st.text(max_size=10),
    ),
    st.sampled_from(BAD_STRINGS),
)
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text),
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(text, children, max_size=3)),
    max_leaves=12,
)


def test_random_bad_input_never_gives_a_5xx(app, world):
    target, clients = _setup(app, world)
    writes = [w for w in target.json_writes if w[3]]  # endpoints with free text

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def one_request(data):
        shape = data.draw(st.sampled_from(["text", "types", "form"]), label="shape")
        if shape == "form":
            endpoint, url = data.draw(st.sampled_from(target.forms), label="form")
            form = data.draw(
                st.dictionaries(st.sampled_from(target.field_names), st.one_of(bad_text, text), min_size=1, max_size=8),
                label="data",
            )
            _check(_post_form(_client_for(clients, endpoint), url, form), (endpoint, form))
            return
        if shape == "text":  # a valid body whose free-text fields carry bad text
            method, url, valid, free = data.draw(st.sampled_from(writes), label="endpoint")
            changes = data.draw(st.dictionaries(st.sampled_from(free), bad_text, min_size=1), label="changes")
        else:  # a valid body with a few fields of any type or shape
            method, url, valid, free = data.draw(st.sampled_from(target.json_writes), label="endpoint")
            keys = st.sampled_from(sorted(valid)) if valid else text
            changes = data.draw(st.dictionaries(keys, json_value, min_size=1, max_size=3), label="changes")
        body = {**valid, **changes}
        _check(
            clients["consultant"].open(url, method=method, data=json.dumps(body), content_type="application/json"),
            (url, body),
        )

    one_request()

"""No secret in a URL path: a path lands in every proxy's and gunicorn's access log, the browser's
history and a Referer. A link that carries a secret keeps it after "#" (which a browser never
sends) and the page POSTs it; the URL map is walked, so a new route with a secret in its path
fails here unless it is on the documented list below."""

from __future__ import annotations

import email
import email.policy
import glob
import os
import re
from urllib.parse import urlsplit

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from ips_coord.extensions import db as _db
from ips_coord.models import AccessLog, IpsCase, Notification
from ips_coord.urls import IdConverter
from tests.conftest import IsolatedClient
from tests.factories import login
from tests.web.test_citizen_view import citizen_case, deliver_due

SECRET_NAME = re.compile(
    r"token|key|code|secret|password|passwd|sid|session|nonce|otp|signature|hash|auth|cred", re.IGNORECASE
)
# Path parameters that are no secret: a static file's name.
PUBLIC = {("static", "filename")}
# The documented exceptions, each with its reason (docs/operations.md, "Secrets and access logs").
ALLOWED = {
    ("account.calendar", "key"): "a calendar program cannot send a header or a form: the address is the credential",
    ("ack.retired_link", "token"): "links of old e-mails: the value is never read (another salt), answered 410",
    ("citizen.retired_invitation", "token"): "links of old e-mails: the value is never read (another salt)",
}


def _numeric(converter) -> bool:
    return isinstance(converter, IdConverter | IntegerConverter)


def test_no_route_takes_a_secret_in_its_path(app):
    """Every path parameter is a number (an id is no secret) or a known public name; a text
    parameter, or any parameter named like a secret, must be on the documented list."""
    found, checked = [], 0
    for rule in app.url_map.iter_rules():
        for arg in rule.arguments:
            checked += 1
            converter = rule._converters[arg]
            if (rule.endpoint, arg) in PUBLIC:
                continue
            if _numeric(converter) and not SECRET_NAME.fullmatch(arg):
                continue
            if (rule.endpoint, arg) not in ALLOWED:
                found.append((rule.rule, arg, type(converter).__name__))
    assert checked > 50 and found == []
    # The list holds only what is there (an exception whose route is gone must go too).
    present = {(r.endpoint, a) for r in app.url_map.iter_rules() for a in r.arguments}
    assert set(ALLOWED) <= present


def test_the_documented_exception_is_in_the_operations_guide():
    with open("docs/operations.md", encoding="utf-8") as fh:
        guide = fh.read()
    assert "/calendar/" in guide and "redact" in guide.lower()


def _links(text: str) -> list[str]:
    return re.findall(r"https?://testserver[^\s\"<>]+", text)


def _mail_to(app, address: str) -> str:
    """The e-mails to `address` (text and HTML parts), newest first, after the worker's delivery of
    what is due (the mailbox folder holds the whole session's mail)."""
    deliver_due(app)
    texts = []
    for path in sorted(
        glob.glob(os.path.join(app.instance_path, "mailbox", "*.eml")), key=os.path.getmtime, reverse=True
    ):
        with open(path, "rb") as fh:
            msg = email.message_from_binary_file(fh, policy=email.policy.default)
        if msg["To"] == address:
            texts += [part.get_content() for part in msg.walk() if part.get_content_maintype() == "text"]
    return "\n".join(texts)


def test_every_e_mailed_secret_rides_after_the_fragment_and_works(app, world, client):
    """The invitation, the acknowledge link and the password link: the path names no secret,
    the page (GET, which is all a log sees) is a form, and the token POSTed from it works."""
    case = citizen_case(world)
    login(client, world.consultant)
    assert client.post(f"/cases/{case.id}/plan/invite").status_code == 302
    invitation = [u for u in _links(_mail_to(app, "sara@borger.example")) if "/citizen/" in u]
    _db.session.expire_all()  # the invitation is a case event: a new version
    case = _db.session.get(IpsCase, case.id)
    world.step(
        world.step(
            world.step(case, "start_search"), "start_job", employer_name="Bageriet", benefits_counselling_offered=True
        ),
        "end_job",
        end_reason="dismissed",
    )
    assert IsolatedClient(app).post("/password/forgot", data={"email": world.consultant.email}).status_code == 302
    ack_mail = _mail_to(app, world.clinician.email)
    reset = [u for u in _links(_mail_to(app, world.consultant.email)) if "/password/" in u]
    ack = [u for u in _links(ack_mail) if "/ack" in u]
    assert invitation and ack and reset
    adapter = app.url_map.bind("testserver")
    for url in invitation + ack + reset:
        parts = urlsplit(url)
        _endpoint, args = adapter.match(parts.path, method="GET")
        assert args == {} and len(parts.fragment) > 20, url  # the secret is the fragment, nothing else
        page = IsolatedClient(app).get(parts.path)
        assert page.status_code == 200 and "fragment_token.js" in page.get_data(as_text=True), url
    # What the page's script sends: the token in the POST body.
    citizen = IsolatedClient(app)
    token = urlsplit(invitation[0]).fragment
    assert citizen.post("/citizen/invitation", data={"token": token}).headers["Location"].endswith("/citizen")
    assert (
        IsolatedClient(app)
        .post("/citizen/invitation", data={"token": token})
        .headers["Location"]
        .endswith("/citizen/login")
    )  # single use
    clinician = IsolatedClient(app)
    token = urlsplit(ack[0]).fragment
    shown = clinician.post("/ack", data={"token": token, "step": "show"})
    assert shown.status_code == 200 and case.reference in shown.get_data(as_text=True)
    row = _db.session.scalar(select(Notification).where(Notification.requires_ack, Notification.case_id == case.id))
    assert row.acknowledged_at is None  # showing acknowledges nothing (a mail scanner may open links)
    assert _db.session.scalar(
        select(AccessLog.id).where(  # the signed link reads as its recipient
            AccessLog.user_id == world.clinician.id, AccessLog.case_id == case.id, AccessLog.action == "read"
        )
    )
    done = clinician.post("/ack", data={"token": token, "step": "ack"})
    assert done.status_code == 200 and "registreret" in done.get_data(as_text=True)
    _db.session.refresh(row)
    assert row.acknowledged_at is not None


def test_old_links_with_the_token_in_the_path_are_never_accepted(app, world):
    """Tokens of the old links sat in access logs: neither the old path nor the new form takes them."""
    case = world.case_in("job_ended")
    row = _db.session.scalar(select(Notification).where(Notification.requires_ack, Notification.case_id == case.id))
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="ips-coord-ack").dumps(
        {"n": row.id, "r": row.recipient_id}
    )
    client = IsolatedClient(app)
    for method in ("GET", "POST"):
        resp = client.open(f"/ack/{old}", method=method)
        assert resp.status_code == 410 and "ældre e-mail" in resp.get_data(as_text=True)
    assert client.post("/ack", data={"token": old, "step": "ack"}).status_code == 404
    old_invitation = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="citizen-invitation").dumps(
        {"i": 1, "s": "x"}
    )
    for method in ("GET", "POST"):
        assert (
            client.open(f"/citizen/invitation/{old_invitation}", method=method)
            .headers["Location"]
            .endswith("/citizen/login")
        )
    _db.session.refresh(row)
    assert row.acknowledged_at is None

"""One error model and the HTTP conventions every API endpoint shares (problem details,
422 for field errors, the case's version after a write, If-Match, Idempotency-Key, Location,
Link, the rate limit)."""

from __future__ import annotations

from sqlalchemy import func, select

from ips_coord.models import Contact, IdempotencyKey
from tests.factories import bearer

PROBLEM = {"type", "title", "status", "detail", "code", "message", "errors"}


def _contact(clock):
    return {"kind": "contact", "occurred_at": clock.now().isoformat(), "location": "community"}


def test_every_error_is_a_problem_detail_in_the_language_asked(client, world):
    case = world.case_in("engagement")
    h = bearer(world.consultant)
    for r in (
        client.get("/api/v1/cases"),  # 401
        client.get("/api/v1/nothing-here", headers=h),  # 404 of the router
        client.delete("/api/v1/cases", headers=h),  # 405
        client.post(f"/api/v1/cases/{case.id}/contacts", headers=h, json={"kind": "x"}),
    ):  # 422
        assert r.headers["Content-Type"] == "application/problem+json", r.status_code
        body = r.get_json()
        assert PROBLEM <= set(body) and body["status"] == r.status_code, body
        assert body["type"] == f"urn:ips-coord:problem:{body['code']}" and body["detail"] == body["message"]
    en = client.post(f"/api/v1/cases/{case.id}/contacts", headers={**h, "Accept-Language": "en"}, json={"kind": "x"})
    da = client.post(f"/api/v1/cases/{case.id}/contacts", headers={**h, "Accept-Language": "da"}, json={"kind": "x"})
    assert en.json["title"] == "Invalid request" and da.json["title"] == "Ugyldige oplysninger"
    assert en.json["errors"]["occurred_at"] == ["Missing data for required field."]
    assert da.json["errors"]["occurred_at"] == ["Feltet skal udfyldes."]


def test_field_errors_are_422_with_dotted_names_and_no_python_repr(client, world):
    case = world.case_in("employed")
    h = bearer(world.consultant)
    r = client.put(f"/api/v1/cases/{case.id}/supports", headers=h, json={"mentor_hours": "many", "x": 1})
    assert r.status_code == 422 and r.json["code"] == "validation_error"
    assert set(r.json["errors"]) == {"mentor_hours", "x"}
    r = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers=h,
        json={"event": "end_job", "version": case.version, "end_reason": "dismissed", "employer_name": "X"},
    )
    assert r.status_code == 422 and r.json["errors"] == {"employer_name": ["Ukendt felt."]}
    review = client.post(
        f"/api/v1/cases/{case.id}/reviews",
        headers=h,
        json={"held_at": "2026-01-05T10:00:00", "adjustments": {"salary": "more"}},
    )
    assert review.status_code == 422 and list(review.json["errors"]) == ["adjustments.salary"]
    text = review.get_data(as_text=True)
    assert "{'" not in text and "['" not in text  # no Python repr anywhere


def test_a_write_answers_with_the_new_version_and_if_match_guards_it(client, world, clock):
    case = world.case_in("engagement")
    h = bearer(world.consultant)
    contact = client.post(f"/api/v1/cases/{case.id}/contacts", headers=h, json=_contact(clock))
    assert contact.status_code == 201
    version = int(contact.headers["Case-Version"])
    assert version == case.version + 1 and contact.headers["ETag"] == f'"{version}"'
    assert contact.headers["Location"] == f"/api/v1/cases/{case.id}/contacts"  # contacts have no URL of their own
    stale = client.post(
        f"/api/v1/cases/{case.id}/contacts", headers={**h, "If-Match": f'"{case.version}"'}, json=_contact(clock)
    )
    assert stale.status_code == 409 and stale.json["code"] == "stale_version"
    assert stale.json["current_version"] == version
    # The client's next transition uses the version its own write returned: no 409 for it.
    r = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers={**h, "If-Match": contact.headers["ETag"]},
        json={"event": "start_search"},
    )
    assert r.status_code == 200 and r.json["phase"] == "job_search" and r.headers["Case-Version"] == str(version + 1)
    missing = client.post(
        f"/api/v1/cases/{case.id}/transitions", headers=h, json={"event": "pause", "resume_date": "2026-12-01"}
    )
    assert missing.status_code == 422 and "version" in missing.json["errors"]


def test_a_retried_post_with_the_same_idempotency_key_is_answered_once(client, world, clock, db):
    case = world.case_in("engagement")
    h = {**bearer(world.consultant), "Idempotency-Key": "5b0c-retry"}
    body = _contact(clock)
    first = client.post(f"/api/v1/cases/{case.id}/contacts", headers=h, json=body)
    again = client.post(f"/api/v1/cases/{case.id}/contacts", headers=h, json=body)
    assert first.status_code == again.status_code == 201 and first.json == again.json
    assert (
        again.headers["Idempotent-Replayed"] == "true"
        and again.headers["Case-Version"] == first.headers["Case-Version"]
    )
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 1
    other = client.post(f"/api/v1/cases/{case.id}/contacts", headers=h, json={**body, "note": "another"})
    assert other.status_code == 422 and other.json["code"] == "idempotency_key_reused"
    # A refused request keeps no key: the corrected request may use it.
    bad = client.post(f"/api/v1/cases/{case.id}/contacts", headers={**h, "Idempotency-Key": "k2"}, json={})
    fixed = client.post(f"/api/v1/cases/{case.id}/contacts", headers={**h, "Idempotency-Key": "k2"}, json=body)
    assert bad.status_code == 422 and fixed.status_code == 201
    # Keys belong to their caller: another token's same key is its own.
    colleague = client.post(
        f"/api/v1/cases/{case.id}/contacts",
        headers={**bearer(world.colleague), "Idempotency-Key": "5b0c-retry"},
        json=body,
    )
    assert colleague.status_code == 201 and colleague.json["id"] != first.json["id"]
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 3
    # After IDEMPOTENCY_KEY_HOURS a key is forgotten (and the expired rows go).
    clock.advance(hours=25)
    later = client.post(f"/api/v1/cases/{case.id}/contacts", headers=h, json=_contact(clock))
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert db.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_pages_carry_links_and_a_page_past_the_last_is_404(client, world):
    world.case_in("referred")
    world.case_in("referred")
    world.case_in("referred")
    h = bearer(world.consultant)
    r = client.get("/api/v1/cases?page=2&page_size=2", headers=h)
    assert r.status_code == 200 and r.headers["X-Total-Count"] == "3"
    links = r.headers["Link"]
    assert '</api/v1/cases?page=1&page_size=2>; rel="first"' in links and 'rel="prev"' in links
    assert '</api/v1/cases?page=2&page_size=2>; rel="last"' in links and 'rel="next"' not in links
    beyond = client.get("/api/v1/cases?page=99&page_size=2", headers=h)
    assert beyond.status_code == 404 and beyond.json["code"] == "page_out_of_range"
    assert 'page=2&page_size=2>; rel="last"' in beyond.headers["Link"]
    empty = client.get("/api/v1/cases?phase=closed", headers=h)  # no rows: page 1 is still an (empty) page
    assert empty.status_code == 200 and empty.json["items"] == []


def test_the_rate_limit_is_per_token_and_shown_in_headers(app, client, world):
    h = bearer(world.consultant)
    other = bearer(world.colleague)
    before, app.config["API_RATE_LIMIT"] = app.config["API_RATE_LIMIT"], "3 per minute"
    try:
        answers = [client.get("/api/v1/cases", headers=h) for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 429]
        assert answers[0].headers["RateLimit-Limit"] == "3" and answers[0].headers["RateLimit-Remaining"] == "2"
        assert answers[0].headers["RateLimit-Policy"] == "3;w=60"
        assert answers[3].json["code"] == "too_many_requests" and int(answers[3].headers["Retry-After"]) > 0
        assert client.get("/api/v1/cases", headers=other).status_code == 200  # another token, its own limit
    finally:
        app.config["API_RATE_LIMIT"] = before


def test_the_rate_limit_is_one_count_across_the_whole_api(app, client, world):
    """Every route under /api/v1 counts against the caller's one window, whatever blueprint
    serves it (a client cannot multiply its allowance by spreading requests), and every answer
    says where the caller stands, a 404 of the router included."""
    case = world.case_in("engagement")
    h = bearer(world.consultant)
    before, app.config["API_RATE_LIMIT"] = app.config["API_RATE_LIMIT"], "4 per minute"
    try:
        paths = ["/api/v1/cases", "/api/v1/me", f"/api/v1/cases/{case.id}", "/api/v1/nothing-here"]
        answers = [client.get(p, headers=h) for p in paths]
        assert [r.status_code for r in answers] == [200, 200, 200, 404]
        assert [r.headers["RateLimit-Remaining"] for r in answers] == ["3", "2", "1", "0"]
        assert all(0 < int(r.headers["RateLimit-Reset"]) <= 60 for r in answers)
        past = client.get("/api/v1/changes", headers=h)
        assert past.status_code == 429 and past.json["code"] == "too_many_requests"
        assert past.headers["Content-Type"] == "application/problem+json"
        assert past.headers["RateLimit-Remaining"] == "0" and int(past.headers["Retry-After"]) > 0
        assert past.json["detail"] == "For mange forespørgsler: grænsen er 4 pr. 60 sekunder."  # Danish by default
    finally:
        app.config["API_RATE_LIMIT"] = before


def test_writes_count_against_the_same_window_as_reads(app, client, world, clock, db):
    """A write (refused or not) is a request like any other: it counts, and is refused past the limit."""
    case = world.case_in("engagement")
    h = bearer(world.consultant)
    before, app.config["API_RATE_LIMIT"] = app.config["API_RATE_LIMIT"], "2 per minute"
    try:
        refused = client.post(f"/api/v1/cases/{case.id}/contacts", headers=h, json={"kind": "x"})
        assert refused.status_code == 422 and refused.headers["RateLimit-Remaining"] == "1"
        assert client.get(f"/api/v1/cases/{case.id}", headers=h).headers["RateLimit-Remaining"] == "0"
        past = client.post(f"/api/v1/cases/{case.id}/contacts", headers=h, json=_contact(clock))
        assert past.status_code == 429 and past.json["code"] == "too_many_requests"
        assert db.session.scalar(select(func.count()).select_from(Contact)) == 0  # refused before the view
    finally:
        app.config["API_RATE_LIMIT"] = before


def test_every_limit_of_several_applies_and_the_headers_show_the_nearest(app, client, world):
    """API_RATE_LIMIT may name several limits (a burst and a day): each one counts."""
    h = bearer(world.consultant)
    before, app.config["API_RATE_LIMIT"] = app.config["API_RATE_LIMIT"], "5 per minute; 2 per hour"
    try:
        answers = [client.get("/api/v1/me", headers=h) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]
        assert answers[0].headers["RateLimit-Policy"] == "2;w=3600" and answers[0].headers["RateLimit-Remaining"] == "1"
        assert 3500 < int(answers[2].headers["Retry-After"]) <= 3600
    finally:
        app.config["API_RATE_LIMIT"] = before


def test_the_rate_limit_is_shared_by_the_web_workers_through_redis(app, world, redis_url):
    """Two app processes (two gunicorn workers) on one Redis count one caller's requests together."""
    from tests.conftest import make_app

    workers = [
        make_app(app.config["SQLALCHEMY_DATABASE_URI"], RATELIMIT_STORAGE_URI=redis_url, API_RATE_LIMIT="3 per minute")
        for _ in range(2)
    ]
    h = bearer(world.consultant)
    first, second = (w.test_client() for w in workers)
    answers = [
        first.get("/api/v1/me", headers=h),
        second.get("/api/v1/me", headers=h),
        first.get("/api/v1/me", headers=h),
    ]
    assert [r.headers["RateLimit-Remaining"] for r in answers] == ["2", "1", "0"]
    assert second.get("/api/v1/me", headers=h).status_code == 429


def test_while_the_rate_limit_storage_does_not_answer_each_worker_counts_alone(app, world, caplog):
    """Redis down: the API still answers and still limits (in the worker's memory), and the log
    says why."""
    from tests.conftest import make_app

    down = make_app(
        app.config["SQLALCHEMY_DATABASE_URI"],
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",
        API_RATE_LIMIT="2 per minute",
    )
    client, h = down.test_client(), bearer(world.consultant)
    with caplog.at_level("WARNING", logger="ips_coord.api.http"):
        answers = [client.get("/api/v1/me", headers=h) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert [r.headers["RateLimit-Remaining"] for r in answers] == ["1", "0", "0"]
    assert caplog.text.count("rate limit's storage did not answer") == 1  # once, not a line a request


def test_the_in_memory_rate_limit_sweeps_expired_windows_without_a_thread_a_request():
    """Without Redis the windows live in the worker's memory: expired ones are still dropped
    (by a sweep), but a burst of requests starts one sweep, not one thread every few requests."""
    import time

    from limits import parse
    from limits.strategies import FixedWindowRateLimiter

    from ips_coord.api.http import SweptMemoryStorage

    class Quick(SweptMemoryStorage):
        SWEEP_SECONDS = 0.2

    storage = Quick()
    limiter = FixedWindowRateLimiter(storage)
    timers = set()
    for i in range(300):
        assert limiter.hit(parse("1000 per second"), "api", f"caller {i % 3}")
        timers.add(id(storage.timer))
    assert len(timers) <= 2  # the constructor's and the burst's one sweep
    assert len(storage.storage) == 3
    time.sleep(1.1)  # the three windows have ended
    limiter.hit(parse("1000 per second"), "api", "another caller")  # a hit schedules the next sweep
    deadline = time.monotonic() + 5
    while len(storage.storage) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(storage.storage) == ["LIMITER/api/another caller/1000/1/second"]  # the ended ones swept, unread

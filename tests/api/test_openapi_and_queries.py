"""The OpenAPI document covers every API route, and list endpoints do not make N+1 queries."""

from __future__ import annotations

import contextlib

from sqlalchemy import event

from ips_coord.extensions import db as _db
from tests.factories import bearer


def test_openapi_documents_every_route_with_errors(client, app):
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {
        (path, method.upper())
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = rule.rule
            for conv in ("<id:", "<int:"):
                while conv in path:
                    start = path.index(conv)
                    end = path.index(">", start)
                    path = path[:start] + "{" + path[start + len(conv) : end] + "}" + path[end + 1 :]
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method))
    assert routes == documented
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method not in ("get", "post", "delete"):
                continue
            assert "401" in op["responses"], (path, method)
            assert op.get("summary"), (path, method)
            if "{" in path:
                assert "404" in op["responses"], (path, method)
    assert "Error" in spec["components"]["schemas"]


@contextlib.contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    event.listen(_db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(_db.engine, "before_cursor_execute", before)


LISTS = [
    "/api/v1/cases?page_size=200",
    "/api/v1/citizens?page_size=200",
    "/api/v1/follow-ups?page_size=200",
    "/api/v1/employer-contacts?page_size=200",
]


def _measure(client, headers):
    out = {}
    for url in LISTS:
        with count_queries() as c:
            assert client.get(url, headers=headers).status_code == 200
        out[url] = c["n"]
    return out


def test_list_queries_do_not_grow_with_rows(client, world, clock):
    from ips_coord.services import activities as act

    h = bearer(world.consultant)
    client.get("/api/v1/tokens", headers=h)  # a token's first use records last_used_at (one write, then not for 15 min)

    def add(n):
        for _ in range(n):
            case = world.case_in("employed")
            act.log_employer_contact(
                world.consultant, employer_name="Lageret", occurred_at=clock.now(), location="community", case=case
            )

    add(2)
    few = _measure(client, h)
    add(8)
    many = _measure(client, h)
    assert many == few, (few, many)
    # Per-case lists too.
    case = world.case_in("job_ended", clock=clock)
    per_case = [f"/api/v1/cases/{case.id}/{part}" for part in ("events", "placements", "contacts", "consents")]
    counts = []
    for url in per_case:
        with count_queries() as c:
            assert client.get(url, headers=h).status_code == 200
        counts.append(c["n"])
    assert max(counts) <= 8, dict(zip(per_case, counts, strict=True))

"""Every number in a body of the admin's and the approvers' integration endpoints is a whole
number in range: 1.5, "7" or true is a 422 that names the field (a service token of 1.5 days
was accepted and silently became 1)."""

from __future__ import annotations

from tests.factories import bearer, login

INTEGRATION_PATHS = ("/api/v1/admin/", "/api/v1/service-token-approvals")
NOT_WHOLE = (1.5, "7", True, 1e3 + 0.25)


def _schema(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _integer_fields(client):
    spec = client.get("/api/openapi.json").get_json()
    found = []
    for path, ops in spec["paths"].items():
        full = path if path.startswith("/api/v1") else "/api/v1" + path
        if not full.startswith(INTEGRATION_PATHS):
            continue
        for method, op in ops.items():
            if not isinstance(op, dict):
                continue  # the path's shared parameters
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if not body:
                continue
            for name, prop in _schema(spec, body["schema"]).get("properties", {}).items():
                if _schema(spec, prop).get("type") == "integer":
                    found.append((method.upper(), full, name))
    return found


def test_every_integer_of_the_integration_endpoints_refuses_what_is_not_a_whole_number(client, world):
    fields = _integer_fields(client)
    assert ("POST", "/api/v1/admin/service-tokens", "days") in fields and len(fields) >= 2, fields
    failures = []
    for method, path, name in fields:
        url = path.replace("{token_id}", "1").replace("{endpoint_id}", "1").replace("{delivery_id}", "1")
        for value in NOT_WHOLE:
            resp = client.open(url, method=method, headers=bearer(world.admin), json={name: value})
            if resp.status_code != 422 or name not in resp.get_json()["errors"]:
                failures.append((method, path, name, value, resp.status_code))
    assert not failures, failures


def test_a_service_token_of_one_and_a_half_days_is_refused_by_the_api_and_the_page(client, world):
    resp = client.post(
        "/api/v1/admin/service-tokens",
        headers=bearer(world.admin),
        json={"organisation_id": world.jobcenter.id, "name": "X", "scopes": ["cases:read"], "days": 1.5},
    )
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    assert list(resp.get_json()["errors"]) == ["days"]
    login(client, world.admin)
    page = client.post(
        "/admin/integrations/tokens",
        data={"t-organisation_id": world.jobcenter.id, "t-name": "X", "t-scopes": ["cases:read"], "t-days": "1.5"},
    )
    assert page.status_code == 400 and 'class="error"' in page.get_data(as_text=True)

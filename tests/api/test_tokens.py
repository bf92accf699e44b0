from tests.factories import bearer, login


def test_tokens_revocable_and_shown_once(client, world):
    login(client, world.consultant)
    r = client.post("/api/v1/tokens", json={"name": "script"})
    assert r.status_code == 201 and r.json["token"].startswith("ipc_")
    token, tid = r.json["token"], r.json["id"]
    listed = client.get("/api/v1/tokens").json["items"]
    assert "token" not in listed[0] or listed[0]["token"] is None
    h = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/cases", headers=h).status_code == 200
    assert client.delete(f"/api/v1/tokens/{tid}").status_code == 200
    fresh = client.application.test_client()
    assert fresh.get("/api/v1/cases", headers=h).status_code == 401


def test_api_without_credentials_is_401_json(client):
    r = client.get("/api/v1/cases")
    assert r.status_code == 401 and r.json["code"] == "unauthorized" and r.json["message"]
    r = client.get("/api/v1/cases", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401


def test_no_relation_is_404_not_403(client, world):
    case = world.case_in("engagement")
    for user in (world.outsider, world.other_clinician, world.admin):
        r = client.get(f"/api/v1/cases/{case.id}", headers=bearer(user))
        assert r.status_code == 404, user.email
    assert client.get(f"/api/v1/cases/{case.id}", headers=bearer(world.colleague)).status_code == 200
    assert client.get(f"/api/v1/cases/{case.id}", headers=bearer(world.clinician)).status_code == 200


def test_psychiatry_cannot_move_phases(client, world):
    case = world.case_in("engagement")
    r = client.post(
        f"/api/v1/cases/{case.id}/transitions",
        headers=bearer(world.clinician),
        json={"event": "start_search", "version": case.version},
    )
    assert r.status_code == 403 and r.json["code"] == "forbidden"

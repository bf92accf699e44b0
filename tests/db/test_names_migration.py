"""Migration 0027_names renames the stored values (append-only history included) both ways."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.conftest import make_app

BEFORE = "0026_seeds_reminders"


def _values(conn) -> dict:
    one = lambda sql: sorted(r[0] for r in conn.execute(text(sql)))  # noqa: E731
    payload = conn.execute(text("SELECT payload FROM webhook_delivery WHERE status = 'pending'")).scalar_one()
    kinds = conn.execute(text("SELECT kinds FROM webhook_endpoint")).scalar_one()
    return {
        "parts": one("SELECT DISTINCT part FROM access_log WHERE view = 'names-test'"),
        "events": one(
            "SELECT DISTINCT event FROM case_event WHERE event LIKE '%transition%' OR event LIKE 'handover%'"
        ),
        "change_kinds": one("SELECT kind FROM change_log WHERE id >= 900000"),
        "delivery": one("SELECT kind || ':' || status FROM webhook_delivery"),
        "endpoint_kinds": json.loads(kinds) if isinstance(kinds, str) else kinds,
        "pending_payload": json.loads(payload) if isinstance(payload, str) else payload,
    }


@pytest.mark.postgres_only
def test_the_names_migration_renames_stored_values_both_ways(pg_empty_url):
    from flask_migrate import downgrade, upgrade

    from ips_coord.extensions import db
    from tests.factories import World, service_token

    app = make_app(pg_empty_url)
    with app.app_context():
        upgrade()
        world = World.build()
        case = world.case_in("transitioned")  # its history holds the handover event
        _whole, token = service_token(world, world.team, scopes=("changes:read", "webhooks:receive"))
        with db.engine.begin() as conn:
            for part in ("phase", "shared_health_info", "history"):
                conn.execute(
                    text(
                        "INSERT INTO access_log (action, part, view, created_at) "
                        "VALUES ('read', :part, 'names-test', now())"
                    ),
                    {"part": part},
                )
            conn.execute(
                text(
                    "INSERT INTO change_log (id, case_id, kind, entity_id, action, created_at) "
                    "VALUES (900000, :case, 'shared_health_info', 1, 'created', now())"
                ),
                {"case": case.id},
            )
            endpoint = conn.execute(
                text(
                    "INSERT INTO webhook_endpoint (organisation_id, token_id, url, kinds, secret, cursor, created_at) "
                    "VALUES (:org, :token, 'https://example.test/hook', :kinds, 'whsec_x', 0, now()) RETURNING id"
                ),
                {"org": world.team.id, "token": token.id, "kinds": json.dumps(["case", "shared_health_info"])},
            ).scalar_one()
            for change, (status, payload) in enumerate(
                (
                    ("sent", {"type": "shared_health_info.created", "data": {"kind": "shared_health_info"}}),
                    (
                        "pending",
                        {
                            "type": "case_event.created",
                            "data": {"kind": "case_event", "event": "handover_to_natural_supports"},
                        },
                    ),
                )
            ):
                conn.execute(
                    text(
                        "INSERT INTO webhook_delivery (endpoint_id, change_id, case_id, kind, payload, status, "
                        "attempts, next_attempt_at, sent_at, created_at) VALUES (:ep, :change, :case, :kind, "
                        ":payload, :status, 0, now(), now(), now())"
                    ),
                    {
                        "ep": endpoint,
                        "change": change,
                        "case": case.id,
                        "kind": payload["type"].split(".")[0],
                        "payload": json.dumps(payload),
                        "status": status,
                    },
                )
        db.session.remove()
        with db.engine.connect() as conn:
            new = _values(conn)
        assert new["parts"] == ["history", "phase", "shared_health_info"]
        assert new["events"] == ["handover_to_natural_supports"]

        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            old = _values(conn)
            assert conn.execute(text("SELECT count(delivered_at) FROM webhook_delivery")).scalar_one() == 2
        assert old["parts"] == ["history", "phase_and_plan", "psychiatry_shared"]
        assert old["events"] == ["transition"]
        assert old["change_kinds"] == ["shared_info"]
        assert old["delivery"] == ["case_event:pending", "shared_info:delivered"]
        assert old["endpoint_kinds"] == ["case", "shared_info"]
        assert old["pending_payload"]["data"]["event"] == "transition"

        upgrade()
        with db.engine.connect() as conn:
            assert _values(conn) == new
            # The append-only history is closed again for everyone else.
            with pytest.raises(Exception, match="append-only"):
                conn.execute(text("UPDATE access_log SET part = 'x' WHERE view = 'names-test'"))
        db.engine.dispose()

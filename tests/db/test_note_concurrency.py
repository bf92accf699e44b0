"""Contact notes on one case, written at the same moment by real concurrent requests on PostgreSQL.

A note adds to the record; it decides nothing about a state its writer read, so two notes must
never conflict (once: StaleDataError on 1 of 50 requests with 2 gunicorn workers)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from ips_coord.models import Contact, IpsCase
from tests.conftest import IsolatedClient, make_app

WRITERS = 16


def test_concurrent_notes_on_one_case_all_succeed(pg_url):
    from ips_coord.extensions import db

    app = make_app(pg_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": WRITERS + 4, "max_overflow": 5})
    app.test_client_class = IsolatedClient
    with app.app_context():
        from tests.factories import World, token_for

        world = World.build()
        case = world.case_in("engagement")
        case_id, version = case.id, case.version
        headers = {"Authorization": f"Bearer {token_for(world.consultant)}"}
        db.session.commit()

    barrier = threading.Barrier(WRITERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def writer(i):
        client = app.test_client()
        barrier.wait()
        r = client.post(
            f"/api/v1/cases/{case_id}/contacts",
            headers=headers,
            json={
                "kind": "contact",
                "occurred_at": f"2026-03-02T08:{i:02d}:00Z",
                "location": "community",
                "note": f"note {i}",
            },
        )
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert statuses == [201] * WRITERS, statuses
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Contact).where(Contact.case_id == case_id)) == WRITERS
        row = db.session.get(IpsCase, case_id)
        assert row.last_contact_at.minute == WRITERS - 1  # the latest contact, whatever order they landed in
        assert row.version >= version
        db.engine.dispose()

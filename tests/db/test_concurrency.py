"""20 clients apply an event to the same case at the same version on real PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from ips_coord.models import CaseEvent, IpsCase
from ips_coord.services import Conflict
from ips_coord.services.transitions import apply_event
from tests.conftest import make_app

pytestmark = pytest.mark.postgres_only  # row locks between 20 concurrent writers


def test_exactly_one_of_20_concurrent_writers_wins(pg_url):
    from ips_coord.extensions import db

    app = make_app(pg_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 25, "max_overflow": 5})
    with app.app_context():
        from tests.factories import World

        world = World.build()
        case = world.case_in("engagement")
        case_id, version, consultant_id = case.id, case.version, world.consultant.id
        events_before = len(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all())

    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def client():
        with app.app_context():
            from ips_coord.models import User

            actor = db.session.get(User, consultant_id)
            db.session.get(IpsCase, case_id)  # read the case at the shared version, as a client would
            barrier.wait()
            try:
                apply_event(case_id, "start_search", version, {}, actor)
                result = "ok"
            except Conflict as exc:
                result = f"conflict:{exc.current_version}"
            with lock:
                outcomes.append(result)

    threads = [threading.Thread(target=client) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("ok") == 1, outcomes
    assert sorted(set(outcomes) - {"ok"}) == [f"conflict:{version + 1}"]
    with app.app_context():
        seqs = db.session.scalars(
            select(CaseEvent.seq).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)
        ).all()
        assert seqs == list(range(1, events_before + 2))
        assert db.session.get(IpsCase, case_id).phase == "job_search"
        db.engine.dispose()

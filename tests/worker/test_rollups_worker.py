"""The rollups run in a real Celery worker: the country overview's snapshot is written by the
task the beat starts, and the national coordinator's page shows it with its age."""

from __future__ import annotations

import pytest

from ips_coord.extensions import db
from ips_coord.models import Organisation, ReportSnapshot
from ips_coord.workflows.phases import OrgKind, Role
from tests.conftest import IsolatedClient
from tests.factories import World, login, user
from tests.worker.conftest import wait_until

pytestmark = pytest.mark.slow  # a real worker and Redis


def test_the_worker_computes_the_country_snapshot_the_page_shows(stack):
    world = World.build()
    world.case_in("job_search")
    national_org = Organisation(name="Nationalt IPS-center", kind=OrgKind.NATIONAL)
    db.session.add(national_org)
    db.session.flush()
    national = user("national@example.test", Role.COORDINATOR, national_org)
    db.session.commit()
    stack.procs.worker(pool="solo")
    stack.app.extensions["celery"].send_task("ips_coord.rollups")

    def snapshot():
        db.session.expire_all()
        return db.session.get(ReportSnapshot, "country")

    made = wait_until(snapshot, 60, what="the country snapshot written by the worker")
    assert made.computed_at == stack.clock.now()
    assert [row["active"] for row in made.data["rows"] if row["team"]["name"] == "IPS Team A"] == [1]
    stack.app.test_client_class = IsolatedClient
    client = stack.app.test_client()
    login(client, national)
    stack.clock.advance(minutes=2)
    page = client.get("/coordinator/country").get_data(as_text=True)
    assert "for 2 min. siden" in page

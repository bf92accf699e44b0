"""Schemathesis drives every operation of the OpenAPI document against the real app and
database (PostgreSQL in CI): no input may produce a 5xx or a response off the schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.conftest import _state, make_app

pytestmark = pytest.mark.slow  # hundreds of generated requests

MAX_EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory, request):
    from flask_migrate import upgrade

    from ips_coord.extensions import db

    if "postgresql" in _state["backends"]:
        url = request.getfixturevalue("pg_url")
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite")
    app = make_app(url)
    with app.app_context():
        if url.startswith("sqlite"):
            upgrade()  # a PostgreSQL pg_url comes migrated
        from tests.factories import World, token_for

        world = World.build()
        # Some real rows for the generated ids to hit.
        world.case_in("employed")
        world.case_in("job_ended")
        world.case_in("referred")
        app.config["FUZZ_TOKEN"] = token_for(world.consultant)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_api_conforms(case, fuzz_app):
    # Domain rules (workflow refusals, stale versions, dates before 1990) rightly refuse some
    # schema-valid requests with 400/409/422, so "schema-valid request rejected" is not checked.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {fuzz_app.config['FUZZ_TOKEN']}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )

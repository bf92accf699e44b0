"""The load benchmark (bench.load) at a tiny scale, so it does not rot: a module of its
own for a database of its own (pg_url is per module; the generator's test loads into another)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # generates a data set, serves it with gunicorn, runs a worker and locust


@pytest.mark.postgres_only
def test_load_benchmark_drives_every_kind_of_request_without_errors(pg_url, redis_url, tmp_path):
    """bench.load, one short stage of 2 users (a consultant, a coordinator) on 1,000 generated
    cases, with gunicorn, a Celery worker and an SMTP sink: so the load test does not rot."""
    import json
    import os
    import subprocess
    import sys

    from bench.common import ROOT
    from bench.generate import generate
    from bench.load import KINDS
    from tests.conftest import make_app

    with make_app(pg_url).app_context():  # the app's keys seal the synthetic CPR numbers
        generate(pg_url, cases=1000, quiet=True)  # now: the served app runs on the real clock
    figures = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load",
            "--database-url",
            pg_url,
            "--redis-url",
            redis_url,
            "--stages",
            "2",
            "--seconds",
            "8",
            "--ramp",
            "1",
            "--think",
            "0.1,0.3",
            "--sweep-every",
            "2",
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    [stage] = json.loads(figures.read_text())
    assert stage["users"] == 2 and stage["roles"] == {"consultant": 1, "coordinator": 1}
    assert set(stage["kinds"]) == set(KINDS), stage["kinds"]  # reads and writes of both roles
    assert stage["errors"] == 0 and all(k["errors"] == 0 for k in stage["kinds"].values()), run.stdout
    assert stage["emails_sent"] > 0  # the worker swept and delivered during the window
    assert "stage 1: 2 users (1 consultants, 1 coordinators)" in run.stdout
    assert "  all " in run.stdout and "highest sustained:" in run.stdout
    assert "due outbox rows back to pending" in run.stdout

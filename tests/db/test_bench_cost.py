"""The cost benchmarks (bench.cost, bench.hooks) on 1,000 generated cases, so they do not rot: every hot
request measured, with figures that make sense, and the exact budgets (statements, round trips)
held. CPU budgets are reported, not enforced: a test machine's CPU is shared and noisy."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # generates a data set and makes every hot request several times

# The requests bench.cost must measure, by budget key (the README's table names them).
REQUESTS = {
    "api_case_read",
    "my_day",
    "case_page_typical",
    "case_page_longest",
    "case_page_section",
    "case_list_own",
    "case_list_team",
    "coordinator_overview",
    "outcomes_fidelity",
    "country",
    "search",
    "matching",
    "contact_post",
    "transition_post",
    "citizen_case",
}


@pytest.mark.postgres_only
def test_cost_benchmark_measures_every_hot_request(pg_url, tmp_path):
    import json
    import os
    import subprocess
    import sys
    import tomllib

    from flask_migrate import upgrade

    from bench.common import ROOT
    from bench.cost import BUDGETS
    from bench.generate import generate
    from ips_coord.extensions import db
    from tests.conftest import make_app

    with make_app(pg_url).app_context():  # the app's keys seal the synthetic CPR numbers
        upgrade()
        generate(pg_url, cases=1000, quiet=True)
        db.engine.dispose()
    figures = tmp_path / "cost.json"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.cost",
            "--database-url",
            pg_url,
            "--runs",
            "3",
            "--warmup",
            "1",
            "--cpu",
            "report",
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = {r["name"]: r for r in json.loads(figures.read_text())} if figures.exists() else {}
    assert set(results) == REQUESTS, run.stdout[-3000:] + run.stderr[-3000:]
    with open(BUDGETS, "rb") as f:
        budgets = tomllib.load(f)
    for name, r in results.items():
        assert r["label"] in run.stdout
        assert 1 <= r["statements"] <= r["round_trips"] < 80, r
        assert 0 < r["cpu_ms"] < 2000 and r["bytes"] > 100 and r["connects"] == 0, r
        budget = budgets.get(name, {})
        for key in ("statements", "round_trips"):  # exact counts: held on any machine
            if key in budget and key not in budget.get("report_only", []):
                assert r[key] <= budget[key], (name, key, r)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "every request within its budget (CPU reported only)" in run.stdout
    # bench.hooks on the same data: the case read's CPU hook by hook, beside the constant answer's.
    hooks = subprocess.run(
        [sys.executable, "-m", "bench.hooks", "--database-url", pg_url, "--requests", "40", "--rounds", "1"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": ROOT},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert hooks.returncode == 0, hooks.stderr[-3000:]
    read, _, fixed = hooks.stdout.partition("constant answer:")
    assert read.startswith("API case read:") and "after app: commit_reads" in read, hooks.stdout
    assert "before app: install._api_before" in read and "view api_cases.CaseDetail" in read, hooks.stdout
    assert "view constant" in fixed and "the rest: Flask" in fixed, hooks.stdout

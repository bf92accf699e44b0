"""The test selection itself: IPS_TEST_DBS=sqlite (as `make test-fast` runs) leaves PostgreSQL
out on purpose, and the run says so instead of blaming an unreachable server; and the rule of
tests/conftest.py (backends_for) decides which tests SQLite runs again, while every test still
runs on at least one database."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import SQLITE_TOO, _state, backends_for

ROOT = Path(__file__).parents[2]
BOTH = ["postgresql", "sqlite"]
# The browser walks and the fuzzers: long, and nothing in them differs between the databases.
POSTGRESQL_ONLY = ("tests/e2e/", "tests/web/test_fuzz_no_5xx.py", "tests/api/test_schemathesis.py")


def test_the_rule_sqlite_runs_again_only_what_differs():
    assert backends_for("tests/e2e/test_every_page.py", False, BOTH) == ["postgresql"]
    assert backends_for("tests/web/test_fuzz_no_5xx.py", False, BOTH) == ["postgresql"]
    assert backends_for("tests/web/test_pages.py", False, BOTH) == ["postgresql"]
    assert backends_for("tests/web/test_search.py", True, BOTH) == BOTH
    assert backends_for("tests/db/test_sweep.py", False, BOTH) == BOTH
    assert backends_for("tests/unit/test_danish_time.py", False, BOTH) == BOTH
    # Without PostgreSQL (make test-fast) every database test runs on SQLite.
    assert backends_for("tests/e2e/test_every_page.py", False, ["sqlite"]) == ["sqlite"]
    assert backends_for("tests/web/test_pages.py", False, ["sqlite"]) == ["sqlite"]
    assert not any(p.startswith(SQLITE_TOO) for p in POSTGRESQL_ONLY)


def test_every_collected_test_runs_where_the_rule_says(request):
    """Over this run's tests (in `make test` the whole suite): every database test runs on
    PostgreSQL when the run has it, SQLite runs again only what the rule names, and the browser
    walks and fuzzers run once."""
    backends_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    marked = set()
    for item in request.session.items:
        path = Path(item.path).relative_to(ROOT).as_posix()
        if "_backend" not in item.fixturenames:
            continue
        test = (path, item.originalname)
        backends_of[test].add(item.callspec.params["_backend"])
        if item.get_closest_marker("sqlite_too"):
            marked.add(test)
    available = _state["backends"]
    for (path, name), backends in backends_of.items():
        if "postgresql" not in available:
            assert backends == {"sqlite"}, (path, name)
            continue
        assert "postgresql" in backends, (path, name)
        if "sqlite" in backends:
            assert path.startswith(SQLITE_TOO) or (path, name) in marked, (path, name)
        if path.startswith(POSTGRESQL_ONLY):
            assert backends == {"postgresql"} and (path, name) not in marked, f"{path}::{name} runs once"


def _run_concurrency_test(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ.update(IPS_TEST_DBS="sqlite", **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/db/test_concurrency.py", "-rs", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # runs pytest in a process of its own
def test_postgresql_left_out_is_named_as_the_reason():
    result = _run_concurrency_test()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PostgreSQL left out by IPS_TEST_DBS" in result.stdout
    assert "not reachable" not in result.stdout


@pytest.mark.slow  # runs pytest in a process of its own
def test_ci_does_not_demand_postgresql_it_was_told_to_leave_out(redis_url):
    result = _run_concurrency_test(CI="true", TEST_REDIS_URL=redis_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout

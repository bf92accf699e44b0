"""The test selection itself: IPS_TEST_DBS=sqlite (as `make test-fast` runs) leaves PostgreSQL
out on purpose, and the run says so instead of blaming an unreachable server."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test runs pytest in a process of its own

ROOT = Path(__file__).parents[2]


def _run_concurrency_test(**env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ.update(IPS_TEST_DBS="sqlite", **env)
    return subprocess.run([sys.executable, "-m", "pytest", "tests/db/test_concurrency.py", "-rs", "-q",
                           "-p", "no:cacheprovider"], cwd=ROOT, env=environ, capture_output=True, text=True,
                          timeout=120)


def test_postgresql_left_out_is_named_as_the_reason():
    result = _run_concurrency_test()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PostgreSQL left out by IPS_TEST_DBS" in result.stdout
    assert "not reachable" not in result.stdout


def test_ci_does_not_demand_postgresql_it_was_told_to_leave_out(redis_url):
    result = _run_concurrency_test(CI="true", TEST_REDIS_URL=redis_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout

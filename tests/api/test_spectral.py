"""Spectral's `spectral:oas` ruleset finds nothing to warn about in the served document.

.ci/run installs @stoplight/spectral-cli from the npm registry into .ci/spectral; outside CI the
test installs it there on first use (npm is on every machine of the project)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PREFIX = ROOT / ".ci" / "spectral"
SPECTRAL = PREFIX / "node_modules" / ".bin" / "spectral"
VERSION = "6.16.3"

pytestmark = pytest.mark.slow  # node


def _spectral() -> Path:
    if not SPECTRAL.exists():
        if shutil.which("npm") is None:
            if os.environ.get("CI"):
                pytest.fail("npm is needed to run Spectral")
            pytest.skip("npm is not installed")
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(PREFIX),
                f"@stoplight/spectral-cli@{VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return SPECTRAL


def test_spectral_oas_ruleset_reports_nothing(app, tmp_path):
    spec = app.test_client().get("/api/openapi.json").get_json()
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(spec))
    out = subprocess.run(
        [
            str(_spectral()),
            "lint",
            "--ruleset",
            str(ROOT / ".spectral.yaml"),
            "--format",
            "json",
            "--fail-severity",
            "hint",
            str(document),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    start = out.stdout.find("[")
    findings = json.JSONDecoder().raw_decode(out.stdout[start:])[0] if start >= 0 else None
    assert findings == [], [(f["code"], ".".join(map(str, f["path"])), f["message"]) for f in findings][:20]
    assert out.returncode == 0, out.stderr

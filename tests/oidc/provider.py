"""Start panva's oidc-provider (npm; .ci/run installs it into .ci/oidc-provider) on loopback with
its default security settings and the given clients and synthetic accounts (tests/oidc/provider.mjs)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = "9.13.3"
PREFIX = ROOT / ".ci" / "oidc-provider"
MODULE = PREFIX / "node_modules" / "oidc-provider" / "lib" / "index.js"
SCRIPT = Path(__file__).with_name("provider.mjs")


def _installed() -> Path:
    if not MODULE.exists():  # .ci/run installs it; outside CI, install it the same way
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--silent",
                "--prefix",
                str(PREFIX),
                f"oidc-provider@{VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
    if not MODULE.exists():
        pytest.fail("oidc-provider could not be installed from npm")
    return MODULE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def oidc_provider(
    clients: list[dict], accounts: dict[str, dict], *, cpr_claim: str = "cpr", port: int | None = None
) -> Iterator[str]:
    """The provider's issuer URL while it runs."""
    port = port or free_port()
    env = dict(
        os.environ,
        OIDC_PROVIDER_MODULE=str(_installed()),
        OIDC_PORT=str(port),
        OIDC_CLIENTS=json.dumps(clients),
        OIDC_ACCOUNTS=json.dumps(accounts),
        OIDC_CPR_CLAIM=cpr_claim,
    )
    proc = subprocess.Popen(["node", str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("ready "):
            proc.kill()
            pytest.fail(f"oidc-provider did not start: {line}{proc.stderr.read() if proc.stderr else ''}")
        yield line.split()[1]
    finally:
        proc.terminate()
        proc.wait(10)

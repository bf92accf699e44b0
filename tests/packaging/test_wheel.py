"""The built package stands on its own: a wheel from `python -m build`, installed into a fresh
virtual environment, migrates a database and serves the login page in Danish.

Offline and quick: the build runs without isolation (setuptools and babel come from the test
lock), and the fresh venv sees the test venv's installed dependencies through a .pth file, so
pip installs only the wheel itself (--no-deps --no-index). A .pth line adds a plain directory,
so the test venv's editable ips-coord (a finder installed by its own .pth) stays invisible.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
# Build from a copy of what git would hold: no venv, no stale egg-info, no compiled catalogue.
NOT_IN_GIT = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "instance",
    "var",
    "test-artifacts",
    ".pytest_cache",
    ".hypothesis",
    "__pycache__",
    "*.mo",
)

pytestmark = pytest.mark.slow


def _run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("build")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=NOT_IN_GIT)
    # sdist first, then the wheel from the unpacked sdist: the route `python -m build` takes.
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", work / "dist", source)
    (built,) = (work / "dist").glob("ips_coord-*.whl")
    return built


def test_wheel_carries_catalogues_migrations_and_spdx_license(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "ips_coord/translations/da/LC_MESSAGES/messages.mo" in names
    assert "ips_coord/migrations/env.py" in names and "ips_coord/migrations/alembic.ini" in names
    versions = {n.rsplit("/", 1)[1] for n in names if n.startswith("ips_coord/migrations/versions/")}
    assert versions == {p.name for p in (ROOT / "migrations" / "versions").glob("*.py")}
    assert not any(n.startswith("migrations/") for n in names)  # nothing at the top level of site-packages
    assert "License-Expression: AGPL-3.0-or-later" in metadata.splitlines()


def test_installed_wheel_migrates_and_serves_danish(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "ips_test_dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel)

    run_dir = tmp_path / "run"  # not the checkout: `import ips_coord` must find the installed package
    run_dir.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "REDIS_URL", "CLOCK_FILE"}}
    env.update(
        IPS_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        SMTP_HOST="127.0.0.1",
        BASE_URL="https://ips.example.dk",
        DATABASE_URL=f"sqlite:///{tmp_path / 'ips.sqlite'}",
        IPS_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    where = _run(python, "-c", "import ips_coord; print(ips_coord.__file__)", cwd=run_dir, env=env).stdout
    assert where.startswith(str(site)), where

    # The migrations are found inside the installed package (there is no checkout beside it).
    _run(python, "-m", "flask", "--app", "ips_coord", "db", "upgrade", cwd=run_dir, env=env)
    heads = _run(python, "-m", "flask", "--app", "ips_coord", "db", "current", cwd=run_dir, env=env).stdout
    assert "(head)" in heads, heads

    port = _free_port()
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "ips_coord.wsgi:app"],
        cwd=run_dir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        page = _get(f"http://127.0.0.1:{port}/login", server)
        english = _get(f"http://127.0.0.1:{port}/login?lang=en", server)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Log ind" in page and "Adgangskode" in page, output
    assert "Log in" in english and "Password" in english


def _get(url: str, server: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.3)

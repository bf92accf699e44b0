"""The README's run command on embedded defaults: SQLite, no Redis, no mail server. The web
server, a real worker and one beat start together, and a notification lands in the local
mailbox as an .eml file."""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import make_app
from tests.worker.conftest import ROOT, free_port, wait_until

pytestmark = pytest.mark.slow  # starts `make run`'s processes


def test_run_command_starts_web_worker_and_beat_and_mail_lands_in_the_mailbox(tmp_path):
    from flask_migrate import upgrade

    from ips_coord.extensions import db

    instance = tmp_path / "instance"
    instance.mkdir()
    url = f"sqlite:///{instance}/ips_coord.sqlite"
    app = make_app(url)
    with app.app_context():
        upgrade()
        from tests.factories import World

        world = World.build()
        case = world.case_in("job_search")
        world.step(case, "start_job", employer_name="Bageriet", benefits_counselling_offered=True)
        reference = case.reference
        db.engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SMTP_HOST", "CLOCK_FILE")}
    env.update(IPS_INSTANCE_PATH=str(instance), SWEEP_INTERVAL_SECONDS="1", PYTHONPATH=ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ips_coord.devserver", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        health = wait_until(lambda: _get(f"http://127.0.0.1:{port}/healthz"), 60, what="the web server")
        assert json.loads(health) == {"status": "ok", "database": "ok", "redis": "not configured"}
        mailbox = instance / "mailbox"
        files = wait_until(
            lambda: list(mailbox.glob("*.eml")) if mailbox.exists() else [], 90, what="an email in the local mailbox"
        )
        subjects = {
            str(email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"]) for p in files
        }
        assert any(reference in s for s in subjects), subjects
        log = (instance / "worker.log").read_text()
        assert "filesystem://" in log and "beat: Starting" in log
        assert log.count("beat: Starting") == 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    # The worker went with it.
    out = subprocess.run(["pgrep", "-f", f"celery.*{instance}"], capture_output=True, text=True)
    assert out.stdout.strip() == ""
    # Everything it wrote is in the instance folder, nothing in the working directory.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["instance"]
    assert (instance / "broker" / "control").is_dir()


def _get(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None

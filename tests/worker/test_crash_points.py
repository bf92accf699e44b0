"""At-least-once delivery, proven at each named crash point (ips_coord.notifications.failpoints).

A real worker delivers 50 due notifications to the SMTP sink, dies with SIGKILL at one point
the first time it reaches it, and is started again; the sink counts what it accepted by
Message-ID. Nothing is ever lost; a duplicate (same Message-ID) only comes from dying between
the server's 250 and recording it, and then at most one per worker process that died.

Time moves through the shared clock file: the claims of the dead worker run out because the
test moves the clock past CLAIM_TIMEOUT_SECONDS while no worker runs, not because it waits.
Set FAULT_REPORT=path to append each run's counts as JSON lines (for the 20-run table).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from ips_coord.extensions import db
from ips_coord.models import Notification
from ips_coord.notifications.email import message_id
from ips_coord.notifications.failpoints import POINTS
from tests.factories import World
from tests.worker.conftest import ROOT, wait_until

N = 50
# Rows a worker process can hold between the server's 250 and recording it: its one row in
# flight (each row is recorded before the next is claimed). The solo worker is one process.
IN_FLIGHT = 1
DUPLICATES_ALLOWED = {"delivery.after_data_end": IN_FLIGHT}


def _expected_ids() -> set[str]:
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).where(Notification.idempotency_key.like("test:%"))).all()
    db.session.commit()
    return {message_id(n) for n in rows}


def _count(sink, expected: set[str]) -> tuple[int, int]:
    """(lost, duplicated) among the expected Message-IDs, as the sink accepted them."""
    counts = Counter(mid for mid in sink.message_ids() if mid in expected)
    return len(expected - set(counts)), sum(counts.values()) - len(counts)


def _report(point: str, lost: int, duplicated: int) -> None:
    line = json.dumps({"point": point, "lost": lost, "duplicated": duplicated})
    print(f"crash point result: {line}")
    if os.environ.get("FAULT_REPORT"):
        with open(os.environ["FAULT_REPORT"], "a") as fh:
            fh.write(line + "\n")


def _worker_logs(stack) -> str:
    return "".join(open(p.log_path).read() for p in stack.procs.procs if hasattr(p, "log_path"))


@pytest.mark.slow
@pytest.mark.parametrize("point", list(POINTS))
def test_crash_at_each_point_loses_nothing(stack, point):
    world = World.build()
    stack.outbox(world, N)
    expected = _expected_ids()
    stack.env["IPS_FAILPOINTS"] = f"{point}:once"
    worker = stack.procs.worker(pool="solo")
    stack.procs.beat()
    wait_until(lambda: worker.poll() is not None, 60, what=f"the worker to die at {point}")
    assert worker.returncode == -signal.SIGKILL, _worker_logs(stack)[-3000:]
    assert os.path.exists(os.path.join(stack.env["IPS_FAILPOINTS_DIR"], point))
    assert f"failpoint {point}: killing process {worker.pid}" in Path(worker.log_path).read_text()
    # What the dead worker held stays claimed until its lease runs out; no worker runs now.
    stack.clock.advance(seconds=stack.app.config["CLAIM_TIMEOUT_SECONDS"] + 1)
    restarted = stack.procs.worker(pool="solo")
    wait_until(lambda: stack.statuses() == {"sent": N}, 60, what=f"all {N} rows sent after the restart")
    # Every row is recorded sent, so no claim can succeed any more: the counts are final.
    lost, duplicated = _count(stack.sink, expected)
    _report(point, lost, duplicated)
    assert restarted.poll() is None, "the restarted worker died again: 'once' did not hold"
    assert lost == 0
    assert duplicated <= DUPLICATES_ALLOWED.get(point, 0)


@pytest.mark.slow
def test_a_server_slower_than_the_command_timeout_gets_each_message_once(stack):
    """The reply to the final "." may take minutes (RFC 5321 4.5.3.2.6); 12 s is no failure."""
    stack.sink.delay = 12.0
    assert stack.app.config["SMTP_TIMEOUT_SECONDS"] < stack.sink.delay
    world = World.build()
    stack.procs.worker(concurrency=2)
    stack.procs.beat()
    stack.outbox(world, 1)
    wait_until(lambda: len(stack.sink.arrivals) == 1, 30, what="the first message at the server")
    stack.outbox(world, 1, kind="job_started")  # a second task, for the second worker process
    wait_until(lambda: stack.statuses() == {"sent": 2}, 60, what="both rows sent")
    assert len(stack.sink.arrivals) == 2 and len(set(stack.sink.message_ids())) == 2  # no resend


@pytest.mark.slow
def test_a_connection_dropped_after_the_final_dot_is_sent_again(stack):
    """No reply to the "." means the message may or may not be there: send it again."""
    stack.real_time()
    stack.sink.reply = lambda mid, seen: (0, None if seen == 1 else "250 OK")
    world = World.build()
    stack.outbox(world, 3)
    expected = _expected_ids()
    stack.procs.worker()
    stack.procs.beat()
    wait_until(lambda: stack.statuses() == {"sent": 3}, 60, what="three rows sent after the drops")
    assert {m.message_id for m in stack.sink.refused} == expected  # each was dropped once ...
    assert sorted(stack.sink.message_ids()) == sorted(expected)  # ... and then accepted once, same Message-ID


@pytest.mark.slow
def test_two_workers_whose_claim_ran_out_never_both_record(stack):
    """A send outlasts its lease (the clock moves past CLAIM_TIMEOUT_SECONDS while the server
    holds the reply): the sweep gives the row to the second worker, which sends and records it.
    The first worker's late result, a 250 or a 451, is then dropped: its token no longer matches."""
    late = {}  # Message-ID -> the first copy's late reply

    def reply(mid, seen):
        # The first copy's reply comes only after the second worker's copy has arrived.
        return (lambda: stack.sink.arrivals.count(mid) > 1, late[mid]) if seen == 1 else (0, "250 OK")

    stack.sink.reply = reply
    world = World.build()
    stack.procs.worker(concurrency=1)
    stack.procs.worker(concurrency=1)
    stack.procs.beat()
    for n, (kind, first_reply) in enumerate((("case_enrolled", "250 OK"), ("job_started", "451 try later")), 1):
        stack.outbox(world, 1, kind=kind)
        [mid] = _expected_ids() - set(late)
        late[mid] = first_reply
        wait_until(lambda mid=mid: mid in stack.sink.arrivals, 30, what="the first copy at the server")
        stack.clock.advance(seconds=stack.app.config["CLAIM_TIMEOUT_SECONDS"] + 1)
        wait_until(lambda mid=mid: stack.sink.arrivals.count(mid) == 2, 30, what="the second worker's copy")
        wait_until(
            lambda n=n: _worker_logs(stack).count("passed to another worker") == n,
            30,
            what="the first worker's late result",
        )
    assert stack.statuses() == {"sent": 2}
    logs = _worker_logs(stack)
    # One recorded result per row, across both workers; each late result was dropped.
    assert len(re.findall(r"notification \d+ sent \(", logs)) == 2
    assert logs.count("sent, but its claim had passed to another worker") == 1
    assert logs.count("attempt failed (SMTPDataError) after its claim passed to another worker") == 1
    # No third copy: the late 451 did not put the row back to pending.
    assert len(stack.sink.arrivals) == 4 and len(stack.sink.messages) == 3


def test_production_refuses_failpoints_and_ignores_them(tmp_path):
    """At start-up a production worker stops with one line naming the setting; and a
    production app that got the setting anyway (not from the environment) never fires it."""
    env = {
        **os.environ,
        "IPS_ENV": "production",
        "SECRET_KEY": "x" * 40,
        "SMTP_HOST": "mail.example",
        "BASE_URL": "https://ips.example.dk",
        "DATABASE_URL": "postgresql+psycopg://u@db.invalid/ips",
        "IPS_FAILPOINTS": "delivery.after_claim",
        "IPS_FAILPOINTS_DIR": str(tmp_path),
        "IPS_INSTANCE_PATH": str(tmp_path / "instance"),
        "PYTHONPATH": ROOT,
    }
    env.pop("CLOCK_FILE", None)
    out = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", "solo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1] == (
        "ips-coord: configuration error: IPS_FAILPOINTS is for tests only and must not be set in production"
    )
    script = (
        "from ips_coord import create_app\n"
        "from ips_coord.notifications.failpoints import failpoint\n"
        "import os, sys\n"
        "env = sys.argv[1]\n"
        "if env == 'production': os.environ.pop('IPS_FAILPOINTS')\n"
        "app = create_app({'ENV_NAME': env, 'FAILPOINTS': 'delivery.after_claim'})\n"
        "with app.app_context(): failpoint('delivery.after_claim')\n"
        "print('alive')\n"
    )
    survived = subprocess.run(
        [sys.executable, "-c", script, "production"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert survived.returncode == 0 and survived.stdout.strip() == "alive", survived.stderr[-2000:]
    killed = subprocess.run(
        [sys.executable, "-c", script, "development"],
        cwd=ROOT,
        env={**env, "IPS_ENV": "development"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -signal.SIGKILL and "alive" not in killed.stdout

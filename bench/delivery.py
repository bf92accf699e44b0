"""Notification delivery: emails per second from 2 worker processes into a real SMTP sink.

    python -m bench.delivery --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench \
        [--redis-url redis://127.0.0.1:6379/14] [--concurrency 2]

Uses the generated database's due outbox rows (10,000 at the default scale). Starts an aiosmtpd
server on loopback in this process, one Celery worker with --concurrency worker processes
(prefork) on Redis, sends one dispatch task, and times until the sink has every email. Then it
checks each Message-ID arrived once and puts the rows back to pending so the run can be
repeated (bench.sweep uses the same rows).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench.common import ROOT, free_port


class Sink:
    """Counts Message-IDs; parses only the header it needs."""

    def __init__(self):
        self.ids: list[bytes] = []
        self.lock = threading.Lock()
        self.first = self.last = None

    async def handle_DATA(self, server, session, envelope):
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        mid = next(
            (line.split(b":", 1)[1].strip() for line in head.split(b"\r\n") if line.lower().startswith(b"message-id:")),
            b"",
        )
        now = time.perf_counter()
        with self.lock:
            self.ids.append(mid)
            self.first = self.first or now
            self.last = now
        return "250 OK"


def run(database_url: str, redis_url: str, concurrency: int, timeout: float) -> dict:
    import redis
    from aiosmtpd.controller import Controller
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as conn:
        due = conn.execute(
            text(
                "SELECT count(*) FROM notification WHERE status = 'pending' "
                "AND next_attempt_at <= now() at time zone 'utc'"
            )
        ).scalar()
        t0 = conn.execute(text("SELECT now() at time zone 'utc'")).scalar()
    if not due:
        sys.exit("no due notifications: run bench.generate first")
    redis.Redis.from_url(redis_url).flushdb()
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "IPS_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "BASE_URL": "https://ips-coord.example",
        "PYTHONPATH": ROOT,
    }
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - the worker's, while it runs
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker",
            "worker",
            "--loglevel",
            "WARNING",
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        from celery import Celery

        Celery(broker=redis_url).send_task("ips_coord.dispatch")
        start = time.perf_counter()
        while len(sink.ids) < due and time.perf_counter() - start < timeout:
            if worker.poll() is not None:
                sys.exit(f"worker stopped:\n{Path(log.name).read_text()[-3000:]}")
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        controller.stop()
    counts = Counter(sink.ids)
    with engine.begin() as conn:
        touched = "idempotency_key LIKE 'bench:%' AND claimed_at >= :t0"
        statuses = dict(
            conn.execute(
                text(f"SELECT status, count(*) FROM notification WHERE {touched} GROUP BY status"), {"t0": t0}
            ).all()
        )
        # Back to pending for the next run.
        conn.execute(
            text(
                f"UPDATE notification SET status = 'pending', sent_at = NULL, attempts = 0, "
                f"claimed_at = NULL, claim_token = NULL WHERE {touched}"
            ),
            {"t0": t0},
        )
    engine.dispose()
    received = len(sink.ids)
    return {
        "due": due,
        "received": received,
        "distinct": len(counts),
        "duplicates": received - len(counts),
        "seconds": round(elapsed, 2),
        "emails_per_second": round(received / elapsed, 1),
        "steady_rate": round((received - 1) / (sink.last - sink.first), 1) if received > 1 else 0,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    result = run(args.database_url, args.redis_url, args.concurrency, args.timeout)
    print(" ".join(f"{k}={v}" for k, v in result.items()))


if __name__ == "__main__":
    main()

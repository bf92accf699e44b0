"""Real parts for the delivery tests: a Celery worker and beat as separate processes, a
private Redis server (so a test may stop it), PostgreSQL, and an SMTP server (aiosmtpd) on
127.0.0.1 that records every message it accepts."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import CI, T0, _empty_tables, _state, make_app

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Received:
    message_id: str
    to: str
    subject: str
    text: str
    html: str
    raw: str


class _Handler:
    def __init__(self, sink: SmtpSink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        received = Received(
            message_id=str(msg["Message-ID"]),
            to=str(msg["To"]),
            subject=str(msg["Subject"]),
            text=text.get_content() if text else "",
            html=html.get_content() if html else "",
            raw=envelope.content.decode("utf-8", "replace"),
        )
        with self.sink.lock:
            self.sink.arrivals.append(received.message_id)
            seen = self.sink.arrivals.count(received.message_id)
        # Like an MTA that has the message at the final "." and is slow to confirm.
        hold, reply = self.sink.reply(received.message_id, seen) if self.sink.reply else (self.sink.delay, "250 OK")
        if callable(hold):  # hold until something has happened elsewhere
            deadline = time.monotonic() + 60
            while not hold() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        elif hold:
            await asyncio.sleep(hold)
        if reply is None:  # the connection drops after the "." without a reply
            server.transport.abort()
        with self.sink.lock:
            (self.sink.messages if reply and reply.startswith("250") else self.sink.refused).append(received)
        return reply or "421 gone"


@dataclass
class SmtpSink:
    """`messages` are the ones it accepted (250); `arrivals` the Message-ID of every complete
    DATA, as it arrives; `refused` the ones answered otherwise or dropped."""

    port: int = field(default_factory=free_port)
    messages: list = field(default_factory=list)
    arrivals: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Controller | None = None
    delay: float = 0.0  # seconds before each 250, to make a batch take a while
    # (message_id, nth arrival) -> (seconds to hold or a condition to hold until, reply or
    # None to drop the connection)
    reply: object = None

    def start(self):
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[Received]:
        with self.lock:
            return [m for m in self.messages if m.to == address]

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m.message_id for m in self.messages]


class RedisServer:
    def __init__(self, tmp):
        self.port = free_port()
        self.tmp = tmp
        self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            if CI:
                pytest.fail("redis-server is required in CI")
            pytest.skip("redis-server not installed")
        self.proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        wait_until(lambda: _ping(redis, self.url), 10, what="redis-server")

    def stop(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


def _ping(redis, url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


class Processes:
    """Celery worker and beat processes, each in its own process group (for kill -9)."""

    def __init__(self, env: dict, tmp):
        self.env = env
        self.tmp = tmp
        self.procs: list[subprocess.Popen] = []
        self.count = 0

    def _spawn(self, args, name):
        self.count += 1
        log = open(os.path.join(self.tmp, f"{name}-{self.count}.log"), "w")  # noqa: SIM115 - the child's, while it runs
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "worker", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        proc.log_path = log.name
        self.procs.append(proc)
        return proc

    def worker(self, concurrency: int = 2, pool: str = "prefork"):
        """`pool="solo"`: the worker runs its tasks in its own process, so a crash point kills
        the whole worker (as a lost machine would), not just one child of the pool."""
        size = ["--concurrency", str(concurrency)] if pool == "prefork" else []
        proc = self._spawn(
            [
                "worker",
                "--loglevel",
                "INFO",
                *size,
                "--pool",
                pool,
                "-n",
                f"w{self.count + 1}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            "worker",
        )
        wait_until(
            lambda: "ready" in Path(proc.log_path).read_text() or proc.poll() is not None,
            60,
            what="celery worker start",
        )
        assert proc.poll() is None, Path(proc.log_path).read_text()[-3000:]
        return proc

    def beat(self):
        return self._spawn(
            ["beat", "--loglevel", "INFO", "--schedule", os.path.join(self.tmp, f"beat-{self.count + 1}")], "beat"
        )

    @staticmethod
    def kill9(proc):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(15)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()

    def logs(self) -> str:
        out = []
        for name in sorted(os.listdir(self.tmp)):
            if name.endswith(".log"):
                out.append(f"--- {name}\n" + Path(self.tmp, name).read_text()[-4000:])
        return "\n".join(out)


@pytest.fixture(scope="module")
def worker_db(pg_url):
    """The delivery tests run on PostgreSQL (SKIP LOCKED, concurrent workers), migrated to head."""
    return pg_url


@pytest.fixture
def stack(worker_db, tmp_path):
    """A test app plus everything a worker needs; processes are started by the test."""
    from ips_coord.clock import FileClock
    from ips_coord.extensions import db

    if _state.get("redis") is None and not CI:
        pytest.skip("Redis not reachable outside CI")
    _state["redis_used"] = True
    sink = SmtpSink()
    sink.start()
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    clock_file = str(tmp_path / "clock")
    clock = FileClock(clock_file)
    clock.set(T0)
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "REDIS_URL", "SMTP_", "IPS_FAILPOINTS", "CLAIM_TIMEOUT"))
        },
        "IPS_ENV": "development",
        "DATABASE_URL": worker_db,
        "REDIS_URL": redis_server.url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(sink.port),
        "SECRET_KEY": "testing-secret",
        "BASE_URL": "http://testserver",
        "CLOCK_FILE": clock_file,
        "SWEEP_INTERVAL_SECONDS": "0.5",
        "NOTIFY_BACKOFF_SECONDS": "0.5",
        "IPS_FAILPOINTS_DIR": str(tmp_path / "failpoints"),
        "PYTHONPATH": ROOT,
    }
    app = make_app(
        worker_db, REDIS_URL=redis_server.url, SMTP_HOST="127.0.0.1", SMTP_PORT=sink.port, NOTIFY_BACKOFF_SECONDS=0.5
    )
    app.extensions["ips_clock"] = clock
    procs = Processes(env, tmp_path)
    ctx = app.app_context()
    ctx.push()
    st = Stack(app=app, clock=clock, sink=sink, redis=redis_server, procs=procs, env=env)
    try:
        yield st
    finally:
        procs.stop_all()
        sink.stop()
        redis_server.stop()
        db.session.remove()
        _empty_tables(db)
        db.engine.dispose()
        ctx.pop()


@dataclass
class Stack:
    app: object
    clock: object
    sink: SmtpSink
    redis: RedisServer
    procs: Processes
    env: dict

    def real_time(self):
        """Fault tests need real time (claim timeouts, backoff): an empty clock file."""
        with open(self.env["CLOCK_FILE"], "w"):
            pass

    def outbox(self, world, n: int, kind: str = "case_enrolled"):
        """n pending notifications to the consultant, as the services would write them."""
        from ips_coord.clock import utcnow
        from ips_coord.extensions import db
        from ips_coord.models import Notification

        case = world.referral()
        now = utcnow()
        db.session.add_all(
            [
                Notification(
                    recipient_id=world.consultant.id,
                    case_id=case.id,
                    kind=kind,
                    status="pending",
                    next_attempt_at=now,
                    idempotency_key=f"test:{case.id}:{i}",
                    data={"reference": case.reference},
                    created_at=now,
                )
                for i in range(n)
            ]
        )
        db.session.commit()
        return case

    def statuses(self) -> dict:
        from sqlalchemy import func, select

        from ips_coord.extensions import db
        from ips_coord.models import Notification

        db.session.expire_all()
        out = dict(db.session.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())
        db.session.commit()
        return out

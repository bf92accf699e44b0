"""Under load: a mixed workload of concurrent users, stepped up until the pages slow down.

    python -m bench.load --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench \
        [--stages 4,8,16,32,64,128] [--seconds 30] [--ramp 5] [--think 0.5,1.5] [--workers 2] \
        [--redis-url redis://127.0.0.1:6379/9] [--sweep-every 10] [--emails-per-second 5] [--seed 1] \
        [--json PATH]

Serves the app with gunicorn, starts a real Celery worker on Redis that delivers into an aiosmtpd
sink on loopback (during each measured window the sweep task is sent at once and then every
--sweep-every seconds, as the beat would), and
drives the app with locust (headless, as a library, in this process) at each stage's number of
concurrent users. About one user in ten is a municipality's coordinator (overview, now and then
outcomes + fidelity); the rest are distinct consultants drawn from the database (seeded), each
on their own cases: "my day", case pages, a contact logged on a case, a step recorded, the
one-click "contact made" on "my day". Writes POST the page's CSRF token and follow the redirect,
as a browser does; any other status than the expected one is an error.

Each stage adds users (logged in during the ramp, outside the measured window), resets the
statistics, measures --seconds, and prints requests/s, p50/p95 per kind and overall, errors,
and the emails the worker recorded sent. The bench's due outbox rows are held back and fall
due --emails-per-second at a time (round and round), so the worker sweeps and delivers a
steady national volume rather than a backlog. A stage is sustained when the p95 of all its
requests is under 150 ms with no error; kinds whose own p95 is over are marked.
Everything (server, worker, sink, database, load generator) shares this machine's cores.

The run writes to the database like real users do (contacts, steps, follow-ups completed and
their successors, case events, access-log rows, the sweep's digests); only the outbox rows are
put back. Run it on a copy (`createdb -T ips_bench ips_bench_load`) to keep the data pristine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import ROOT, free_port, gunicorn

PASSWORD = "Bench-password-1"
LIMIT_MS = 150.0
# Phases in which a consultant logs contacts; steps (internship, wage subsidy) while seeking work.
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
ACTIVE = ("engagement", "job_search", "employed", "in_education", "job_ended")
SEEKING = ("engagement", "job_search", "job_ended")
# What a consultant does per iteration, by weight; a coordinator's likewise.
CONSULTANT_MIX = {"my_day": 40, "case": 40, "contact": 10, "step": 3, "my_day_contact": 7}
COORDINATOR_MIX = {"overview": 9, "reports": 1}
# Kinds of request as reported (locust's names), in the order printed.
KINDS = (
    "my day",
    "case page",
    "log contact (POST)",
    "record step (POST)",
    "contact made on my day (POST)",
    "coordinator overview",
    "outcomes + fidelity",
)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DUE_ROW = re.compile(r'action="/my-day/follow-ups/(\d+)/contact"')


@dataclass
class Consultant:
    email: str
    cases: list[int]
    active: list[int]
    seeking: list[int]


@dataclass
class Pool:
    """Who the users sign in as: user i is a coordinator when i % 10 == 1, else the next consultant."""

    consultants: list[Consultant]
    coordinators: list[str]
    started: int = 0
    logged_in: int = 0
    login_failures: int = 0
    login_error: str = ""
    roles: dict[str, int] = field(default_factory=lambda: {"consultant": 0, "coordinator": 0})
    go: Any = None  # a gevent Event: set once the stage's statistics are reset; new users wait for it

    def next(self) -> tuple[str, Consultant | str]:
        i = self.started
        self.started += 1
        if i % 10 == 1 and self.coordinators:
            self.roles["coordinator"] += 1
            return "coordinator", self.coordinators[(i // 10) % len(self.coordinators)]
        self.roles["consultant"] += 1
        n = self.roles["consultant"] - 1
        return "consultant", self.consultants[n % len(self.consultants)]


def load_pool(database_url: str, users: int, seed: int) -> Pool:
    import random

    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        ids = (
            conn.execute(
                text(
                    "SELECT u.id FROM staff_user u WHERE u.role = 'ips_consultant' AND u.active AND EXISTS "
                    "(SELECT 1 FROM ips_case c WHERE c.consultant_id = u.id AND c.phase IN :seeking) ORDER BY u.id"
                ).bindparams(bindparam("seeking", expanding=True)),
                {"seeking": list(SEEKING)},
            )
            .scalars()
            .all()
        )
        rng = random.Random(seed)
        chosen = rng.sample(list(ids), min(len(ids), users))
        emails = dict(
            conn.execute(
                text("SELECT id, email FROM staff_user WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
                {"ids": chosen},
            ).all()
        )
        cases: dict[int, list[tuple[int, str]]] = {uid: [] for uid in chosen}
        for cid, uid, phase in conn.execute(
            text("SELECT id, consultant_id, phase FROM ips_case WHERE consultant_id IN :ids ORDER BY id").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": chosen},
        ):
            cases[uid].append((cid, phase))
        coordinators = list(
            conn.execute(
                text(
                    "SELECT u.email FROM staff_user u JOIN organisation o ON o.id = u.organisation_id "
                    "WHERE u.role = 'coordinator' AND u.active AND o.kind = 'ips_team' ORDER BY u.id"
                )
            ).scalars()
        )
        rng.shuffle(coordinators)
    engine.dispose()
    if not chosen:
        sys.exit("no consultant with a case in engagement or job search: run bench.generate first")
    return Pool(
        [
            Consultant(
                emails[uid],
                [c for c, _p in cases[uid]],
                [c for c, p in cases[uid] if p in ACTIVE],
                [c for c, p in cases[uid] if p in SEEKING],
            )
            for uid in chosen
        ],
        coordinators,
    )


class Actions:
    """What a signed-in user does: mixed into locust's FastHttpUser by user_class (locust is
    imported there, as it patches the standard library for gevent)."""

    pool: Pool
    seed: int
    client: Any

    def on_start(self):
        pool = self.pool
        self.role, who = pool.next()
        self.rng = random.Random(f"{self.seed}:{pool.started}")
        self.me: Any = who  # a Consultant, or a coordinator's email
        email = who if isinstance(who, str) else who.email
        token = self._token("/login", "login page")
        with self.client.post(
            "/login",
            name="login (POST)",
            data={"email": email, "password": PASSWORD, "csrf_token": token or ""},
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 302:
                r.failure(f"login {email}: {r.status_code}")
                pool.login_failures += 1
                pool.login_error = f"{email}: {r.status_code}"
                self.role = "signed out"  # counted as an error; idles from here on
                return
        pool.logged_in += 1
        pool.go.wait()  # the measured window starts once every user of the stage is signed in
        # First each of the role's actions once (so a short run shows every kind), then the mix.
        self.tour = list(CONSULTANT_MIX if self.role == "consultant" else COORDINATOR_MIX)

    def _get(self, path: str, name: str) -> str | None:
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{path}: {r.status_code}")
                return None
            return r.text

    def _token(self, path: str, name: str) -> str | None:
        page = self._get(path, name)
        m = CSRF.search(page or "")
        return m.group(1) if m else None

    def _post(self, path: str, name: str, data: dict, redirect_to: str, then: str) -> None:
        """A form submitted as a browser does: 302 to the expected page, which is then loaded."""
        with self.client.post(path, name=name, data=data, allow_redirects=False, catch_response=True) as r:
            location = r.headers.get("location") or ""
            if r.status_code != 302 or not location.split("#")[0].endswith(redirect_to):
                r.failure(f"{path}: {r.status_code} {location}")
                return
        self._get(redirect_to, then)

    def act(self):
        if self.role == "signed out":
            return
        mix = CONSULTANT_MIX if self.role == "consultant" else COORDINATOR_MIX
        action = self.tour.pop(0) if self.tour else self.rng.choices(list(mix), weights=list(mix.values()))[0]
        getattr(self, action)()

    # A coordinator's pages.
    def overview(self):
        self._get("/coordinator", "coordinator overview")

    def reports(self):
        self._get("/coordinator/reports", "outcomes + fidelity")

    # A consultant's.
    def my_day(self):
        self._get("/my-day", "my day")

    def case(self):
        self._get(f"/cases/{self.rng.choice(self.me.cases)}", "case page")

    def contact(self):
        case_id = self.rng.choice(self.me.active or self.me.cases)
        token = self._token(f"/cases/{case_id}", "case page")
        if token is None:
            return
        now = datetime.now(UTC).astimezone(COPENHAGEN).strftime("%Y-%m-%dT%H:%M")
        self._post(
            f"/cases/{case_id}/contacts",
            "log contact (POST)",
            {
                "csrf_token": token,
                "kind": "contact",
                "occurred_at": now,
                "location": "community",
                "note": "Samtale om jobsøgningen (belastningstest).",
            },
            f"/cases/{case_id}",
            "case page",
        )

    def step(self):
        case_id = self.rng.choice(self.me.seeking)
        token = self._token(f"/cases/{case_id}", "case page")
        if token is None:
            return
        today = datetime.now(UTC).astimezone(COPENHAGEN).date().isoformat()
        self._post(
            f"/cases/{case_id}/steps",
            "record step (POST)",
            {
                "csrf_token": token,
                "type": "internship",
                "employer_name": "Belastning ApS",
                "start_date": today,
                "end_date": "",
            },
            f"/cases/{case_id}",
            "case page",
        )

    def my_day_contact(self):
        page = self._get("/my-day", "my day")
        due = DUE_ROW.findall(page or "")
        m = CSRF.search(page or "")
        if not due or m is None:
            return  # nothing due today: this iteration was a look at "my day"
        self._post(
            f"/my-day/follow-ups/{self.rng.choice(due)}/contact",
            "contact made on my day (POST)",
            {"csrf_token": m.group(1), "location": "community"},
            "/my-day",
            "my day",
        )


def user_class(pool: Pool, think: tuple[float, float], seed: int):
    """The locust user: signs in as the pool's next identity, then acts out its role's mix."""
    from locust import between
    from locust.contrib.fasthttp import FastHttpUser

    class Staff(Actions, FastHttpUser):
        wait_time = between(*think)
        tasks = [Actions.act]  # noqa: RUF012 - locust reads a user's tasks from its class

    Staff.pool, Staff.seed = pool, seed
    return Staff


class Outbox:
    """The bench's due emails (idempotency key bench:...), sent again in every stage. Found once
    by the due index and then addressed by id, so no statement scans the outbox's history."""

    def __init__(self, database_url: str):
        from sqlalchemy import create_engine, text

        self.engine = create_engine(database_url)
        self.text = text
        with self.engine.connect() as conn:
            self.t0 = conn.execute(text("SELECT now() at time zone 'utc'")).scalar()
            self.ids = list(
                conn.execute(
                    text(
                        "SELECT id FROM notification WHERE status = 'pending' AND next_attempt_at <= :t0 "
                        "AND idempotency_key LIKE 'bench:%'"
                    ),
                    {"t0": self.t0},
                ).scalars()
            )
            self.max_id = conn.execute(text("SELECT coalesce(max(id), 0) FROM notification")).scalar()

    def _run(self, sql: str, **params):
        with self.engine.begin() as conn:
            return conn.execute(self.text(sql), {"t0": self.t0, "ids": self.ids, **params})

    def hold(self) -> None:
        """Nothing of the bench's due outbox is due until release() lets it out at the steady rate."""
        later = datetime(2999, 1, 1)  # noqa: DTZ001 - naive UTC, like the column raw SQL writes
        self._run(
            "UPDATE notification SET next_attempt_at = :later WHERE id = ANY(:ids) AND status = 'pending'", later=later
        )
        self.next = 0

    def release(self, n: int) -> int:
        """The next n rows (in turn, round and round) become due now, sent or not before; rows a
        worker holds are left to it."""
        if not self.ids or n <= 0:
            return 0
        batch = [self.ids[(self.next + i) % len(self.ids)] for i in range(n)]
        self.next = (self.next + n) % len(self.ids)
        return self._run(
            "UPDATE notification SET status = 'pending', sent_at = NULL, attempts = 0, "
            "claimed_at = NULL, claim_token = NULL, next_attempt_at = now() at time zone 'utc' "
            "WHERE id = ANY(:batch) AND status IN ('pending', 'sent')",
            batch=batch,
        ).rowcount

    def sent_between(self, start, end) -> int:
        """Emails recorded sent in the window: the bench's and what the sweep added (digests...)."""
        return self._run(
            "SELECT count(*) FROM notification WHERE (id = ANY(:ids) OR id > :max_id) "
            "AND status = 'sent' AND sent_at >= :s AND sent_at < :e",
            max_id=self.max_id,
            s=start,
            e=end,
        ).scalar()

    def now(self):
        return self._run("SELECT now() at time zone 'utc'").scalar()

    def reset(self) -> int:
        """After the run, as bench.delivery does: every bench row this run claimed is pending again."""
        n = self._run(
            "UPDATE notification SET status = 'pending', sent_at = NULL, attempts = 0, "
            "claimed_at = NULL, claim_token = NULL, next_attempt_at = created_at "
            "WHERE id = ANY(:ids) AND (claimed_at >= :t0 OR status = 'pending')"
        ).rowcount
        self.engine.dispose()
        return n


def _stage_result(
    env, users: int, roles: dict, seconds: float, errors_before: int, login_failures: int, cpu: dict
) -> dict:
    kinds = {}
    for (name, _method), entry in sorted(env.stats.entries.items(), key=lambda kv: kv[0][0]):
        if entry.num_requests == 0:
            continue
        kinds[name] = {
            "requests": entry.num_requests,
            "rps": round(entry.num_requests / seconds, 1),
            "p50_ms": entry.get_response_time_percentile(0.5),
            "p95_ms": entry.get_response_time_percentile(0.95),
            "errors": entry.num_failures,
        }
    total = env.stats.total
    exceptions = sum(row["count"] for row in env.runner.exceptions.values()) - errors_before
    errors = total.num_failures + exceptions + login_failures
    over = [name for name, k in kinds.items() if k["p95_ms"] >= LIMIT_MS]
    return {
        "users": users,
        "roles": dict(roles),
        "seconds": round(seconds, 1),
        "requests": total.num_requests,
        "rps": round(total.num_requests / seconds, 1),
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "errors": errors,
        "exceptions": exceptions,
        "login_failures": login_failures,
        "kinds": kinds,
        "over_limit": over,
        "sustained": errors == 0 and total.get_response_time_percentile(0.95) < LIMIT_MS and total.num_requests > 0,
        **cpu,
    }


def _print_stage(n: int, s: dict) -> None:
    print(
        f"stage {n}: {s['users']} users ({s['roles']['consultant']} consultants, {s['roles']['coordinator']} "
        f"coordinators), {s['seconds']} s: {s['rps']} req/s, p50 {s['p50_ms']:.0f} ms, p95 {s['p95_ms']:.0f} ms, "
        f"{s['errors']} errors; worker: {s['emails_sent']} emails sent ({s['emails_per_second']}/s); "
        f"cpu: machine {s['machine_cpu']:.0f} %, locust {s['locust_cpu']:.0f} % of one core",
        flush=True,
    )
    print(f"  {'kind':32} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}")
    for name in sorted(s["kinds"], key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k)):
        k = s["kinds"][name]
        flag = "  over" if name in s["over_limit"] else ""
        print(
            f"  {name:32} {k['requests']:>8} {k['rps']:>7} {k['p50_ms']:>7.0f} {k['p95_ms']:>7.0f} "
            f"{k['errors']:>6}{flag}"
        )
    print(
        f"  {'all':32} {s['requests']:>8} {s['rps']:>7} {s['p50_ms']:>7.0f} {s['p95_ms']:>7.0f} {s['errors']:>6}",
        flush=True,
    )


def _worker_side(gevent, celery, outbox: Outbox, args) -> list:
    """During a window: the sweep task every --sweep-every seconds (as the beat sends it) and
    --emails-per-second e-mails falling due (as follow-ups and events make them)."""

    def sweeper():
        while True:
            celery.send_task("ips_coord.sweep")
            gevent.sleep(args.sweep_every)

    def releaser():
        while True:
            outbox.release(round(args.emails_per_second))
            gevent.sleep(1)

    return [gevent.spawn(sweeper), gevent.spawn(releaser)]


def run(args) -> list[dict]:
    # locust patches the standard library for gevent when imported: first, before the rest.
    import gevent
    import gevent.event
    import psutil
    from locust.env import Environment
    from locust.log import setup_logging

    setup_logging("WARNING")
    stages = [int(u) for u in args.stages.split(",")]
    if stages != sorted(set(stages)) or stages[0] < 1:
        sys.exit("--stages: increasing numbers of users (a stage's users stay on in the next)")
    think = tuple(float(x) for x in args.think.split(","))
    pool = load_pool(args.database_url, sum(1 for i in range(max(stages)) if i % 10 != 1), args.seed)
    pool.go = gevent.event.Event()
    outbox = Outbox(args.database_url)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    smtp_port = free_port()
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False)  # noqa: SIM115 - the worker's, while it runs
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    env = {
        **os.environ,
        "IPS_ENV": "development",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "BASE_URL": "https://ips-coord.example",
        "PYTHONPATH": ROOT,
    }
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
            str(args.worker_concurrency),
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
    results: list[dict] = []
    from celery import Celery

    celery = Celery(broker=args.redis_url)

    outbox.hold()
    try:
        with gunicorn("ips_coord.wsgi:app", env, workers=args.workers) as base:
            print(
                f"load: {len(pool.consultants)} distinct consultants, {len(pool.coordinators)} coordinators; "
                f"gunicorn {args.workers} workers, celery worker concurrency {args.worker_concurrency}, "
                f"{args.emails_per_second:g} e-mails falling due a second, sweep every {args.sweep_every} s; "
                f"think time {think[0]}-{think[1]} s; load generator, server, worker "
                f"and database on this machine ({os.cpu_count()} cores, load average "
                f"{os.getloadavg()[0]:.1f} at start)",
                flush=True,
            )
            lenv = Environment(user_classes=[user_class(pool, think, args.seed)], host=base)
            runner = lenv.create_local_runner()
            me = psutil.Process()
            for n, users in enumerate(stages, 1):
                if worker.poll() is not None:
                    sys.exit(f"worker stopped:\n{Path(log.name).read_text()[-3000:]}")
                failures_before = pool.login_failures
                pool.go.clear()
                runner.start(users, spawn_rate=max(1.0, (users - pool.started) / args.ramp))
                deadline = time.monotonic() + args.ramp + 60
                while pool.logged_in + pool.login_failures < users and time.monotonic() < deadline:
                    gevent.sleep(0.2)
                start = outbox.now()
                lenv.stats.reset_all()
                pool.go.set()
                worker_side = _worker_side(gevent, celery, outbox, args)
                errors_before = sum(row["count"] for row in runner.exceptions.values())
                psutil.cpu_percent()
                me.cpu_percent()
                t = time.perf_counter()
                gevent.sleep(args.seconds)
                seconds = time.perf_counter() - t
                gevent.killall(worker_side)
                cpu = {"machine_cpu": psutil.cpu_percent(), "locust_cpu": me.cpu_percent()}
                # The figures first: a statement here would hold up the users and their timers.
                result = _stage_result(
                    lenv, users, pool.roles, seconds, errors_before, pool.login_failures - failures_before, cpu
                )
                emails = outbox.sent_between(start, outbox.now())
                result.update(emails_sent=emails, emails_per_second=round(emails / seconds, 1))
                results.append(result)
                _print_stage(n, result)
                if result["login_failures"]:
                    print(f"  sign-in failures: {result['login_failures']} (last: {pool.login_error})")
                for row in list(runner.exceptions.values())[:3]:
                    print(f"  exception ({row['count']}x): {row['msg']}")
                for error in list(lenv.stats.errors.values())[:5]:
                    print(f"  error ({error.occurrences}x) {error.name}: {error.error}")
            runner.quit()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        sink.terminate()
        sink.wait(10)
        os.unlink(log.name)
        print(
            f"reset: {outbox.reset()} due outbox rows back to pending; the contacts, steps and completed "
            "follow-ups written by the users stay"
        )
    best = max((r for r in results if r["sustained"]), key=lambda r: r["rps"], default=None)
    if best is None:
        print(f"highest sustained: none (no stage had a p95 of all requests < {LIMIT_MS:.0f} ms and no errors)")
    else:
        worst = max(best["kinds"], key=lambda k: best["kinds"][k]["p95_ms"])
        print(
            f"highest sustained: {best['rps']} req/s at {best['users']} users (p95 {best['p95_ms']:.0f} ms, "
            f"0 errors); slowest kind: {worst}, p95 {best['kinds'][worst]['p95_ms']:.0f} ms; locust, gunicorn, "
            "the worker and PostgreSQL on this one machine"
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9", help="the broker (flushed at start)")
    parser.add_argument("--stages", default="4,8,16,32,64,128", help="concurrent users per stage, increasing")
    parser.add_argument("--seconds", type=float, default=30, help="measured time per stage")
    parser.add_argument("--ramp", type=float, default=5, help="seconds to start a stage's new users")
    parser.add_argument("--think", default="0.5,1.5", help="each user's wait between actions: MIN,MAX seconds")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--sweep-every", type=float, default=10, help="seconds between sweep tasks")
    parser.add_argument(
        "--emails-per-second",
        type=float,
        default=5,
        help="the bench's due e-mails released per second (a national volume: ~3 a week per case)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the stages' figures to this file")
    args = parser.parse_args()
    results = run(args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1, default=str)


if __name__ == "__main__":
    main()

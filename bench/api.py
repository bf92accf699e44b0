"""API case-read throughput against a constant-JSON baseline of the same app, with wrk.

    python -m bench.api --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench \
        [--runs 3] [--seconds 15] [--slice 2] [--connections 4] [--workers 2] [--target 0.6]

Serves bench.api:app (the application plus one extra route, /bench/constant, that returns the
bytes of a real case read, so both responses are the same size and pass the same request
hooks) with gunicorn (2 workers, or --workers), and runs wrk (Debian package `wrk`) from a second
process against three phases: GET /api/v1/cases/<id> as a consultant with a bearer token, cycling
through that consultant's cases; the baseline; the same bytes at /api/v1/bench-constant (behind
the API's rate limit and answer headers as well).

The phases are interleaved in short slices (--slice seconds each, the order rotated every
round: reads, baseline, /api/; baseline, /api/, reads; ...), until each phase has had --seconds,
so a shift in the machine's load (other processes, a slow minute) falls on all three alike
instead of on whichever phase ran then. Each run prints its requests per second and both
ratios; the target (--target) is on the first (the app-wide hooks only), the stricter of the
two, and the exit status is 1 when any run misses it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import ROOT, gunicorn


def add_baseline_routes(application, body: bytes) -> None:
    """The baseline: /bench/constant answers the bytes of a real case read through the app-wide
    hooks only; /api/v1/bench-constant the same bytes behind the API's own hooks too (its
    per-token rate limit and its answer headers, which every /api/ route pays)."""
    from flask import Response

    @application.get("/bench/constant")
    def constant():
        return Response(body, mimetype="application/json")

    @application.get("/api/v1/bench-constant")
    def constant_api():
        return Response(body, mimetype="application/json")


def _baseline_app():
    """The application with the baseline routes (in gunicorn's workers, from BENCH_CONSTANT_FILE)."""
    from ips_coord import app_or_exit

    application = app_or_exit()
    add_baseline_routes(application, Path(os.environ["BENCH_CONSTANT_FILE"]).read_bytes())
    return application


if os.environ.get("BENCH_CONSTANT_FILE"):
    app = _baseline_app()


def _script(token: str, paths: list[str]) -> str:
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115  (wrk reads it after this returns)
    script.write(
        "paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
        "i = 0\n"
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n"
        "done = function(summary, latency, requests)\n"
        "  io.write(string.format('non2xx %d\\n', summary.errors.status))\n"
        "  io.write(string.format('done %d %d\\n', summary.requests, summary.duration))\n"
        "  io.write(string.format('p50 %d p99 %d\\n', latency:percentile(50), latency:percentile(99)))\n"
        "end\n"
    )
    script.close()
    return script.name


@dataclass
class Phase:
    name: str
    script: str
    requests: int = 0
    micros: int = 0  # wrk's own measured duration of its slices
    p50: list[int] = field(default_factory=list)
    p99: list[int] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / (self.micros / 1e6) if self.micros else 0.0


def _slice(url: str, phase: Phase, seconds: int, connections: int) -> None:
    """One short wrk run of one phase, added to its totals."""
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", phase.script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non2xx = int(re.search(r"non2xx (\d+)", out).group(1))
    if non2xx:
        sys.exit(f"{phase.name}: {non2xx} responses were not 2xx:\n{out}")
    done = re.search(r"done (\d+) (\d+)", out)
    lat = re.search(r"p50 (\d+) p99 (\d+)", out)
    phase.requests += int(done.group(1))
    phase.micros += int(done.group(2))
    phase.p50.append(int(lat.group(1)))
    phase.p99.append(int(lat.group(2)))


def interleaved(url: str, phases: list[Phase], seconds: float, slice_seconds: int, connections: int) -> None:
    """Each phase in turn for slice_seconds, the order rotated every round, until each has had
    `seconds`: a load shift lands on every phase alike."""
    rounds = max(1, round(seconds / slice_seconds))
    for r in range(rounds):
        k = r % len(phases)
        for phase in phases[k:] + phases[:k]:
            _slice(url, phase, slice_seconds, connections)


def _ms(micros: list[int]) -> str:
    return f"{statistics.median(micros) / 1000:.2f}ms"


def main() -> None:
    import requests
    from sqlalchemy import create_engine, text

    from ips_coord.workflows.phases import Role

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15, help="per phase and run")
    parser.add_argument("--slice", type=int, default=2, help="whole seconds of one phase before the next (wrk's unit)")
    parser.add_argument("--target", type=float, default=0.6, help="the least ratio of each run")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (its own advice: 2 x cores + 1)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    # The per-token limit (1,200 a minute) would answer most of wrk's requests 429: raised as for
    # an integration that reads in bulk; the limiter still counts every request.
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "IPS_ENV": "development",
        "PYTHONPATH": ROOT,
        "API_RATE_LIMIT": "10000000 per minute",
    }
    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        email = conn.execute(
            text("SELECT email FROM staff_user WHERE role = :role ORDER BY id LIMIT 1"),
            {"role": Role.IPS_CONSULTANT.value},
        ).scalar()
        case_ids = list(
            conn.execute(
                text(
                    "SELECT c.id FROM ips_case c JOIN staff_user u ON u.id = c.consultant_id "
                    "WHERE u.email = :e ORDER BY c.id"
                ),
                {"e": email},
            ).scalars()
        )
    engine.dispose()
    token = (
        subprocess.run(
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "ips_coord",
                "token",
                "create",
                email,
                "--name",
                f"bench {time.time():.0f}",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    # The baseline serves the bytes of a real case read.
    body = first_read(case_ids[0], token, env)
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as constant:
        constant.write(body)
    with gunicorn("bench.api:app", {**env, "BENCH_CONSTANT_FILE": constant.name}, workers=args.workers) as base:
        assert requests.get(f"{base}/bench/constant", timeout=30).content == body
        paths = [f"/api/v1/cases/{cid}" for cid in case_ids]
        sizes = {
            len(requests.get(base + p, headers={"Authorization": f"Bearer {token}"}, timeout=30).content)
            for p in paths[:5]
        }
        assert (
            requests.get(
                f"{base}/api/v1/bench-constant", headers={"Authorization": f"Bearer {token}"}, timeout=30
            ).content
            == body
        )
        ratios = []
        for run in range(1, args.runs + 1):
            reads, baseline, api_baseline = (
                Phase("case read", _script(token, paths)),
                Phase("baseline", _script(token, ["/bench/constant"])),
                Phase("baseline in /api/", _script(token, ["/api/v1/bench-constant"])),
            )
            interleaved(base, [reads, baseline, api_baseline], args.seconds, args.slice, args.connections)
            ratio, api_ratio = reads.rps / baseline.rps, reads.rps / api_baseline.rps
            ratios.append(ratio)
            print(
                f"run {run}: case read {reads.rps:7.1f} req/s (p50 {_ms(reads.p50)}, p99 {_ms(reads.p99)}), "
                f"baseline {baseline.rps:7.1f} (p50 {_ms(baseline.p50)}), /api/ baseline {api_baseline.rps:7.1f}"
                f" (p50 {_ms(api_baseline.p50)})",
                flush=True,
            )
            print(f"run {run}: ratio {ratio:.2f}   ratio to /api/ {api_ratio:.2f}", flush=True)
    print(
        f"ratios {' '.join(f'{r:.2f}' for r in ratios)} (target >= {args.target} in every run; "
        f"{len(case_ids)} cases cycled, body {min(sizes)}-{max(sizes)} B against {len(body)} B, "
        f"{args.connections} connections, {args.workers} gunicorn workers, {args.seconds:g} s per phase per run "
        f"in {args.slice:g} s slices)"
    )
    if min(ratios) < args.target:
        sys.exit(1)


def first_read(case_id: int, token: str, env: dict) -> bytes:
    """A case read through the application itself (test client), before gunicorn serves."""
    from ips_coord import create_app

    application = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    response = application.test_client().get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.status_code
    return response.data


if __name__ == "__main__":
    main()

"""API case-read throughput against a constant-JSON baseline of the same app, with wrk.

    python -m bench.api --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench \
        [--seconds 15] [--connections 4] [--workers 2]

Serves bench.api:app (the application plus one extra route, /bench/constant, that returns the
bytes of a real case read, so both responses are the same size and pass the same request
hooks) with gunicorn (2 workers, or --workers), and runs wrk (Debian package `wrk`) from a second process:
first GET /api/v1/cases/<id> as a consultant with a bearer token, cycling through that
consultant's cases, then the baseline, then the same bytes at /api/v1/bench-constant (behind the
API's rate limit and answer headers as well). Prints requests per second and both ratios; the
target is on the first (the app-wide hooks only), the stricter of the two.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, gunicorn


def _baseline_app():
    """The application with the baseline route (in gunicorn's workers, from BENCH_CONSTANT_FILE)."""
    from flask import Response

    from ips_coord import app_or_exit

    application = app_or_exit()
    body = Path(os.environ["BENCH_CONSTANT_FILE"]).read_bytes()

    @application.get("/bench/constant")
    def constant():
        return Response(body, mimetype="application/json")

    # The same bytes behind the API's own hooks too: its per-token rate limit and its answer
    # headers (every /api/ route pays them, a case read included).
    from ips_coord.api.http import api_rate_limit, caller_key
    from ips_coord.extensions import limiter

    def constant_api():
        return Response(body, mimetype="application/json")

    application.add_url_rule("/api/v1/bench-constant", "bench_constant_api",
                             limiter.limit(api_rate_limit, key_func=caller_key)(constant_api))
    return application


if os.environ.get("BENCH_CONSTANT_FILE"):
    app = _baseline_app()


def _wrk(url: str, token: str, paths: list[str], seconds: int, connections: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("paths = {" + ",".join(f'"{p}"' for p in paths) + "}\n"
                     "i = 0\n"
                     f'wrk.headers["Authorization"] = "Bearer {token}"\n'
                     "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n"
                     "done = function(summary, latency, requests)\n"
                     "  io.write(string.format('non2xx %d\\n', summary.errors.status))\nend\n")
    out = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", "-s",
                          script.name, url], capture_output=True, text=True, check=True).stdout
    non2xx = int(re.search(r"non2xx (\d+)", out).group(1))
    if non2xx:
        sys.exit(f"{non2xx} responses were not 2xx:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    dist = out.split("Latency Distribution", 1)[1]
    p50 = re.search(r"50%\s+(\S+)", dist).group(1)
    p99 = re.search(r"99%\s+(\S+)", dist).group(1)
    return rps, p50, p99


def main() -> None:
    import requests
    from sqlalchemy import create_engine, text

    from ips_coord.workflows.phases import Role

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (its own advice: 2 x cores + 1)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    # The per-token limit (1,200 a minute) would answer most of wrk's requests 429: raised as for
    # an integration that reads in bulk; the limiter still counts every request.
    env = {**os.environ, "DATABASE_URL": args.database_url, "IPS_ENV": "development", "PYTHONPATH": ROOT,
           "API_RATE_LIMIT": "10000000 per minute"}
    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        email = conn.execute(text("SELECT email FROM staff_user WHERE role = :role ORDER BY id LIMIT 1"),
                             {"role": Role.IPS_CONSULTANT.value}).scalar()
        case_ids = list(conn.execute(text("SELECT c.id FROM ips_case c JOIN staff_user u ON u.id = c.consultant_id "
                                          "WHERE u.email = :e ORDER BY c.id"), {"e": email}).scalars())
    engine.dispose()
    token = subprocess.run([sys.executable, "-m", "flask", "--app", "ips_coord", "token", "create", email, "--name",
                            f"bench {time.time():.0f}"], env=env, capture_output=True, text=True, check=True
                           ).stdout.strip().splitlines()[-1]
    # The baseline serves the bytes of a real case read.
    body = _first_read(case_ids[0], token, env)
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as constant:
        constant.write(body)
    with gunicorn("bench.api:app", {**env, "BENCH_CONSTANT_FILE": constant.name}, workers=args.workers) as base:
        assert requests.get(f"{base}/bench/constant", timeout=30).content == body
        paths = [f"/api/v1/cases/{cid}" for cid in case_ids]
        sizes = {len(requests.get(base + p, headers={"Authorization": f"Bearer {token}"}, timeout=30).content)
                 for p in paths[:5]}
        assert requests.get(f"{base}/api/v1/bench-constant", headers={"Authorization": f"Bearer {token}"},
                            timeout=30).content == body
        reads = _wrk(base, token, paths, args.seconds, args.connections)
        baseline = _wrk(base, token, ["/bench/constant"], args.seconds, args.connections)
        api_baseline = _wrk(base, token, ["/api/v1/bench-constant"], args.seconds, args.connections)
    print(f"case read         {reads[0]:8.1f} req/s   p50 {reads[1]:>8}  p99 {reads[2]:>8}   "
          f"body {min(sizes)}-{max(sizes)} B")
    print(f"baseline          {baseline[0]:8.1f} req/s   p50 {baseline[1]:>8}  p99 {baseline[2]:>8}   "
          f"body {len(body)} B")
    print(f"baseline in /api/ {api_baseline[0]:8.1f} req/s   p50 {api_baseline[1]:>8}  p99 {api_baseline[2]:>8}   "
          f"(the API's rate limit and headers too)")
    print(f"ratio             {reads[0] / baseline[0]:8.2f}   (target >= 0.5; {len(case_ids)} cases cycled, "
          f"{args.connections} connections, {args.workers} gunicorn workers, {args.seconds} s each)")
    print(f"ratio to /api/    {reads[0] / api_baseline[0]:8.2f}")


def _first_read(case_id: int, token: str, env: dict) -> bytes:
    """A case read through the application itself (test client), before gunicorn serves."""
    from ips_coord import create_app

    application = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"]})
    response = application.test_client().get(f"/api/v1/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.status_code
    return response.data


if __name__ == "__main__":
    main()

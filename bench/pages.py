"""Page latency under gunicorn with 2 workers, at the generated scale.

    python -m bench.pages --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench [--requests 200]

Logs in as a consultant and as a coordinator of one municipality and times sequential
requests to the hot pages from a second process (this one); prints p50 and p95 per page.
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _login(session, base, email):
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = session.post(f"{base}/login", data={"email": email, "password": "Bench-password-1", "csrf_token": token},
                     allow_redirects=False)
    assert r.status_code == 302, r.status_code


def _time(session, url, n):
    session.get(url)  # warm
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        r = session.get(url)
        samples.append(1000 * (time.perf_counter() - t))
        assert r.status_code == 200, (url, r.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    import requests
    from sqlalchemy import create_engine, text

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        consultant_id, email = conn.execute(text(
            "SELECT u.id, u.email FROM staff_user u WHERE u.role = 'ips_consultant' ORDER BY u.id LIMIT 1")).one()
        case_id = conn.execute(text("SELECT id FROM ips_case WHERE consultant_id = :c ORDER BY id LIMIT 1"),
                               {"c": consultant_id}).scalar()
        coordinator = conn.execute(text("SELECT email FROM staff_user WHERE role = 'coordinator' ORDER BY id LIMIT 1")).scalar()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": args.database_url, "IPS_ENV": "development"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
                               "ips_coord.wsgi:app"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        results = {}
        s = requests.Session()
        _login(s, base, email)
        for name, url in (("my day", "/my-day"), ("case page", f"/cases/{case_id}"), ("case list", "/cases")):
            results[name] = _time(s, base + url, args.requests)
        c = requests.Session()
        _login(c, base, coordinator)
        for name, url in (("coordinator overview (municipality)", "/coordinator"),
                          ("outcomes + fidelity (municipality)", "/coordinator/reports")):
            results[name] = _time(c, base + url, max(20, args.requests // 10))
        for name, (p50, p95) in results.items():
            print(f"{name:40} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()

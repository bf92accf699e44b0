"""Page latency under gunicorn with 2 workers, at the generated scale.

    python -m bench.pages --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench [--requests 200]

Logs in as a typical and the busiest consultant, a municipality's coordinator and the national
coordinator, and times sequential requests to their pages from a second process (this one);
prints p50 and p95 per page. First it computes the country overview's snapshot, as the worker
does every ROLLUP_MINUTES, and prints how long that took (the page reads the snapshot).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

from bench.common import gunicorn


def _login(session, base, email):
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = session.post(
        f"{base}/login",
        data={"email": email, "password": "Bench-password-1", "csrf_token": token},
        allow_redirects=False,
    )
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


def _refresh_country(database_url: str) -> float:
    from ips_coord import create_app
    from ips_coord.clock import utcnow
    from ips_coord.extensions import db
    from ips_coord.services.rollups import refresh_country

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        t = time.perf_counter()
        refresh_country(utcnow())
        elapsed = time.perf_counter() - t
        db.engine.dispose()
    return elapsed


def main() -> None:
    import requests
    from sqlalchemy import create_engine, text

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        # A typical consultant (median open follow-ups) and the busiest one; a typical case of
        # the typical consultant (median history) and the longest history in the country.
        load = conn.execute(
            text(
                "SELECT u.id, u.email, count(f.id) AS n FROM staff_user u LEFT JOIN follow_up f "
                "ON f.assignee_id = u.id AND f.status = 'open' WHERE u.role = 'ips_consultant' "
                "GROUP BY u.id, u.email ORDER BY n, u.id"
            )
        ).all()
        typical, busiest = load[len(load) // 2], load[-1]
        history = (
            conn.execute(
                text("SELECT id FROM ips_case WHERE consultant_id = :c ORDER BY event_count, id"), {"c": typical.id}
            )
            .scalars()
            .all()
        )
        case_id = history[len(history) // 2]
        longest = conn.execute(text("SELECT id FROM ips_case ORDER BY event_count DESC, id LIMIT 1")).scalar()
        longest_owner = conn.execute(
            text("SELECT u.email FROM staff_user u JOIN ips_case c ON c.consultant_id = u.id WHERE c.id = :c"),
            {"c": longest},
        ).scalar()
        coordinator = conn.execute(
            text(
                "SELECT u.email FROM staff_user u JOIN organisation o ON o.id = u.organisation_id "
                "WHERE u.role = 'coordinator' AND o.kind = 'ips_team' ORDER BY u.id LIMIT 1"
            )
        ).scalar()
        national = conn.execute(
            text(
                "SELECT u.email FROM staff_user u JOIN organisation o ON o.id = u.organisation_id "
                "WHERE u.role = 'coordinator' AND o.kind = 'national' ORDER BY u.id LIMIT 1"
            )
        ).scalar()
    engine.dispose()
    print(f"country snapshot (the worker's rollup task): {_refresh_country(args.database_url):.2f} s")
    env = {**os.environ, "DATABASE_URL": args.database_url, "IPS_ENV": "development"}
    with gunicorn("ips_coord.wsgi:app", env) as base:
        results = {}
        few = max(20, args.requests // 10)
        for email, pages in (
            (
                typical.email,
                (
                    (f"my day (typical: {typical.n} open follow-ups)", "/my-day", args.requests),
                    ("case page (typical history)", f"/cases/{case_id}", args.requests),
                    ("case list (consultant's own)", "/cases", few),
                    ("case list (whole team, first 100)", "/cases?scope=team", few),
                ),
            ),
            (busiest.email, ((f"my day (busiest: {busiest.n} open follow-ups)", "/my-day", args.requests),)),
            (longest_owner, (("case page (longest history)", f"/cases/{longest}", args.requests),)),
            (
                coordinator,
                (
                    ("coordinator overview (municipality)", "/coordinator", args.requests),
                    ("outcomes + fidelity (municipality)", "/coordinator/reports", few),
                ),
            ),
            (national, (("country overview (all teams)", "/coordinator/country", few),)),
        ):
            s = requests.Session()
            _login(s, base, email)
            for name, url, n in pages:
                results[name] = _time(s, base + url, n)
    for name, (p50, p95) in results.items():
        print(f"{name:45} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")


if __name__ == "__main__":
    main()

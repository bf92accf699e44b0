"""Find a citizen (the header search) at the generated scale, under gunicorn with 2 workers.

    python -m bench.search --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench [--requests 200]

Signs in as a typical consultant (own cases or the team's: an OR of two index ranges), a
municipality's coordinator (the team's ~1,000 cases) and a clinician (the cases they are
contact on), and times sequential POSTs of /search from a second process (this one), cycling
through queries drawn from that user's own cases: a surname, a first name (many hits, capped at
50), a full name, a case number, a whole phone number and part of one, and a name nobody has.
Each request is the whole page: the search, the access-log INSERT of every case shown, the HTML.
Prints p50 and p95 per user and kind of query.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

from bench.common import gunicorn
from bench.pages import _login


def _queries(conn, where: str, params: dict) -> dict[str, list[str]]:
    from sqlalchemy import text

    rows = conn.execute(
        text(
            "SELECT c.id, z.first_name, z.last_name, z.phone FROM ips_case c JOIN citizen z ON z.id = c.citizen_id "
            f"WHERE {where} ORDER BY c.id LIMIT 40"
        ),
        params,
    ).all()
    assert rows, where
    return {
        "surname": [r.last_name for r in rows],
        "first name (many hits)": [r.first_name for r in rows],
        "full name": [f"{r.first_name} {r.last_name}" for r in rows],
        "case number": [f"IPS-{r.id:06d}" for r in rows],
        "phone": [r.phone for r in rows if r.phone] or ["+45 20 00 00 00"],
        "part of a phone": [re.sub(r"\D", "", r.phone)[-6:] for r in rows if r.phone] or ["000000"],
        "no match": ["Zzyzx"],
    }


def _time(session, base, queries: list[str], n: int) -> tuple[float, float, float]:
    page = session.get(f"{base}/search").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    samples, hits = [], 0
    for i in range(n + 1):
        q = queries[i % len(queries)]
        t = time.perf_counter()
        r = session.post(f"{base}/search", data={"q": q, "csrf_token": token})
        elapsed = 1000 * (time.perf_counter() - t)
        assert r.status_code == 200, (q, r.status_code)
        if i:  # the first one warms up
            samples.append(elapsed)
            hits += r.text.count('data-label="') // 5
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], hits / n


def main() -> None:
    import requests
    from sqlalchemy import create_engine, text

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    engine = create_engine(args.database_url)
    with engine.connect() as conn:
        load = conn.execute(
            text(
                "SELECT u.id, u.email, u.organisation_id, count(c.id) AS n FROM staff_user u "
                "LEFT JOIN ips_case c ON c.consultant_id = u.id WHERE u.role = 'ips_consultant' "
                "GROUP BY u.id ORDER BY n, u.id"
            )
        ).all()
        typical = load[len(load) // 2]
        coordinator = conn.execute(
            text(
                "SELECT u.email, u.organisation_id FROM staff_user u JOIN organisation o ON o.id = u.organisation_id "
                "WHERE u.role = 'coordinator' AND o.kind = 'ips_team' ORDER BY u.id LIMIT 1"
            )
        ).one()
        clinician = conn.execute(
            text(
                "SELECT u.id, u.email FROM staff_user u JOIN ips_case c ON c.psychiatry_contact_id = u.id "
                "WHERE u.role = 'psychiatry' GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1"
            )
        ).one()
        users = (
            (
                f"consultant ({typical.n} own cases, team's searched)",
                typical.email,
                # the team's cases: a consultant may find a colleague's citizen
                _queries(conn, "c.ips_team_id = :t", {"t": typical.organisation_id}),
            ),
            (
                "coordinator (one municipality)",
                coordinator.email,
                _queries(conn, "c.ips_team_id = :t", {"t": coordinator.organisation_id}),
            ),
            (
                "clinician (their cases)",
                clinician.email,
                _queries(conn, "c.psychiatry_contact_id = :u", {"u": clinician.id}),
            ),
        )
        cases = conn.execute(text("SELECT count(*) FROM ips_case")).scalar()
    engine.dispose()
    print(f"{cases} cases")
    env = {**os.environ, "DATABASE_URL": args.database_url, "IPS_ENV": "development"}
    everything = []
    with gunicorn("ips_coord.wsgi:app", env) as base:
        for who, email, kinds in users:
            s = requests.Session()
            _login(s, base, email)
            floor = []
            for _ in range(41):  # the same pipeline without a search: sign-in check, CSRF, the page
                t = time.perf_counter()
                s.get(f"{base}/search")
                floor.append(1000 * (time.perf_counter() - t))
            floor = sorted(floor[1:])
            print(
                f"{who:48} {'(empty form: the floor)':24} p50 {statistics.median(floor):6.1f} ms   "
                f"p95 {floor[int(0.95 * (len(floor) - 1))]:6.1f} ms"
            )
            for kind, queries in kinds.items():
                p50, p95, hits = _time(s, base, queries, max(20, args.requests // len(kinds)))
                everything.append(p95)
                print(f"{who:48} {kind:24} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {hits:5.1f} hits")
    print(f"worst p95 {max(everything):.1f} ms (pages)")
    _in_process(args.database_url, users, args.requests)


def _in_process(database_url: str, users, n: int) -> None:
    """The search alone (access/search.py: one statement and its rows), in this process: what the
    page adds on top is the request, the access-log INSERT and the HTML."""
    from ips_coord import create_app
    from ips_coord.access.search import search_cases
    from ips_coord.extensions import db
    from ips_coord.models import User

    os.environ.setdefault("IPS_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    worst = []
    with app.app_context():
        for who, email, kinds in users:
            user = db.session.query(User).filter_by(email=email).one()
            for kind, queries in kinds.items():
                samples = []
                for i in range(max(20, n // len(kinds)) + 1):
                    t = time.perf_counter()
                    search_cases(user, queries[i % len(queries)])
                    if i:
                        samples.append(1000 * (time.perf_counter() - t))
                    db.session.rollback()
                samples.sort()
                p50, p95 = statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]
                worst.append(p95)
                print(f"search only: {who:36} {kind:24} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms")
    print(f"worst p95 {max(worst):.1f} ms (search only)")


if __name__ == "__main__":
    main()

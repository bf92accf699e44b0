"""Matching: suggestions for one case among 20,000 openings (100,000 cases), p50/p95/max.

    python -m bench.matching --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench [--cases 500]

Two figures, both in one process against the database:
- service: `services.matching.suggestions_for_case` for a case loaded by id (the profile read,
  the keyword and municipality look-ups, the scoring);
- api: GET /api/v1/cases/<id>/matches through the Flask test client with a Bearer token (the
  token check, the access check, the audit row and the JSON as well), no network.
Cases are drawn (seeded) from the cases in engagement, job search or job ended.
"""

from __future__ import annotations

import argparse
import contextvars
import random
import statistics
import time


def _figures(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {"n": len(ms), "p50": statistics.median(ms), "p95": ms[max(0, int(len(ms) * 0.95) - 1)], "max": ms[-1]}


def run(database_url: str, n_cases: int = 500, seed: int = 7) -> dict:
    from sqlalchemy import func, select

    from ips_coord import create_app
    from ips_coord.auth import create_token
    from ips_coord.extensions import db
    from ips_coord.models import IpsCase, User
    from ips_coord.models.employer import Opening, OpeningKeyword
    from ips_coord.services.matching import SEEKING, suggestions_for_case
    from ips_coord.workflows.phases import OpeningStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    out: dict = {}
    with app.app_context():
        out["openings"] = db.session.scalar(select(func.count(Opening.id)))
        out["open"] = db.session.scalar(select(func.count(Opening.id)).where(Opening.status == OpeningStatus.OPEN))
        out["keyword_rows"] = db.session.scalar(select(func.count()).select_from(OpeningKeyword))
        out["cases"] = db.session.scalar(select(func.count(IpsCase.id)))
        ids = list(db.session.scalars(select(IpsCase.id).where(IpsCase.phase.in_(SEEKING)).order_by(IpsCase.id)))
        picked = random.Random(seed).sample(ids, min(n_cases, len(ids)))
        service, found = [], []
        for cid in picked:
            db.session.expunge_all()
            t = time.perf_counter()
            case = db.session.get(IpsCase, cid)
            matches = suggestions_for_case(case)
            service.append(1000 * (time.perf_counter() - t))
            found.append(len(matches))
            db.session.rollback()
        out["service_ms"] = _figures(service)
        out["suggestions_per_case"] = statistics.mean(found)
        tokens = {}
        api = []
        for cid in picked:
            consultant_id = db.session.scalar(select(IpsCase.consultant_id).where(IpsCase.id == cid))
            if consultant_id not in tokens:
                tokens[consultant_id] = create_token(db.session.get(User, consultant_id), "bench-matching")[0]
                db.session.commit()
            client = app.test_client()  # no cookie from the previous consultant's request
            url, headers = f"/api/v1/cases/{cid}/matches", {"Authorization": f"Bearer {tokens[consultant_id]}"}
            t = time.perf_counter()
            # Its own context, as in production (not this loop's app context and its signed-in user).
            resp = contextvars.Context().run(client.get, url, headers=headers)
            api.append(1000 * (time.perf_counter() - t))
            assert resp.status_code == 200, resp.status_code
        out["api_ms"] = _figures(api)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cases", type=int, default=500)
    args = parser.parse_args()
    r = run(args.database_url, args.cases)
    print(f"{r['cases']:,} cases, {r['openings']:,} openings ({r['open']:,} open, {r['keyword_rows']:,} keyword rows)")
    print(f"suggestions per case (mean): {r['suggestions_per_case']:.1f}")
    for key in ("service_ms", "api_ms"):
        f = r[key]
        print(f"{key[:-3]:8} n={f['n']}  p50 {f['p50']:.1f} ms  p95 {f['p95']:.1f} ms  max {f['max']:.1f} ms")


if __name__ == "__main__":
    main()

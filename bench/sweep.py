"""The reminder sweep claiming the due outbox rows: time for 10,000 due among N rows.

    python -m bench.sweep --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench [--grow-to 10000000] \
        [--claim 10000]

Claims in the sweep's own batches (SWEEP_BATCH) until nothing is due (or --claim rows are
claimed: at 1,000,000 cases 100,000 are due, the target is per 10,000), prints the figures,
then puts the rows back to pending so the run can be repeated. With --grow-to it first adds
delivered history rows until the table holds that many, to show the time does not grow
with the total.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime


def run(database_url: str, grow_to: int | None = None, claim: int | None = None) -> dict:
    import psycopg
    from sqlalchemy import func, select, update
    from sqlalchemy.engine import make_url

    from bench.generate import _writer, add_notifications
    from ips_coord import create_app
    from ips_coord.extensions import db
    from ips_coord.models import Notification, User
    from ips_coord.notifications.sweep import claim_due_notifications

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        total = db.session.scalar(select(func.count(Notification.id)))
        if grow_to and total < grow_to:
            users = list(db.session.scalars(select(User.id).limit(1000)))
            with psycopg.connect(
                make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
            ) as conn:
                add_notifications(
                    _writer(conn, True),
                    grow_to - total,
                    0,
                    datetime.now(UTC),
                    users,
                    1000,
                    print,
                    {},
                    key_prefix=f"grow{total}",
                )
                conn.commit()
                conn.execute("ANALYZE notification")
            total = grow_to
        now = datetime.now(UTC)
        due = db.session.scalar(
            select(func.count()).where(Notification.status == "pending", Notification.next_attempt_at <= now)
        )
        batch = app.config["SWEEP_BATCH"]
        times, claimed = [], 0
        start = time.perf_counter()
        while True:
            t = time.perf_counter()
            ids = claim_due_notifications(now, batch)
            times.append(time.perf_counter() - t)
            if not ids:
                break
            claimed += len(ids)
            if claim and claimed >= claim:
                break
        elapsed = time.perf_counter() - start
        db.session.execute(
            update(Notification).where(Notification.status == "queued").values(status="pending", claimed_at=None)
        )
        db.session.commit()
        db.engine.dispose()
    return {
        "rows": total,
        "due": due,
        "claimed": claimed,
        "seconds": round(elapsed, 3),
        "batches": len(times) - (0 if claim and claimed >= claim else 1),
        "batch_p50_ms": round(1000 * statistics.median(times), 1),
        "batch_max_ms": round(1000 * max(times), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--grow-to", type=int)
    parser.add_argument("--claim", type=int, help="stop after claiming this many rows")
    args = parser.parse_args()
    result = run(args.database_url, args.grow_to, args.claim)
    print(" ".join(f"{k}={v}" for k, v in result.items()))


if __name__ == "__main__":
    main()

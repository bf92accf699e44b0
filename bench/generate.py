"""Deterministic synthetic data at national scale, loaded with PostgreSQL COPY (or, for a
smaller scale, batched INSERTs into SQLite).

    python -m bench.generate --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench --cases 100000
    python -m bench.generate --database-url sqlite:///instance/bench.sqlite --cases 10000

At --cases 100000: 100 municipalities (jobcenter + IPS team each), 10 psychiatry regions,
2,500 staff, 100,000 citizens and cases, ~1 million case events and ~1 million contacts,
1 million follow-ups (10,000 due now), placements and employer contacts, and 1 million sent
notifications plus 10,000 due, a national organisation with one national coordinator; for the
matching, 10,000 employers, 20,000 openings (70 % open) with their keyword rows and a career
profile for every enrolled case. Scales
down linearly (minimum one of each). Everything is synthetic; one password hash is shared by
all staff (Bench-password-1).
"""
from __future__ import annotations

import argparse
import itertools
import random
import time
from datetime import UTC, datetime, timedelta

from ips_coord.reports.country import ACTIVE_PHASES

PHASES = (["employed"] * 25 + ["job_search"] * 25 + ["engagement"] * 10 + ["in_education"] * 5 + ["job_ended"] * 5
          + ["paused"] * 5 + ["referred"] * 5 + ["closed"] * 15 + ["transitioned"] * 5)
FOLLOW_UP_KINDS = ["weekly_contact", "monthly_contact", "first_employer_contact", "joint_start_meeting",
                   "job_ending_review", "profile_reassessment", "no_contact"]


def _naive(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None)


def generate(database_url: str, cases: int, seed: int = 1, now: datetime | None = None, quiet: bool = False) -> dict:
    """Load the data into an empty, migrated database; returns row counts per table."""
    from sqlalchemy.engine import make_url
    from werkzeug.security import generate_password_hash

    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    scale = cases / 100_000
    n_muni = max(1, round(100 * scale))
    n_regions = max(1, round(10 * scale))
    n_consultants = max(1, round(1500 * scale))
    n_clinicians = max(1, round(500 * scale))
    n_caseworkers = max(1, round(400 * scale))
    n_due = max(1, round(10_000 * scale))
    url = make_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    counts: dict[str, int] = {}
    t0 = time.perf_counter()

    def log(msg):
        if not quiet:
            print(f"{time.perf_counter() - t0:7.1f}s {msg}", flush=True)

    with _connect(url) as conn:
        write = _writer(conn, postgres)

        def copy(table, columns, rows):
            n = write(table, columns, rows)
            counts[table] = counts.get(table, 0) + n
            log(f"{table}: {n:,} rows")

        # Organisations: ids are assigned in order, so they are known without reading back.
        orgs = ([(f"Jobcenter Kommune {i:03d}", "jobcenter", f"Kommune {i:03d}") for i in range(n_muni)]
                + [(f"IPS-team Kommune {i:03d}", "ips_team", f"Kommune {i:03d}") for i in range(n_muni)]
                + [(f"Psykiatri Region {i:02d}", "psychiatry", None) for i in range(n_regions)]
                + [("Nationalt IPS-center", "national", None)])
        copy("organisation", ["id", "name", "kind", "municipality"],
             ((i + 1, *o) for i, o in enumerate(orgs)))
        jobcenter = lambda m: 1 + m  # noqa: E731
        team = lambda m: 1 + n_muni + m  # noqa: E731
        region = lambda r: 1 + 2 * n_muni + r  # noqa: E731
        national = 1 + 2 * n_muni + n_regions
        pw = generate_password_hash("Bench-password-1")
        users, uid = [], 0
        consultant_ids, clinician_ids, caseworker_ids, coordinator_ids = [], [], [], []
        for role, n, org_of, bucket in (
            ("ips_consultant", n_consultants, lambda i: team(i % n_muni), consultant_ids),
            ("psychiatry", n_clinicians, lambda i: region(i % n_regions), clinician_ids),
            ("jobcenter", n_caseworkers, lambda i: jobcenter(i % n_muni), caseworker_ids),
            ("coordinator", n_muni, lambda i: team(i), coordinator_ids),
            ("national", 1, lambda i: national, []),
        ):
            for i in range(n):
                uid += 1
                # The national coordinator is a coordinator of the national organisation.
                users.append((uid, f"{role}{i}@bench.ips-coord.example", f"{role} {i}", pw,
                              "coordinator" if role == "national" else role, org_of(i), "da", True, 0, _naive(now)))
                bucket.append(uid)
        copy("staff_user", ["id", "email", "name", "password_hash", "role", "organisation_id", "locale", "active",
                            "session_generation", "created_at"], users)
        copy("citizen", ["id", "first_name", "last_name", "birth_year", "municipality", "created_at"],
             ((i + 1, f"Borger{i}", f"Syntetisk{i % 997}", 1960 + i % 45, f"Kommune {i % n_muni:03d}",
               _naive(now)) for i in range(cases)))
        case_rows, meta = [], []
        for i in range(cases):
            muni = i % n_muni
            # Consultant c works in team c % n_muni: pick one of that team's consultants in turn.
            per_team = max(1, len(consultant_ids) // n_muni)
            consultant = consultant_ids[(muni + n_muni * ((i // n_muni) % per_team)) % len(consultant_ids)]
            phase = PHASES[rng.randrange(len(PHASES))]
            referred = now - timedelta(days=rng.randint(20, 1500))
            enrolled = None if phase == "referred" else referred + timedelta(days=rng.randint(1, 14))
            first_emp = enrolled + timedelta(days=rng.randint(3, 60)) if enrolled and phase not in ("engagement",) else None
            last_contact = now - timedelta(days=rng.randint(0, 40)) if enrolled else None
            n_events = 2 + rng.randint(0, 16)
            case_rows.append((i + 1, i + 1, phase, team(muni), consultant, clinician_ids[i % len(clinician_ids)],
                              caseworker_ids[i % len(caseworker_ids)], _naive(referred),
                              _naive(enrolled) if enrolled else None, _naive(first_emp) if first_emp else None,
                              _naive(last_contact) if last_contact else None, _naive(now - timedelta(days=rng.randint(0, 300))),
                              _naive(now) if phase == "closed" else None, "citizen_choice" if phase == "closed" else None,
                              True, n_events, n_events))
            meta.append((referred, n_events, consultant, phase))
        copy("ips_case", ["id", "citizen_id", "phase", "ips_team_id", "consultant_id", "psychiatry_contact_id",
                          "jobcenter_caseworker_id", "referred_at", "enrolled_at", "first_employer_contact_at",
                          "last_contact_at", "phase_changed_at", "closed_at", "close_reason",
                          "out_of_work_at_enrolment", "event_count", "version"], case_rows)

        def events():
            for cid, (referred, n, consultant, _phase) in enumerate(meta, start=1):
                for seq in range(1, n + 1):
                    yield (cid, seq, "referred" if seq == 1 else "contact_logged", None, None, consultant, "{}",
                           _naive(referred + timedelta(days=7 * seq)))
        copy("case_event", ["case_id", "seq", "event", "from_phase", "to_phase", "actor_id", "data", "created_at"],
             events())

        def contacts():
            for cid, (referred, n, consultant, _phase) in enumerate(meta, start=1):
                for k in range(n):
                    yield (cid, consultant, "contact", _naive(referred + timedelta(days=7 * k + 1)),
                           "community" if k % 3 else "office", None, _naive(now))
        copy("contact", ["case_id", "staff_id", "kind", "occurred_at", "location", "note", "created_at"], contacts())

        def follow_ups():
            # Ten per case: the due-now ones, then two open ones per active case (due within 120
            # days), the rest done; one in ten of the due-now ones already escalated.
            total = cases * 10
            for j in range(total):
                cid = j % cases + 1
                _referred, _n, consultant, phase = meta[cid - 1]
                due_now = j < n_due
                status = "open" if due_now or ((j // cases) % 5 == 0 and phase in ACTIVE_PHASES) else "done"
                due = now - timedelta(hours=1) if due_now else now + timedelta(days=1 + j % 120) if status == "open" \
                    else now - timedelta(days=1 + j % 700)
                escalated = _naive(now - timedelta(minutes=30)) if due_now and j % 10 == 0 else None
                yield (cid, FOLLOW_UP_KINDS[j % len(FOLLOW_UP_KINDS)], _naive(due), consultant, status, "{}",
                       _naive(now), escalated)
        copy("follow_up", ["case_id", "kind", "due_at", "assignee_id", "status", "data", "created_at", "escalated_at"],
             follow_ups())
        copy("placement", ["case_id", "type", "employer_name", "start_date", "end_date", "benefits_counselling_offered",
                           "supports", "created_at"],
             ((cid, "ordinary_job" if cid % 7 else "flexjob", f"Virksomhed {cid % 5000}",
               (meta[cid - 1][0] + timedelta(days=60)).date(),
               (meta[cid - 1][0] + timedelta(days=200)).date() if cid % 4 == 0 else None, cid % 5 != 0, "{}",
               _naive(now)) for cid in range(1, cases + 1) if meta[cid - 1][3] in ("employed", "job_ended", "transitioned")))
        copy("employer_contact", ["consultant_id", "case_id", "employer_name", "occurred_at", "face_to_face", "location",
                                  "created_at"],
             ((consultant_ids[j % len(consultant_ids)], j % cases + 1, f"Virksomhed {j % 5000}",
               _naive(now - timedelta(days=j % 365)), True, "community", _naive(now)) for j in range(2 * cases)))
        add_job_development(copy, rng, cases, n_muni, team, consultant_ids, meta, now)
        counts["notification"] = 0
        add_notifications(write, cases * 10, n_due, now, consultant_ids, cases, log, counts)
        if postgres:
            for table in ("organisation", "staff_user", "citizen", "ips_case", "employer", "opening"):
                # Ids were given explicitly; move the sequences past them for the application's inserts.
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.execute("ANALYZE")
    log("done")
    return counts


# Job development (issue 19): words for profiles and openings, so the matching has work to do.
WISHES = ["lager", "butik", "køkken", "gartneri", "kontor", "rengøring", "pleje", "chauffør", "håndværk", "it-support",
          "bageri", "cykler", "hotel", "kantine", "værksted", "dyr", "udendørs", "formiddage", "aften", "weekend"]
TITLES = ["Lagermedarbejder", "Butiksassistent", "Køkkenhjælp", "Gartnermedhjælper", "Kontorassistent",
          "Rengøringsassistent", "Plejehjælper", "Chauffør", "Håndværkermedhjælper", "IT-supporter", "Bagermedhjælper",
          "Cykelmekaniker", "Hotelmedhjælper", "Kantinemedarbejder", "Værkstedsmedhjælper", "Dyrepasser"]
ASKS = ["formiddage", "aftenvagter", "weekend", "udendørs arbejde", "kørekort", "truckcertifikat", "mødestabil",
        "gode til kunder", "ordenssans"]


def add_job_development(copy, rng, cases: int, n_muni: int, team, consultant_ids, meta, now) -> None:
    """Employers (100 per team), openings (20 % of the number of cases: 20,000 at 100,000), their
    keyword rows, and a career profile for every enrolled case."""
    from ips_coord.models.employer import employer_key
    from ips_coord.services.employers import stems

    n_employers = max(1, cases // 10)
    per_team = max(1, len(consultant_ids) // n_muni)
    copy("employer", ["id", "ips_team_id", "name", "name_key", "industry", "municipality", "created_at"],
         ((e + 1, team(e % n_muni), f"Virksomhed {e}", employer_key(f"Virksomhed {e}"), "Syntetisk",
           f"Kommune {e % n_muni:03d}", _naive(now)) for e in range(n_employers)))
    openings, keywords = [], []
    for o in range(max(1, cases // 5)):
        employer = o % n_employers
        muni = employer % n_muni
        title = TITLES[rng.randrange(len(TITLES))]
        asks = ", ".join(rng.sample(ASKS, 2))
        status = "open" if o % 10 < 7 else "filled" if o % 10 < 9 else "closed"
        words = sorted(stems(f"{title} {asks}"))
        place = f"Kommune {muni:03d}"
        openings.append((o + 1, employer + 1, team(muni), title, float(rng.choice([10, 15, 20, 25, 30, 37])), place,
                         employer_key(place), asks, status, " ".join(words),
                         consultant_ids[(muni + n_muni * (o % per_team)) % len(consultant_ids)], _naive(now), _naive(now)))
        if status == "open":
            keywords.extend((w, team(muni), o + 1) for w in words)
    copy("opening", ["id", "employer_id", "ips_team_id", "title", "hours_per_week", "place", "municipality_key",
                     "requirements", "status", "keywords", "created_by_id", "created_at", "updated_at"], openings)
    copy("opening_keyword", ["keyword", "ips_team_id", "opening_id"], keywords)

    def profiles():
        for cid, (referred, _n, consultant, phase) in enumerate(meta, start=1):
            if phase == "referred":
                continue
            wishes = ", ".join(rng.sample(WISHES, 2)) + f", {rng.choice([10, 15, 20, 25, 30, 37])} timer"
            yield (cid, 1, wishes, "Et job tæt på hjemmet", rng.choice(WISHES), "partial", consultant,
                   _naive(referred + timedelta(days=10)))
    copy("career_profile", ["case_id", "version", "job_preferences", "wishes_and_dreams", "work_history", "disclosure",
                            "created_by_id", "created_at"], profiles())


def add_notifications(write, sent: int, due: int, now: datetime, recipients: list[int], cases: int, log, counts,
                      key_prefix: str = "bench") -> None:
    """`sent` delivered rows (history) and `due` pending rows (work for the sweep)."""
    def rows():
        for j in range(sent + due):
            pending = j >= sent
            created = now - timedelta(minutes=5) if pending else now - timedelta(days=1 + j % 700)
            yield (recipients[j % len(recipients)], j % cases + 1, "job_started", "pending" if pending else "sent",
                   0 if pending else 1, _naive(created), None if pending else _naive(created),
                   f"{key_prefix}:{j}", False, '{"reference": "IPS-000001"}', _naive(created))
    write("notification", ["recipient_id", "case_id", "kind", "status", "attempts", "next_attempt_at", "sent_at",
                           "idempotency_key", "requires_ack", "data", "created_at"], rows())
    counts["notification"] = counts.get("notification", 0) + sent + due
    log(f"notification: {sent:,} sent + {due:,} due")


def _connect(url):
    if url.get_backend_name() == "postgresql":
        import psycopg

        return psycopg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    import sqlite3

    conn = sqlite3.connect(url.database)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")  # a bulk load: redo it if the machine crashes
    return conn


def _writer(conn, postgres: bool):
    """write(table, columns, rows) -> count: COPY on PostgreSQL, batched INSERTs on SQLite."""
    def copy(table, columns, rows):
        n = 0
        with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
                n += 1
        return n

    def insert(table, columns, rows):
        stmt = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        n = 0
        for batch in _batched(rows, 10_000):
            conn.executemany(stmt, batch)
            n += len(batch)
        return n

    return copy if postgres else insert


def _batched(rows, size):
    it = iter(rows)
    while batch := list(itertools.islice(it, size)):
        yield batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database (it is migrated first)")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from ips_coord import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context():
        upgrade()
    counts = generate(args.database_url, args.cases, args.seed)
    for table, n in sorted(counts.items()):
        print(f"{table:20} {n:>12,}")


if __name__ == "__main__":
    main()

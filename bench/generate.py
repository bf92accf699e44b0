"""Deterministic synthetic data at national scale, loaded with PostgreSQL COPY (or, for a
smaller scale, batched INSERTs into SQLite).

    python -m bench.generate --database-url postgresql+psycopg://postgres@127.0.0.1/ips_bench --cases 100000
    python -m bench.generate --database-url sqlite:///instance/bench.sqlite --cases 10000

At --cases 100000: 100 municipalities (jobcenter + IPS team each), 10 psychiatry regions,
2,500 staff, 100,000 citizens and cases, ~1 million case events and ~1 million contacts,
1 million follow-ups (10,000 due now), placements and employer contacts, ~250,000 consents
(three on nine in ten enrolled cases), 2 million access-log rows over two years (monthly
partitions on PostgreSQL), and 1 million sent notifications plus 10,000 due, a national
organisation with one national coordinator; for the matching, 10,000 employers, 20,000 openings
(70 % open) with their keyword rows and a career profile for every enrolled case. Scales
down linearly (minimum one of each). Everything is synthetic; one password hash is shared by
all staff (Bench-password-1).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from werkzeug.security import generate_password_hash

from ips_coord.cpr import synthetic as synthetic_cpr
from ips_coord.sealed import cpr_hmac, seal_cpr
from ips_coord.services.transitions import ENROLMENT_CONSENT_PURPOSE
from ips_coord.workflows.phases import (
    ON_CASELOAD,
    CloseReason,
    ConsentCategory,
    ContactKind,
    Disclosure,
    FollowUpKind,
    FollowUpStatus,
    Location,
    NotificationKind,
    NotificationStatus,
    OpeningStatus,
    OrgKind,
    Part,
    Party,
    Phase,
    PlacementType,
    Role,
)

# The share of each phase (in percent), as plain strings for COPY and sqlite3.
PHASE_MIX = {
    Phase.EMPLOYED: 25,
    Phase.JOB_SEARCH: 25,
    Phase.ENGAGEMENT: 10,
    Phase.IN_EDUCATION: 5,
    Phase.JOB_ENDED: 5,
    Phase.PAUSED: 5,
    Phase.REFERRED: 5,
    Phase.CLOSED: 15,
    Phase.TRANSITIONED: 5,
}
PHASES = [phase.value for phase, share in PHASE_MIX.items() for _ in range(share)]
FOLLOW_UP_KINDS = [
    k.value
    for k in (
        FollowUpKind.WEEKLY_CONTACT,
        FollowUpKind.MONTHLY_CONTACT,
        FollowUpKind.FIRST_EMPLOYER_CONTACT,
        FollowUpKind.JOINT_START_MEETING,
        FollowUpKind.JOB_ENDING_REVIEW,
        FollowUpKind.PROFILE_REASSESSMENT,
        FollowUpKind.NO_CONTACT,
    )
]

# Job development: words for profiles and openings, so the matching has work to do.
WISHES = [
    "lager",
    "butik",
    "køkken",
    "gartneri",
    "kontor",
    "rengøring",
    "pleje",
    "chauffør",
    "håndværk",
    "it-support",
    "bageri",
    "cykler",
    "hotel",
    "kantine",
    "værksted",
    "dyr",
    "udendørs",
    "formiddage",
    "aften",
    "weekend",
]
TITLES = [
    "Lagermedarbejder",
    "Butiksassistent",
    "Køkkenhjælp",
    "Gartnermedhjælper",
    "Kontorassistent",
    "Rengøringsassistent",
    "Plejehjælper",
    "Chauffør",
    "Håndværkermedhjælper",
    "IT-supporter",
    "Bagermedhjælper",
    "Cykelmekaniker",
    "Hotelmedhjælper",
    "Kantinemedarbejder",
    "Værkstedsmedhjælper",
    "Dyrepasser",
]
ASKS = [
    "formiddage",
    "aftenvagter",
    "weekend",
    "udendørs arbejde",
    "kørekort",
    "truckcertifikat",
    "mødestabil",
    "gode til kunder",
    "ordenssans",
]
# The access log's history: reads of these parts, ACCESS_LOG_PER_CASE per case.
ACCESS_LOG_PER_CASE = 20
ACCESS_PARTS = [
    p.value
    for p in (
        Part.IDENTITY,
        Part.PHASE,
        Part.HISTORY,
        Part.FOLLOW_UPS,
        Part.CONTACT_NOTES,
        Part.CAREER_PROFILE,
        Part.CONSENTS,
        Part.PLACEMENTS,
    )
]
# Of every ten openings: seven open, two filled, one closed.
# Citizens' names: a few very common surnames and 1,200 rare ones, Danish first names.
FIRST_NAMES = [
    "Anna",
    "Anne",
    "Bente",
    "Birgitte",
    "Camilla",
    "Dorthe",
    "Emma",
    "Eva",
    "Freja",
    "Hanne",
    "Ida",
    "Julie",
    "Karen",
    "Laura",
    "Lene",
    "Louise",
    "Maja",
    "Marie",
    "Mette",
    "Nanna",
    "Pia",
    "Sara",
    "Signe",
    "Sofie",
    "Susanne",
    "Tina",
    "Anders",
    "Bo",
    "Christian",
    "Emil",
    "Frederik",
    "Henrik",
    "Jakob",
    "Jens",
    "Jesper",
    "Jonas",
    "Kasper",
    "Lars",
    "Magnus",
    "Mads",
    "Martin",
    "Michael",
    "Morten",
    "Niels",
    "Oliver",
    "Peter",
    "Rasmus",
    "Søren",
    "Thomas",
    "William",
]
COMMON_SURNAMES = [
    "Nielsen",
    "Jensen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
]
SURNAME_STEMS = [
    "Ager",
    "Bak",
    "Bjerre",
    "Bonde",
    "Dal",
    "Eng",
    "Fog",
    "Gade",
    "Grøn",
    "Hald",
    "Holm",
    "Hvid",
    "Kjær",
    "Kirke",
    "Kold",
    "Lund",
    "Mølle",
    "Mose",
    "Nør",
    "Ravn",
    "Skov",
    "Strand",
    "Sønder",
    "Toft",
    "Vest",
    "Vinding",
    "Ørne",
    "Øster",
    "Aa",
    "Brink",
    "Birk",
    "Bundgaard",
    "Damgaard",
    "Falk",
    "Friis",
    "Gram",
    "Hede",
    "Juul",
    "Kruse",
    "Lyng",
]
SURNAME_ENDINGS = [
    "",
    "gaard",
    "holm",
    "lund",
    "berg",
    "bæk",
    "dal",
    "strup",
    "by",
    "sted",
    "toft",
    "skov",
    "høj",
    "hus",
    "mark",
    "vad",
    "rup",
    "trup",
    "bjerg",
    "sø",
    "feldt",
    "borg",
    "have",
    "kær",
    "vig",
    "næs",
    "ager",
    "bro",
    "kilde",
    "rod",
]


def _phone(number: int) -> str:
    digits = f"{number:08d}"
    return f"+45 {digits[0:2]} {digits[2:4]} {digits[4:6]} {digits[6:8]}"


OPENING_STATUS_MIX = [OpeningStatus.OPEN] * 7 + [OpeningStatus.FILLED] * 2 + [OpeningStatus.CLOSED]


def _naive(dt: datetime) -> datetime:
    return dt.astimezone(UTC).replace(tzinfo=None)


@dataclass
class Scale:
    """How many of each, for a number of cases (100,000 is the national scale)."""

    cases: int
    munis: int
    regions: int
    consultants: int
    clinicians: int
    caseworkers: int
    due: int

    @classmethod
    def of(cls, cases: int) -> Scale:
        scale = cases / 100_000
        return cls(
            cases=cases,
            munis=max(1, round(100 * scale)),
            regions=max(1, round(10 * scale)),
            consultants=max(1, round(1500 * scale)),
            clinicians=max(1, round(500 * scale)),
            caseworkers=max(1, round(400 * scale)),
            due=max(1, round(10_000 * scale)),
        )

    # Organisations: ids are assigned in order, so they are known without reading back.
    def jobcenter(self, m: int) -> int:
        return 1 + m

    def team(self, m: int) -> int:
        return 1 + self.munis + m

    def region(self, r: int) -> int:
        return 1 + 2 * self.munis + r

    @property
    def national(self) -> int:
        return 1 + 2 * self.munis + self.regions


class Loader:
    """Writes each table in turn (COPY on PostgreSQL, batched INSERTs on SQLite)."""

    def __init__(self, write, scale: Scale, rng: random.Random, now: datetime, log, postgres_conn=None) -> None:
        self.write, self.n, self.rng, self.now, self.log = write, scale, rng, now, log
        self.postgres_conn = postgres_conn
        self.counts: dict[str, int] = {}
        self.consultant_ids: list[int] = []
        self.clinician_ids: list[int] = []
        self.caseworker_ids: list[int] = []
        self.meta: list[tuple[datetime, int, int, str]] = []  # per case: referred, events, consultant, phase

    def copy(self, table: str, columns: list[str], rows) -> None:
        n = self.write(table, columns, rows)
        self.counts[table] = self.counts.get(table, 0) + n
        self.log(f"{table}: {n:,} rows")

    def organisations(self) -> None:
        n = self.n
        orgs = (
            [(f"Jobcenter Kommune {i:03d}", OrgKind.JOBCENTER.value, f"Kommune {i:03d}") for i in range(n.munis)]
            + [(f"IPS-team Kommune {i:03d}", OrgKind.IPS_TEAM.value, f"Kommune {i:03d}") for i in range(n.munis)]
            + [(f"Psykiatri Region {i:02d}", OrgKind.PSYCHIATRY.value, None) for i in range(n.regions)]
            + [("Nationalt IPS-center", OrgKind.NATIONAL.value, None)]
        )
        self.copy("organisation", ["id", "name", "kind", "municipality"], ((i + 1, *o) for i, o in enumerate(orgs)))

    def staff(self) -> None:
        n, pw = self.n, generate_password_hash("Bench-password-1")
        users, uid = [], 0
        # (e-mail prefix, role, how many, organisation of the i-th, where their ids go)
        for prefix, role, count, org_of, bucket in (
            ("ips_consultant", Role.IPS_CONSULTANT, n.consultants, lambda i: n.team(i % n.munis), self.consultant_ids),
            ("psychiatry", Role.PSYCHIATRY, n.clinicians, lambda i: n.region(i % n.regions), self.clinician_ids),
            ("jobcenter", Role.JOBCENTER, n.caseworkers, lambda i: n.jobcenter(i % n.munis), self.caseworker_ids),
            ("coordinator", Role.COORDINATOR, n.munis, n.team, []),
            # The national coordinator is a coordinator of the national organisation.
            ("national", Role.COORDINATOR, 1, lambda i: n.national, []),
        ):
            for i in range(count):
                uid += 1
                users.append(
                    (
                        uid,
                        f"{prefix}{i}@bench.ips-coord.example",
                        f"{prefix} {i}",
                        pw,
                        role.value,
                        org_of(i),
                        "da",
                        True,
                        0,
                        _naive(self.now),
                    )
                )
                bucket.append(uid)
        self.copy(
            "staff_user",
            [
                "id",
                "email",
                "name",
                "password_hash",
                "role",
                "organisation_id",
                "locale",
                "active",
                "session_generation",
                "created_at",
            ],
            users,
        )

    def citizens(self) -> None:
        """Names drawn like Danish ones (a few surnames very common, the rest rare: the search
        meets both), a distinct mobile number each."""
        n, now = self.n, self.now
        surnames = COMMON_SURNAMES + [f"{a}{b}" for a in SURNAME_STEMS for b in SURNAME_ENDINGS]
        weights = [40] * len(COMMON_SURNAMES) + [1] * (len(surnames) - len(COMMON_SURNAMES))
        pick = random.Random(7)
        last = pick.choices(surnames, weights=weights, k=n.cases)
        # A synthetic CPR number each (born 2050-2057: no real person has one; ips_coord/cpr.py),
        # sealed and hashed as the application stores them.
        numbers = random.Random(25)

        def sealed() -> tuple[str, str]:
            digits = synthetic_cpr(numbers)
            return seal_cpr(digits), cpr_hmac(digits)

        self.copy(
            "citizen",
            [
                "id",
                "first_name",
                "last_name",
                "birth_year",
                "phone",
                "municipality",
                "created_at",
                "cpr_encrypted",
                "cpr_hmac",
            ],
            (
                (
                    i + 1,
                    FIRST_NAMES[pick.randrange(len(FIRST_NAMES))],
                    last[i],
                    1960 + i % 45,
                    _phone(20_000_000 + 7 * i),
                    f"Kommune {i % n.munis:03d}",
                    _naive(now),
                    *sealed(),
                )
                for i in range(n.cases)
            ),
        )

    def _case_row(self, i: int) -> tuple:
        n, rng, now = self.n, self.rng, self.now
        muni = i % n.munis
        # Consultant c works in team c % munis: pick one of that team's consultants in turn.
        per_team = max(1, len(self.consultant_ids) // n.munis)
        consultant = self.consultant_ids[(muni + n.munis * ((i // n.munis) % per_team)) % len(self.consultant_ids)]
        phase = PHASES[rng.randrange(len(PHASES))]
        referred = now - timedelta(days=rng.randint(20, 1500))
        enrolled = None if phase == Phase.REFERRED else referred + timedelta(days=rng.randint(1, 14))
        first_emp = enrolled + timedelta(days=rng.randint(3, 60)) if enrolled and phase != Phase.ENGAGEMENT else None
        last_contact = now - timedelta(days=rng.randint(0, 40)) if enrolled else None
        n_events = 2 + rng.randint(0, 16)
        closed = phase == Phase.CLOSED
        self.meta.append((referred, n_events, consultant, phase))
        return (
            i + 1,
            i + 1,
            phase,
            n.team(muni),
            consultant,
            self.clinician_ids[i % len(self.clinician_ids)],
            self.caseworker_ids[i % len(self.caseworker_ids)],
            _naive(referred),
            _optional(enrolled),
            _optional(first_emp),
            _optional(last_contact),
            _naive(now - timedelta(days=rng.randint(0, 300))),
            _naive(now) if closed else None,
            CloseReason.CITIZEN_CHOICE.value if closed else None,
            True,
            n_events,
            n_events,
        )

    def cases(self) -> None:
        rows = [self._case_row(i) for i in range(self.n.cases)]
        self.copy(
            "ips_case",
            [
                "id",
                "citizen_id",
                "phase",
                "ips_team_id",
                "consultant_id",
                "psychiatry_contact_id",
                "jobcenter_caseworker_id",
                "referred_at",
                "enrolled_at",
                "first_employer_contact_at",
                "last_contact_at",
                "phase_changed_at",
                "closed_at",
                "close_reason",
                "out_of_work_at_enrolment",
                "event_count",
                "version",
            ],
            rows,
        )

    def history(self) -> None:
        def events():
            for cid, (referred, n, consultant, _phase) in enumerate(self.meta, start=1):
                for seq in range(1, n + 1):
                    yield (
                        cid,
                        seq,
                        "referred" if seq == 1 else "contact_logged",
                        None,
                        None,
                        consultant,
                        "{}",
                        _naive(referred + timedelta(days=7 * seq)),
                    )

        def contacts():
            for cid, (referred, n, consultant, _phase) in enumerate(self.meta, start=1):
                for k in range(n):
                    yield (
                        cid,
                        consultant,
                        ContactKind.CONTACT.value,
                        _naive(referred + timedelta(days=7 * k + 1)),
                        (Location.COMMUNITY if k % 3 else Location.OFFICE).value,
                        None,
                        _naive(self.now),
                    )

        self.copy(
            "case_event",
            ["case_id", "seq", "event", "from_phase", "to_phase", "actor_id", "data", "created_at"],
            events(),
        )
        self.copy(
            "contact", ["case_id", "staff_id", "kind", "occurred_at", "location", "note", "created_at"], contacts()
        )

    def follow_ups(self) -> None:
        n, now = self.n, self.now

        def rows():
            # Ten per case: the due-now ones, then two open ones per active case (due within 120
            # days), the rest done; one in ten of the due-now ones already escalated.
            for j in range(n.cases * 10):
                cid = j % n.cases + 1
                _referred, _n, consultant, phase = self.meta[cid - 1]
                due_now = j < n.due
                is_open = due_now or ((j // n.cases) % 5 == 0 and phase in ON_CASELOAD)
                if due_now:
                    due = now - timedelta(hours=1)
                elif is_open:
                    due = now + timedelta(days=1 + j % 120)
                else:
                    due = now - timedelta(days=1 + j % 700)
                escalated = _naive(now - timedelta(minutes=30)) if due_now and j % 10 == 0 else None
                status = FollowUpStatus.OPEN if is_open else FollowUpStatus.DONE
                yield (
                    cid,
                    FOLLOW_UP_KINDS[j % len(FOLLOW_UP_KINDS)],
                    _naive(due),
                    consultant,
                    status.value,
                    "{}",
                    _naive(now),
                    escalated,
                )

        self.copy(
            "follow_up",
            ["case_id", "kind", "due_at", "assignee_id", "status", "data", "created_at", "escalated_at"],
            rows(),
        )

    def placements(self) -> None:
        n, now, meta = self.n, self.now, self.meta
        placed = (Phase.EMPLOYED, Phase.JOB_ENDED, Phase.TRANSITIONED)
        self.copy(
            "placement",
            [
                "case_id",
                "type",
                "employer_name",
                "start_date",
                "end_date",
                "benefits_counselling_offered",
                "supports",
                "created_at",
            ],
            (
                (
                    cid,
                    (PlacementType.ORDINARY_JOB if cid % 7 else PlacementType.FLEXJOB).value,
                    f"Virksomhed {cid % 5000}",
                    (meta[cid - 1][0] + timedelta(days=60)).date(),
                    (meta[cid - 1][0] + timedelta(days=200)).date() if cid % 4 == 0 else None,
                    cid % 5 != 0,
                    "{}",
                    _naive(now),
                )
                for cid in range(1, n.cases + 1)
                if meta[cid - 1][3] in placed
            ),
        )
        self.copy(
            "employer_contact",
            ["consultant_id", "case_id", "employer_name", "occurred_at", "face_to_face", "location", "created_at"],
            (
                (
                    self.consultant_ids[j % len(self.consultant_ids)],
                    j % n.cases + 1,
                    f"Virksomhed {j % 5000}",
                    _naive(now - timedelta(days=j % 365)),
                    True,
                    Location.COMMUNITY.value,
                    _naive(now),
                )
                for j in range(2 * n.cases)
            ),
        )

    def consents(self) -> None:
        """The citizen's consents, as enrolment and the start meeting record them: on nine in ten
        enrolled cases the IPS team may tell psychiatry and the jobcenter about employment, and
        psychiatry may share coping strategies, warning signs and strengths with the IPS team (one
        in twenty of those withdrawn since). Every case read weighs them (the access gate), so a
        benchmark without them measures a case nobody has."""
        now, meta = self.now, self.meta
        employment = json.dumps([ConsentCategory.EMPLOYMENT_PROGRESS.value])
        health = json.dumps(
            [
                c.value
                for c in (ConsentCategory.COPING_STRATEGIES, ConsentCategory.WARNING_SIGNS, ConsentCategory.STRENGTHS)
            ]
        )

        def rows():
            for cid, (referred, _n, consultant, phase) in enumerate(meta, start=1):
                if phase == Phase.REFERRED or cid % 10 == 7:
                    continue
                enrolled = referred + timedelta(days=7)
                for to_party in (Party.PSYCHIATRY, Party.JOBCENTER):
                    yield (
                        cid,
                        Party.IPS_TEAM.value,
                        to_party.value,
                        employment,
                        ENROLMENT_CONSENT_PURPOSE,
                        enrolled.date(),
                        None,
                        None,
                        consultant,
                        _naive(enrolled),
                    )
                # Renewed every two years: the one in force was given within the last 600 days.
                given = max(enrolled, now - timedelta(days=600))
                withdrawn = _naive(now - timedelta(days=10)) if cid % 20 == 3 else None
                yield (
                    cid,
                    Party.PSYCHIATRY.value,
                    Party.IPS_TEAM.value,
                    health,
                    "Koordinering af IPS-forløbet",
                    given.date(),
                    (given + timedelta(days=730)).date(),
                    withdrawn,
                    consultant,
                    _naive(given),
                )

        self.copy(
            "consent",
            [
                "case_id",
                "from_party",
                "to_party",
                "categories",
                "purpose",
                "given_at",
                "expires_at",
                "withdrawn_at",
                "recorded_by_id",
                "created_at",
            ],
            rows(),
        )

    def access_log(self) -> None:
        """ACCESS_LOG_PER_CASE reads per case over the last two years (20 per case: 20 million rows at
        1,000,000 cases), into monthly partitions made first on PostgreSQL (services/partitions.py)."""
        n, now = self.n, self.now
        months = 24
        if self.postgres_conn is not None:
            from ips_coord.services.partitions import month_start, partition_name

            for back in range(months + 1):
                start = month_start(now.year, now.month - back)
                end = month_start(start.year, start.month + 1)
                self.postgres_conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {partition_name('access_log', start)} PARTITION OF access_log "
                    f"FOR VALUES FROM ('{start:%Y-%m-%d}') TO ('{end:%Y-%m-%d}')"
                )
        span = timedelta(days=30 * months).total_seconds()

        def rows():
            for j in range(n.cases * ACCESS_LOG_PER_CASE):
                cid = j % n.cases + 1
                consultant = self.meta[cid - 1][2]
                at = now - timedelta(seconds=(j * 7919) % int(span))
                yield (consultant, cid, "read", ACCESS_PARTS[j % len(ACCESS_PARTS)], "web_cases.case_page", _naive(at))

        self.copy("access_log", ["user_id", "case_id", "action", "part", "view", "created_at"], rows())

    def job_development(self) -> None:
        """Employers (one per ten cases), openings (20 % of the number of cases: 20,000 at 100,000)
        with their keyword rows, and a career profile for every enrolled case: work for the matching."""
        from ips_coord.models.employer import employer_key

        n, now = self.n, self.now
        n_employers = max(1, n.cases // 10)
        self.copy(
            "employer",
            ["id", "ips_team_id", "name", "name_key", "industry", "municipality", "created_at"],
            (
                (
                    e + 1,
                    n.team(e % n.munis),
                    f"Virksomhed {e}",
                    employer_key(f"Virksomhed {e}"),
                    "Syntetisk",
                    f"Kommune {e % n.munis:03d}",
                    _naive(now),
                )
                for e in range(n_employers)
            ),
        )
        openings, keywords = self._openings(n_employers)
        self.copy(
            "opening",
            [
                "id",
                "employer_id",
                "ips_team_id",
                "title",
                "hours_per_week",
                "place",
                "municipality_key",
                "requirements",
                "status",
                "keywords",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            openings,
        )
        self.copy("opening_keyword", ["keyword", "ips_team_id", "opening_id"], keywords)
        self.copy(
            "career_profile",
            [
                "case_id",
                "version",
                "job_preferences",
                "wishes_and_dreams",
                "work_history",
                "disclosure",
                "created_by_id",
                "created_at",
            ],
            self._profiles(),
        )

    def _openings(self, n_employers: int) -> tuple[list[tuple], list[tuple]]:
        from ips_coord.models.employer import employer_key
        from ips_coord.services.employers import stems

        n, rng, now = self.n, self.rng, self.now
        per_team = max(1, len(self.consultant_ids) // n.munis)
        openings, keywords = [], []
        for o in range(max(1, n.cases // 5)):
            employer = o % n_employers
            muni = employer % n.munis
            title = TITLES[rng.randrange(len(TITLES))]
            asks = ", ".join(rng.sample(ASKS, 2))
            status = OPENING_STATUS_MIX[o % len(OPENING_STATUS_MIX)]
            words = sorted(stems(f"{title} {asks}"))
            place = f"Kommune {muni:03d}"
            consultant = self.consultant_ids[(muni + n.munis * (o % per_team)) % len(self.consultant_ids)]
            openings.append(
                (
                    o + 1,
                    employer + 1,
                    n.team(muni),
                    title,
                    float(rng.choice([10, 15, 20, 25, 30, 37])),
                    place,
                    employer_key(place),
                    asks,
                    status.value,
                    " ".join(words),
                    consultant,
                    _naive(now),
                    _naive(now),
                )
            )
            if status == OpeningStatus.OPEN:
                keywords.extend((w, n.team(muni), o + 1) for w in words)
        return openings, keywords

    def _profiles(self):
        rng = self.rng
        for cid, (referred, _n, consultant, phase) in enumerate(self.meta, start=1):
            if phase == Phase.REFERRED:
                continue
            wishes = ", ".join(rng.sample(WISHES, 2)) + f", {rng.choice([10, 15, 20, 25, 30, 37])} timer"
            yield (
                cid,
                1,
                wishes,
                "Et job tæt på hjemmet",
                rng.choice(WISHES),
                Disclosure.PARTIAL.value,
                consultant,
                _naive(referred + timedelta(days=10)),
            )


def generate(database_url: str, cases: int, seed: int = 1, now: datetime | None = None, quiet: bool = False) -> dict:
    """Load the data into an empty, migrated database; returns row counts per table."""
    from sqlalchemy.engine import make_url

    now = now or datetime.now(UTC)
    scale = Scale.of(cases)
    url = make_url(database_url)
    postgres = url.get_backend_name() == "postgresql"
    t0 = time.perf_counter()

    def log(msg):
        if not quiet:
            print(f"{time.perf_counter() - t0:7.1f}s {msg}", flush=True)

    with _connect(url) as conn:
        load = Loader(_writer(conn, postgres), scale, random.Random(seed), now, log, conn if postgres else None)
        for step in (
            load.organisations,
            load.staff,
            load.citizens,
            load.cases,
            load.history,
            load.follow_ups,
            load.placements,
            load.consents,
            load.job_development,
            load.access_log,
        ):
            step()
        load.counts["notification"] = 0
        add_notifications(load.write, cases * 10, scale.due, now, load.consultant_ids, cases, log, load.counts)
        if postgres:
            for table in ("organisation", "staff_user", "citizen", "ips_case", "employer", "opening"):
                # Ids were given explicitly; move the sequences past them for the application's inserts.
                conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()
        conn.execute("ANALYZE")
        if postgres:
            # As docker-compose.yml runs PostgreSQL: planned for SSD storage (see there).
            conn.execute(f'ALTER DATABASE "{url.database}" SET random_page_cost = 1.1')
    log("done")
    return load.counts


def _optional(dt: datetime | None) -> datetime | None:
    return _naive(dt) if dt is not None else None


def add_notifications(
    write, sent: int, due: int, now: datetime, recipients: list[int], cases: int, log, counts, key_prefix: str = "bench"
) -> None:
    """`sent` delivered rows (history) and `due` pending rows (work for the sweep)."""

    def rows():
        for j in range(sent + due):
            pending = j >= sent
            created = now - timedelta(minutes=5) if pending else now - timedelta(days=1 + j % 700)
            status = NotificationStatus.PENDING if pending else NotificationStatus.SENT
            yield (
                recipients[j % len(recipients)],
                j % cases + 1,
                NotificationKind.JOB_STARTED.value,
                status.value,
                0 if pending else 1,
                _naive(created),
                None if pending else _naive(created),
                f"{key_prefix}:{j}",
                False,
                '{"reference": "IPS-000001"}',
                _naive(created),
            )

    write(
        "notification",
        [
            "recipient_id",
            "case_id",
            "kind",
            "status",
            "attempts",
            "next_attempt_at",
            "sent_at",
            "idempotency_key",
            "requires_ack",
            "data",
            "created_at",
        ],
        rows(),
    )
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
    # The app's context also gives the generator the keys that seal the synthetic CPR numbers.
    with app.app_context():
        upgrade()
        counts = generate(args.database_url, args.cases, args.seed)
    for table, n in sorted(counts.items()):
        print(f"{table:20} {n:>12,}")


if __name__ == "__main__":
    main()

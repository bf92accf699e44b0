"""The benchmark data generator at a tiny scale: it loads into PostgreSQL (COPY) and SQLite
(batched INSERTs), and the app works on what it loaded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ips_coord.models import FollowUp, IpsCase, Notification, Organisation, User
from ips_coord.workflows.phases import OrgKind

pytestmark = pytest.mark.slow  # generates and bulk-loads a data set


def _check(app, url):
    from bench.generate import generate
    from ips_coord.extensions import db
    from ips_coord.notifications.sweep import claim_due_notifications

    with app.app_context():
        counts = generate(url, cases=1000, quiet=True, now=app.extensions["ips_clock"].now())
        assert counts["ips_case"] == 1000 and counts["follow_up"] == 10_000
        assert counts["case_event"] > 5000 and counts["notification"] == 10_100
        assert counts["access_log"] == 20_000
        if db.engine.dialect.name == "postgresql":  # every row in its month's partition
            from sqlalchemy import text

            assert db.session.execute(text("SELECT count(*) FROM access_log_default")).scalar_one() == 0
        # The matching benchmark's data: employers, openings (20 % of the cases) and their keywords,
        # and a profile for every enrolled case; suggestions for a case come from them.
        assert counts["employer"] == 100 and counts["opening"] == 200 and counts["opening_keyword"] > 200
        assert counts["career_profile"] > 800
        # The consents every case read weighs: on an enrolled case with them the consultant reads
        # what psychiatry shares; where psychiatry's was withdrawn, not.
        assert 2000 < counts["consent"] < 3000
        from ips_coord.access.policy import access_for
        from ips_coord.clock import local_today
        from ips_coord.workflows.phases import Part, Phase

        today = local_today(app.extensions["ips_clock"].now())
        enrolled = db.session.scalars(
            select(IpsCase).where(IpsCase.phase != Phase.REFERRED, IpsCase.id % 10 != 7).order_by(IpsCase.id)
        ).all()
        shared = {c.id: access_for(c.consultant, c, today).can_read(Part.SHARED_HEALTH_INFO) for c in enrolled[:60]}
        assert {cid for cid, ok in shared.items() if not ok} == {cid for cid in shared if cid % 20 == 3}
        from ips_coord.services.matching import SEEKING, suggestions_for_case

        seeker = db.session.scalar(select(IpsCase).where(IpsCase.phase.in_(SEEKING)).order_by(IpsCase.id).limit(1))
        matches = suggestions_for_case(seeker)
        assert matches and all(m.opening.ips_team_id == seeker.ips_team_id and m.reasons for m in matches)
        # Every case has a consultant of its own team.
        mismatched = db.session.scalar(
            select(func.count())
            .select_from(IpsCase)
            .join(User, User.id == IpsCase.consultant_id)
            .where(User.organisation_id != IpsCase.ips_team_id)
        )
        assert mismatched == 0
        now = app.extensions["ips_clock"].now()
        assert db.session.scalar(select(func.count()).where(FollowUp.status == "open", FollowUp.due_at <= now)) == 100
        assert db.session.scalar(select(func.count()).where(FollowUp.escalated_at.is_not(None))) == 10
        # Open follow-ups are spread over the active cases, not piled on a few.
        per_case = db.session.execute(
            select(FollowUp.case_id, func.count()).where(FollowUp.status == "open").group_by(FollowUp.case_id)
        ).all()
        assert max(n for _c, n in per_case) <= 3
        national = select(func.count()).select_from(Organisation).where(Organisation.kind == OrgKind.NATIONAL)
        assert db.session.scalar(national) == 1
        assert len(claim_due_notifications(now, 1000)) == 100
        assert db.session.scalar(select(func.count()).where(Notification.status == "queued")) == 100
        # The application can add rows after the bulk load (sequences moved on).
        from tests.factories import World

        World.build()
        db.engine.dispose()


@pytest.mark.postgres_only
def test_generator_loads_a_working_dataset_into_postgresql(pg_url):
    from tests.conftest import make_app

    _check(make_app(pg_url), pg_url)


def test_generator_loads_a_working_dataset_into_sqlite(tmp_path):
    from flask_migrate import upgrade

    from tests.conftest import make_app

    url = f"sqlite:///{tmp_path}/bench.sqlite"
    app = make_app(url)
    with app.app_context():
        upgrade()
    _check(app, url)

"""Report snapshots: an aggregate too dear for every view at national scale is computed here, by
the worker, and the page reads it with its age (reports/country.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import ReportSnapshot
from ..reports.country import COUNTRY, country_overview


def refresh_country(now: datetime) -> None:
    data = country_overview(now)
    for _attempt in range(2):  # two workers may make the first one at once: then update theirs
        snapshot = db.session.get(ReportSnapshot, COUNTRY)
        if snapshot is None:
            db.session.add(ReportSnapshot(name=COUNTRY, data=data, computed_at=now))
        else:
            snapshot.data, snapshot.computed_at = data, now
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()

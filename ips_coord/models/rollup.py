from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime


class ReportSnapshot(Model):
    """A figure too dear to compute on every view at national scale (the country overview at
    1,000,000 cases): the worker computes it every ROLLUP_MINUTES, the page shows it with its age.
    Aggregates only, never a case or a name."""

    __tablename__ = "report_snapshot"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())

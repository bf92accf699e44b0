"""The coordinator's report panel for the citizen's voice: the job-or-education rate against the 60 %
target, and progress over time (the team's mean change per quarter and the citizen-consultant gap)."""

from __future__ import annotations

from flask_babel import gettext as _

from ..i18n import percent
from ..reports.outcomes import quarter_of
from ..reports.progress import JOB_OR_EDUCATION, job_or_education, svg_lines, team_progress
from ..workflows.plan import CURRENT_INSTRUMENT


def voice_panel(team_id: int, today, team=None) -> dict:
    rate_rows = job_or_education(team_id, today, rows=team)
    progress_rows = team_progress(team_id, today)
    from .formatting import quarter_label

    labels = [quarter_label(r["quarter"], two_lines=True) for r in rate_rows]
    running = "{}-Q{}".format(*quarter_of(today))  # the running quarter is marked on every chart
    rate_chart = svg_lines(
        [(_("Job or education"), "#0b5cad", [r["rate"] for r in rate_rows])],
        labels,
        _("Job or education rate (percent)"),
        low=0,
        high=100,
        target=JOB_OR_EDUCATION.target,
        target_label=_("Target %(t)s", t=percent(JOB_OR_EDUCATION.target, 0)),
        percent_axis=True,
        partial_last=bool(rate_rows) and rate_rows[-1]["quarter"] == running,
        partial_label=_("(running)"),
    )
    progress_chart = svg_lines(
        [
            (_("Citizens"), "#0b5cad", [r["citizen_change"] for r in progress_rows]),
            (_("Consultants"), "#2e7d32", [r["consultant_change"] for r in progress_rows]),
        ],
        labels,
        _("Mean change since the first rating (points, 1-10 scale)"),
        low=min(
            [0.0] + [v for r in progress_rows for v in (r["citizen_change"], r["consultant_change"]) if v is not None]
        ),
        partial_last=bool(progress_rows) and progress_rows[-1]["quarter"] == running,
        partial_label=_("(running)"),
    )
    return {
        "joe_rows": rate_rows,
        "joe_metric": JOB_OR_EDUCATION,
        "joe_chart": rate_chart,
        "progress_rows": progress_rows,
        "progress_chart": progress_chart,
        "progress_instrument": CURRENT_INSTRUMENT,
    }

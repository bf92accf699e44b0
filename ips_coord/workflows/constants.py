"""The figures of the IPS model that more than one part of the code needs, named once.

Plain Python (the workflow core, reports, the sweep and the pages import them).
"""

from __future__ import annotations

from datetime import date, timedelta

from .phases import EndReason

# A placement that ends within this long of its start is an early ending (the coordinator hears of it).
EARLY_ENDING = timedelta(days=90)
# Ending reasons that are no early ending however short the job: a fixed-term job ran its term.
RAN_ITS_TERM = frozenset({EndReason.TEMPORARY_ENDED})


def is_early_ending(started: date | None, ended: date, reason: str | None) -> bool:
    """The one rule the workflow (who is told) and the outcome reports (the count) share."""
    return started is not None and (ended - started) < EARLY_ENDING and reason not in RAN_ITS_TERM


# IPS fidelity item 1: at most 20 cases per consultant.
CASELOAD_LIMIT = 20
# Job development: face-to-face employer contacts a consultant aims for each week.
WEEKLY_EMPLOYER_CONTACT_TARGET = 6
# An active case without contact for this long is flagged (deviation) and a reminder made.
NO_CONTACT_AFTER = timedelta(days=30)
# Rapid job search: the first employer contact is due this long after enrolment.
FIRST_EMPLOYER_CONTACT_DEADLINE = timedelta(days=30)
# A consent's reminder comes this long before it expires.
CONSENT_EXPIRY_NOTICE = timedelta(days=30)
# Psychiatry acknowledges a job-ending notification within 2 working days.
ACK_WORKING_DAYS = 2
# A contact satisfies contact follow-ups that are due up to this long after it.
CONTACT_WINDOW = timedelta(days=3)
# Job development quality (fidelity item 18): the employer contacts of this long are weighed.
JOB_DEVELOPMENT_QUALITY_WINDOW = timedelta(days=90)

"""One name for each idea: every code has its words, every relation its access rule, and the
SMTP session's missing socket is an SMTP error (not an AttributeError on None)."""

from __future__ import annotations

import smtplib

import pytest

from ips_coord import labels
from ips_coord.access.policy import ACCESS_BY_RELATION, PARTS
from ips_coord.notifications.email import _socket
from ips_coord.workflows.phases import (
    AccessAction,
    Adjustment,
    AuditPart,
    CloseReason,
    ConsentCategory,
    ContactKind,
    Deviation,
    Disclosure,
    EndReason,
    Event,
    FollowUpKind,
    HistoryEntry,
    Location,
    NotificationKind,
    OrgKind,
    Part,
    Party,
    Phase,
    PlacementType,
    Relation,
    Role,
    WithdrawalRequester,
)


@pytest.mark.parametrize(
    ("words", "codes"),
    [
        (labels.PHASES, Phase),
        (labels.ROLES, Role),
        (labels.PARTIES, Party),
        (labels.CATEGORIES, ConsentCategory),
        (labels.FOLLOW_UP_KINDS, FollowUpKind),
        (labels.CLOSE_REASONS, CloseReason),
        (labels.END_REASONS, EndReason),
        (labels.PLACEMENT_TYPES, PlacementType),
        (labels.LOCATIONS, Location),
        (labels.NOTIFICATION_SUBJECTS, NotificationKind),
        (labels.NOTIFICATION_LINES, NotificationKind),
        (labels.DISCLOSURES, Disclosure),
        (labels.WITHDRAWAL_REQUESTERS, WithdrawalRequester),
        (labels.NOTIFICATION_KINDS, NotificationKind),
        (labels.ACCESS_ACTIONS, AccessAction),
        (labels.DEVIATIONS, Deviation),
        (labels.ADJUSTMENTS, Adjustment),
        (labels.STEP_DONE, Event),
        (labels.ORG_KINDS, OrgKind),
    ],
)
def test_every_code_has_its_words(words, codes):
    assert set(words) == {c.value for c in codes}


def test_the_history_has_words_for_every_event():
    assert set(labels.EVENTS) == {e.value for e in Event} | {h.value for h in HistoryEntry}
    # Contact kinds offered in the contact form; the job-ending review is recorded with its own form.
    assert set(labels.CONTACT_KINDS) == {c.value for c in ContactKind} - {ContactKind.JOB_ENDING_REVIEW}


def test_the_access_log_has_words_for_every_part_it_names():
    assert set(labels.ACCESS_PARTS) == {p.value for p in Part} | {p.value for p in AuditPart}
    assert set(labels.TOLD) <= {r.value for r in Role}


def test_forbidden_close_reasons_are_offered_but_are_no_close_reason():
    """The form offers them so the zero-exclusion refusal can explain; the workflow refuses them."""
    assert not set(labels.FORBIDDEN_CLOSE_REASONS) & {r.value for r in CloseReason}


def test_every_relation_has_an_access_rule():
    assert set(ACCESS_BY_RELATION) == set(Relation)
    assert PARTS == tuple(Part)


def test_a_closed_smtp_session_is_an_smtp_error():
    with pytest.raises(smtplib.SMTPServerDisconnected):
        _socket(smtplib.SMTP())  # never connected: no socket

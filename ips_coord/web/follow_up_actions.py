"""How each kind of follow-up is answered from a list of things to do (Min dag, the case page).

Only a follow-up that a plain conversation with the citizen answers may be closed with one tap
(a contact is logged, with an optional one-line note). Every other kind is answered by a record
(a meeting, a rating, a profile version, a review, a consent, an employer contact...): its button
opens the form that records it, and closing it by hand is refused, so the figures built on those
records never count something that did not happen."""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from ..models import FollowUp
from ..workflows.phases import CITIZEN_CONTACT_FOLLOW_UPS, ContactKind, Event, FollowUpKind

ONE_TAP_KINDS = CITIZEN_CONTACT_FOLLOW_UPS


class Answer(NamedTuple):
    """Where the record that answers a follow-up is made: a case-page section (`open`, `anchor`,
    extra query arguments) or another endpoint; and the button's words."""

    label: LazyString
    open: str | None = None
    anchor: str | None = None
    args: tuple[tuple[str, str], ...] = ()
    endpoint: str | None = None


ANSWERED_BY: dict[str, Answer] = {
    FollowUpKind.FIRST_CITIZEN_CONTACT: Answer(_l("Log the first contact"), "contact", "contact"),
    FollowUpKind.JOINT_START_MEETING: Answer(
        _l("Log the start meeting"), "contact", "contact", (("kind", ContactKind.JOINT_START_MEETING),)
    ),
    FollowUpKind.BENEFITS_COUNSELLING: Answer(
        _l("Log the benefits counselling"), "contact", "contact", (("kind", ContactKind.BENEFITS_COUNSELLING),)
    ),
    FollowUpKind.JOB_ENDING_REVIEW: Answer(_l("Hold the review"), "review", "review"),
    FollowUpKind.CAREER_PROFILE_UPDATE: Answer(_l("Update the profile"), "profile", "profile"),
    FollowUpKind.PROFILE_REASSESSMENT: Answer(_l("Update the profile"), "profile", "profile"),
    FollowUpKind.PROGRESS_RATING: Answer(_l("Rate progress"), "rating", "progress"),
    FollowUpKind.PLAN_ACTION: Answer(_l("Open the plan"), "plan", "plan"),
    FollowUpKind.CONSENT_EXPIRY: Answer(_l("Renew the consent"), "consent", "consents"),
    FollowUpKind.RESUME_SEARCH: Answer(
        _l("Resume job search"), f"next-{Event.RESUME_SEARCH}", f"next-{Event.RESUME_SEARCH}"
    ),
    FollowUpKind.PSYCHIATRY_ACK: Answer(_l("Open the case"), None, None),
    FollowUpKind.FIRST_EMPLOYER_CONTACT: Answer(_l("Log an employer contact"), endpoint="consultant.employer_contact"),
    FollowUpKind.NEXT_EMPLOYER_CONTACT: Answer(_l("Log an employer contact"), endpoint="consultant.employer_contact"),
    FollowUpKind.EMPLOYER_NEXT_STEP: Answer(
        _l("Open the next steps with employers"), endpoint="employers.week", anchor="next-h"
    ),
}


def one_tap(kind: str) -> bool:
    return kind in ONE_TAP_KINDS


def answer_url(fu: FollowUp) -> str:
    """The page (and section) where the record that answers the follow-up is made."""
    answer = ANSWERED_BY.get(fu.kind, Answer(_l("Open the case"), None, None))
    anchor = f"#{answer.anchor}" if answer.anchor else ""
    if answer.endpoint == "consultant.employer_contact":
        return url_for(answer.endpoint, case_id=fu.case_id)
    if answer.endpoint:
        return url_for(answer.endpoint) + anchor
    args: dict[str, Any] = {"case_id": fu.case_id, **dict(answer.args)}
    if answer.open:
        args["open"] = answer.open
    return url_for("case_page.detail", **args) + anchor


def answer_label(kind: str) -> LazyString:
    return ANSWERED_BY.get(kind, Answer(_l("Open the case"))).label

"""Matching openings and job seekers, explained in words and never decided for anyone.

The score is transparent: each reason adds points and is shown.
- wishes: a word of the citizen's job preferences or wishes in their own words that the opening's
  title or requirements also use (3 points each; words compared on their first five letters, so
  "lager" meets "lagermedarbejder");
- experience: a word of the work history the opening uses (1 point each);
- hours: the opening's hours within 5 of the hours the profile names ("20 timer"): 2 points; more
  than 10 over them: minus 2;
- place: the opening is in the citizen's municipality: 2 points.

For one case the candidate openings come, in one query, from the indexed keyword rows
(opening_keyword) and from the team's open openings in the citizen's municipality, so the cost
follows the few stems of one profile and the team's openings, not all openings. The consultant
records a suggestion and what came of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..extensions import db
from ..models import CareerProfile, Citizen, IpsCase, User
from ..models.employer import Opening, OpeningKeyword, Suggestion
from ..workflows.phases import MatchReason, OpeningStatus, Phase, SuggestionOutcome
from .employers import municipality_key, words
from .errors import N_, NotFound, ServiceError
from .unit_of_work import unit_of_work

WISH_POINTS, EXPERIENCE_POINTS, HOURS_POINTS, PLACE_POINTS = 3, 1, 2, 2
SEEKING = (Phase.ENGAGEMENT, Phase.JOB_SEARCH, Phase.JOB_ENDED)
CANDIDATE_LIMIT = 300  # openings scored in Python for one case, found by the index
# The reasons in plain English (the API, the stored suggestion); the pages use ips_coord.labels.MATCH_REASONS.
EXPLAINED = {
    MatchReason.WISH: "wishes",
    MatchReason.EXPERIENCE: "has worked with",
    MatchReason.HOURS: "hours",
    MatchReason.MORE_HOURS: "more hours than wished",
    MatchReason.PLACE: "in",
}
_HOURS = re.compile(r"(\d{1,2})(?:[.,]\d)?\s*(?:timer|time|t\b|hours|h\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Profile:
    """What matching reads from a case: stems of wishes and of experience, hours, municipality."""

    case_id: int
    wishes: dict[str, str]
    experience: dict[str, str]
    hours: float | None
    municipality: str | None
    municipality_name: str | None


@dataclass
class Match:
    score: int
    reasons: list[tuple[MatchReason, str]] = field(default_factory=list)  # (reason, the words it found)

    def explanation(self) -> str:
        """Plain English for the API and the stored suggestion; the pages show it in Danish."""
        return "; ".join(f"{EXPLAINED[c]} {w}".strip() for c, w in self.reasons)


@dataclass(kw_only=True)
class OpeningMatch(Match):
    """An opening ranked for a case."""

    opening: Opening


@dataclass(kw_only=True)
class CaseMatch(Match):
    """A job seeker ranked for an opening."""

    case: IpsCase


def preferred_hours(text: str | None) -> float | None:
    found = _HOURS.search(text or "")
    return float(found.group(1)) if found else None


def profile_of(case: IpsCase, profile: CareerProfile | None, citizen: Citizen | None = None) -> Profile:
    citizen = citizen or case.citizen
    wish_text = " ".join(filter(None, [profile.job_preferences, profile.wishes_and_dreams] if profile else []))
    wishes = words(wish_text)
    experience = {k: v for k, v in words(profile.work_history if profile else None).items() if k not in wishes}
    return Profile(
        case.id,
        wishes,
        experience,
        preferred_hours(wish_text),
        municipality_key(citizen.municipality) if citizen else None,
        citizen.municipality if citizen else None,
    )


def latest_profile(case_id: int) -> CareerProfile | None:
    return db.session.scalar(
        select(CareerProfile).where(CareerProfile.case_id == case_id).order_by(CareerProfile.version.desc()).limit(1)
    )


def score(profile: Profile, opening: Any) -> Match:
    """`opening`: an Opening or a row with its keywords, hours_per_week, municipality_key and place."""
    found = set((opening.keywords or "").split())
    match = Match(0)
    wished = [w for s, w in profile.wishes.items() if s in found]
    if wished:
        match.score += WISH_POINTS * len(wished)
        match.reasons.append((MatchReason.WISH, ", ".join(sorted(wished))))
    known = [w for s, w in profile.experience.items() if s in found]
    if known:
        match.score += EXPERIENCE_POINTS * len(known)
        match.reasons.append((MatchReason.EXPERIENCE, ", ".join(sorted(known))))
    if profile.hours is not None and opening.hours_per_week is not None:
        if abs(opening.hours_per_week - profile.hours) <= 5:
            match.score += HOURS_POINTS
            match.reasons.append((MatchReason.HOURS, f"{opening.hours_per_week:g}"))
        elif opening.hours_per_week - profile.hours > 10:
            match.score -= HOURS_POINTS
            match.reasons.append((MatchReason.MORE_HOURS, f"{opening.hours_per_week:g}"))
    if profile.municipality and opening.municipality_key == profile.municipality:
        match.score += PLACE_POINTS
        match.reasons.append((MatchReason.PLACE, opening.place or profile.municipality_name or ""))
    return match


def suggestions_for_case(case: IpsCase, limit: int = 20) -> list[OpeningMatch]:
    """Open openings of the case's team ranked against the career profile, best first."""
    if case.ips_team_id is None:
        return []
    profile = profile_of(case, latest_profile(case.id))
    team = case.ips_team_id
    stems = sorted(set(profile.wishes) | set(profile.experience))
    found: list[ColumnElement[bool]] = []
    if stems:  # openings sharing a stem with the profile, from the keyword index
        found.append(
            Opening.id.in_(
                select(OpeningKeyword.opening_id)
                .where(OpeningKeyword.ips_team_id == team, OpeningKeyword.keyword.in_(stems))
                .group_by(OpeningKeyword.opening_id)
                .order_by(func.count().desc(), OpeningKeyword.opening_id.desc())
                .limit(CANDIDATE_LIMIT)
            )
        )
    if profile.municipality:  # openings in the citizen's municipality
        found.append(Opening.municipality_key == profile.municipality)
    if not found:
        return []
    # One query for the candidates, scored on plain rows (no ORM objects); then load the few kept.
    rows = db.session.execute(
        select(Opening.id, Opening.keywords, Opening.hours_per_week, Opening.municipality_key, Opening.place).where(
            Opening.ips_team_id == team, Opening.status == OpeningStatus.OPEN, or_(*found)
        )
    )
    ranked = [(m, row.id) for row in rows if (m := score(profile, row)).score > 0]
    ranked.sort(key=lambda pair: (-pair[0].score, -pair[1]))
    ranked = ranked[:limit]
    loaded = {o.id: o for o in db.session.scalars(select(Opening).where(Opening.id.in_([i for _m, i in ranked])))}
    return [OpeningMatch(score=m.score, reasons=m.reasons, opening=loaded[opening_id]) for m, opening_id in ranked]


def candidates_for_opening(opening: Opening, user: User, limit: int = 30) -> list[CaseMatch]:
    """The team's job seekers ranked against an opening: the user's own cases first on a tie."""
    rows = db.session.execute(
        select(IpsCase, CareerProfile)
        .join(Citizen, Citizen.id == IpsCase.citizen_id)
        .outerjoin(CareerProfile, CareerProfile.case_id == IpsCase.id)
        .where(IpsCase.ips_team_id == opening.ips_team_id, IpsCase.phase.in_(SEEKING))
        .order_by(IpsCase.id, CareerProfile.version)
    ).all()
    latest: dict[int, tuple[IpsCase, CareerProfile | None]] = {}
    for case, profile in rows:
        latest[case.id] = (case, profile)
    ranked = []
    for case, profile in latest.values():
        m = score(profile_of(case, profile), opening)
        if m.score > 0:
            ranked.append(CaseMatch(score=m.score, reasons=m.reasons, case=case))
    ranked.sort(key=lambda m: (-m.score, m.case.consultant_id != user.id, m.case.id))
    return ranked[:limit]


def record_suggestion(
    case: IpsCase, opening: Opening, actor: User, explanation: str | None = None, note: str | None = None
) -> Suggestion:
    """The consultant suggested the opening to the citizen (who decides)."""
    if opening.ips_team_id != case.ips_team_id:
        raise NotFound(N_("No such opening."), "opening_id")
    if opening.status != OpeningStatus.OPEN:
        raise ServiceError(N_("The opening is no longer open."), "opening_id")
    if explanation is None:
        explanation = score(profile_of(case, latest_profile(case.id)), opening).explanation() or None
    now = utcnow()
    row = Suggestion(
        opening_id=opening.id,
        case_id=case.id,
        suggested_by_id=actor.id,
        explanation=explanation,
        outcome=SuggestionOutcome.SUGGESTED,
        note=note,
        created_at=now,
        updated_at=now,
    )
    try:
        with unit_of_work():
            db.session.add(row)
    except IntegrityError:  # rolled back by the unit of work
        raise ServiceError(N_("The opening has already been suggested to this citizen."), "opening_id") from None
    return row


def record_outcome(suggestion: Suggestion, actor: User, outcome: str, note: str | None = None) -> Suggestion:
    """What came of a suggestion. Presenting the citizen to the employer respects disclosure."""
    if outcome not in set(SuggestionOutcome):
        raise ServiceError(N_("Choose what came of the suggestion."), "outcome")
    with unit_of_work():
        suggestion.outcome = SuggestionOutcome(outcome)
        if note:
            suggestion.note = note
        suggestion.updated_at = utcnow()
    return suggestion


__all__ = [
    "CaseMatch",
    "Match",
    "OpeningMatch",
    "candidates_for_opening",
    "profile_of",
    "record_outcome",
    "record_suggestion",
    "score",
    "suggestions_for_case",
]

"""Systematic job development: the team's employer register, contact persons, employer contacts
(who was met, why, what came of it, the next step) and the openings learned from employers.

Each public function is one transaction. The register belongs to an IPS team; an employer is one
record however its name is typed ("FØTEX NORDBY" and "Føtex Nordby"), and a CVR number is checked
(8 digits, modulus 11) and may appear once per team.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..extensions import db
from ..models import CareerProfile, EmployerContact, FollowUp, IpsCase, User
from ..models.employer import Employer, EmployerPerson, Opening, OpeningKeyword, employer_key
from ..workflows.phases import (
    Activity,
    ContactPurpose,
    Disclosure,
    FollowUpKind,
    FollowUpStatus,
    OpeningStatus,
    Phase,
    Role,
)
from .case_state import apply_activity, lock_case, not_future
from .errors import N_, Forbidden, NotFound, ServiceError
from .unit_of_work import unit_of_work

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
WORKING = (Phase.EMPLOYED, Phase.IN_EDUCATION)


def cvr_valid(cvr: str) -> bool:
    """A Danish CVR number: 8 digits, the first not 0, weighted sum (2,7,6,5,4,3,2,1) divisible by 11."""
    if not re.fullmatch(r"[1-9]\d{7}", cvr or ""):
        return False
    return sum(int(d) * w for d, w in zip(cvr, CVR_WEIGHTS, strict=True)) % 11 == 0


# --- words for matching -----------------------------------------------------------------------
STOPWORDS = frozenset(
    """og i at en et den det de der som med til på for af er har kan vil gerne ikke men om
eller fra hos ved min mit mine sin sit sine jeg han hun vi man meget lidt godt gode god helst noget også the and
for with job arbejde arbejder arbejdet timer time uge ugen""".split()
)
STEM = 5  # Danish compounds: "lager" and "lagermedarbejder" share their first five letters


def words(text: str | None) -> dict[str, str]:
    """The stems of a text's words and the first word each came from ("lager" -> "lageret")."""
    out: dict[str, str] = {}
    for word in re.findall(r"[^\W\d_]{3,}", unicodedata.normalize("NFKC", text or "").casefold()):
        if word not in STOPWORDS:
            out.setdefault(word[:STEM], word)
    return out


def stems(text: str | None) -> set[str]:
    return set(words(text))


def municipality_key(name: str | None) -> str | None:
    key = employer_key(name)
    return key or None


# --- the register -------------------------------------------------------------------------------
def _team_of(actor: User) -> int:
    if actor.role not in (Role.IPS_CONSULTANT, Role.COORDINATOR) or actor.organisation_id is None:
        raise Forbidden(N_("The employer register belongs to an IPS team."), "employer")
    return actor.organisation_id


def employer_in_team(actor: User, employer_id: int | None) -> Employer:
    employer = db.session.get(Employer, employer_id) if employer_id else None
    if employer is None or employer.ips_team_id != actor.organisation_id:
        raise NotFound(N_("No such employer."), "employer_id")
    return employer


def find_employer(team_id: int, name: str | None) -> Employer | None:
    key = employer_key(name)
    if not key:
        return None
    return db.session.scalar(select(Employer).where(Employer.ips_team_id == team_id, Employer.name_key == key))


def search_employers(team_id: int, text: str | None, limit: int = 20) -> list[Employer]:
    """Search-as-you-type: employers whose normalised name contains what was typed."""
    key = employer_key(text)
    query = select(Employer).where(Employer.ips_team_id == team_id)
    if key:
        escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Employer.name_key.like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(query.order_by(Employer.name_key).limit(limit)))


def _check_fields(team_id: int, fields: dict[str, Any], current: Employer | None = None) -> tuple[str, str | None]:
    name = " ".join((fields.get("name") or "").split())
    if not name:
        raise ServiceError(N_("Name the employer."), "name")
    cvr = (fields.get("cvr") or "").replace(" ", "") or None
    if cvr is not None and not cvr_valid(cvr):
        raise ServiceError(N_("A CVR number has 8 digits and a valid check digit (modulus 11)."), "cvr")
    other = find_employer(team_id, name)
    if other is not None and other is not current:
        raise ServiceError(N_("The employer is already in the register."), "name")
    if cvr is not None:
        same = db.session.scalar(select(Employer).where(Employer.ips_team_id == team_id, Employer.cvr == cvr))
        if same is not None and same is not current:
            raise ServiceError(N_("Another employer in the register has this CVR number."), "cvr")
    return name, cvr


EMPLOYER_FIELDS = ("address", "municipality", "industry", "note")


def _commit_unique(field: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a colleague registered the same employer a moment ago
        raise ServiceError(N_("The employer is already in the register."), field) from None
    except BaseException:
        db.session.rollback()
        raise


def create_employer(actor: User, fields: dict[str, Any]) -> Employer:
    team = _team_of(actor)
    name, cvr = _check_fields(team, fields)
    row = Employer(
        ips_team_id=team,
        name=name,
        name_key=employer_key(name),
        cvr=cvr,
        created_by_id=actor.id,
        created_at=utcnow(),
        **{k: (fields.get(k) or None) for k in EMPLOYER_FIELDS},
    )
    db.session.add(row)
    _commit_unique("name")
    return row


def update_employer(employer: Employer, actor: User, fields: dict[str, Any]) -> Employer:
    if employer.ips_team_id != _team_of(actor):
        raise NotFound(N_("No such employer."), "employer_id")
    name, cvr = _check_fields(employer.ips_team_id, fields, current=employer)
    employer.name, employer.name_key, employer.cvr = name, employer_key(name), cvr
    for k in EMPLOYER_FIELDS:
        setattr(employer, k, fields.get(k) or None)
    _commit_unique("name")
    return employer


def _register(team_id: int, name: str, actor: User | None, now: datetime) -> Employer:
    """The employer of that name in the register, added (name only) if it is not there yet.
    No commit: the caller's transaction owns it."""
    found = find_employer(team_id, name)
    if found is not None:
        return found
    row = Employer(
        ips_team_id=team_id,
        name=" ".join(name.split()),
        name_key=employer_key(name),
        created_by_id=actor.id if actor else None,
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    return row


def link_placement_employer(case: IpsCase, name: str, actor: User | None, now: datetime) -> int | None:
    """A job start names its employer: link it to the team's register (added if new)."""
    if case.ips_team_id is None or not employer_key(name):
        return None
    return _register(case.ips_team_id, name, actor, now).id


def add_person(employer: Employer, actor: User, fields: dict[str, Any]) -> EmployerPerson:
    if employer.ips_team_id != _team_of(actor):
        raise NotFound(N_("No such employer."), "employer_id")
    name = " ".join((fields.get("name") or "").split())
    if not name:
        raise ServiceError(N_("Name the contact person."), "name")
    row = EmployerPerson(
        employer_id=employer.id,
        name=name,
        title=fields.get("title") or None,
        phone=fields.get("phone") or None,
        email=fields.get("email") or None,
        created_at=utcnow(),
    )
    with unit_of_work():
        db.session.add(row)
    return row


# --- employer contacts --------------------------------------------------------------------------
def disclosure_of(case_id: int) -> str | None:
    return db.session.scalar(
        select(CareerProfile.disclosure)
        .where(CareerProfile.case_id == case_id)
        .order_by(CareerProfile.version.desc())
        .limit(1)
    )


def check_disclosure(case: IpsCase | None) -> None:
    """With "no disclosure" the citizen is never linked to a contact with an employer."""
    if case is not None and disclosure_of(case.id) == Disclosure.NONE:
        raise Forbidden(N_("The citizen has chosen not to disclose: an employer contact cannot name them."), "case_id")


def _due(day: date) -> datetime:
    return datetime.combine(day, time(8, 0), tzinfo=UTC)


def _check_contact(purpose: str | None, next_step: str | None, next_step_due: date | None, now: datetime) -> None:
    if purpose is not None and purpose not in set(ContactPurpose):
        raise ServiceError(N_("Choose the purpose of the contact."), "purpose")
    if next_step_due is not None and not (next_step or "").strip():
        raise ServiceError(N_("Say what the next step is."), "next_step")
    if next_step and next_step_due is None:
        raise ServiceError(N_("Give the next step a date."), "next_step_due")
    if next_step_due is not None and next_step_due < now.date():
        raise ServiceError(N_("The next step cannot be in the past."), "next_step_due")


def _employer_for(actor: User, employer_id: int | None, employer_name: str | None, now: datetime) -> Employer | None:
    if employer_id is not None:
        return employer_in_team(actor, employer_id)
    if actor.organisation_id is not None and employer_key(employer_name):
        return _register(actor.organisation_id, employer_name or "", actor, now)
    if not employer_key(employer_name):
        raise ServiceError(N_("Name the employer."), "employer_name")
    return None


def log_employer_contact(
    actor: User,
    *,
    occurred_at: datetime,
    location: str,
    employer_name: str | None = None,
    employer_id: int | None = None,
    face_to_face: bool = True,
    case: IpsCase | None = None,
    note: str | None = None,
    person_id: int | None = None,
    purpose: str | None = None,
    outcome: str | None = None,
    next_step: str | None = None,
    next_step_due: date | None = None,
) -> EmployerContact:
    """An employer contact: which employer (from the register, or added to it by name), who was
    met, the purpose, the outcome and the next step with a date, which becomes a follow-up."""

    now = utcnow()
    not_future(occurred_at, now, "occurred_at")
    _check_contact(purpose, next_step, next_step_due, now)
    check_disclosure(case)
    with unit_of_work():
        if case is not None:
            lock_case(case)
        employer = _employer_for(actor, employer_id, employer_name, now)
        if person_id is not None:
            person = db.session.get(EmployerPerson, person_id)
            if person is None or employer is None or person.employer_id != employer.id:
                raise ServiceError(N_("No such contact person at this employer."), "person_id")
        row = EmployerContact(
            consultant_id=actor.id,
            case_id=case.id if case else None,
            employer_name=employer.name if employer else (employer_name or "").strip(),
            employer_id=employer.id if employer else None,
            person_id=person_id,
            occurred_at=occurred_at,
            face_to_face=face_to_face,
            location=location,
            note=note,
            purpose=purpose,
            outcome=outcome or None,
            next_step=(next_step or "").strip() or None,
            next_step_due=next_step_due,
            created_at=now,
        )
        db.session.add(row)
        db.session.flush()
        if case is not None and face_to_face:
            apply_activity(case, Activity.EMPLOYER_CONTACT, occurred_at, actor, now)
            if case.first_employer_contact_at is None or occurred_at < case.first_employer_contact_at:
                case.first_employer_contact_at = occurred_at
        if case is not None and purpose == ContactPurpose.FOLLOW_ALONG and case.phase in WORKING:
            # Follow-along with the employer of a citizen in work is follow-along support.
            apply_activity(case, Activity.EMPLOYER_FOLLOW_ALONG, occurred_at, actor, now)
        if case is not None and next_step_due is not None:
            db.session.add(
                FollowUp(
                    case_id=case.id,
                    kind=FollowUpKind.EMPLOYER_NEXT_STEP,
                    due_at=_due(next_step_due),
                    remind_at=None,
                    assignee_id=actor.id,
                    status=FollowUpStatus.OPEN,
                    data={"employer_contact_id": row.id},
                    created_at=now,
                )
            )
    return row


def complete_next_step(contact: EmployerContact, actor: User) -> EmployerContact:
    """The next step agreed with an employer is done (it closes the follow-up made from it)."""
    if contact.consultant_id != actor.id:
        raise NotFound(N_("No such employer contact."), "employer_contact_id")
    if contact.next_step_due is None or contact.next_step_done_at is not None:
        raise ServiceError(N_("There is no open next step on this contact."), "next_step")
    now = utcnow()
    with unit_of_work():
        contact.next_step_done_at = now
        if contact.case_id is not None:
            for fu in db.session.scalars(
                select(FollowUp).where(
                    FollowUp.case_id == contact.case_id,
                    FollowUp.status == FollowUpStatus.OPEN,
                    FollowUp.kind == FollowUpKind.EMPLOYER_NEXT_STEP,
                )
            ):
                if (fu.data or {}).get("employer_contact_id") == contact.id:
                    fu.status, fu.completed_at, fu.completed_by_id = FollowUpStatus.DONE, now, actor.id
    return contact


# --- openings -----------------------------------------------------------------------------------
OPENING_FIELDS = ("title", "hours_per_week", "place", "requirements")


def _keywords(opening: Opening) -> set[str]:
    return stems(f"{opening.title} {opening.requirements or ''}")


def _index(opening: Opening) -> None:
    """Keep the keyword rows of an opening: present while it is open, gone when filled or closed."""
    db.session.execute(delete(OpeningKeyword).where(OpeningKeyword.opening_id == opening.id))
    words_ = sorted(_keywords(opening))
    opening.keywords = " ".join(words_)
    if opening.status == OpeningStatus.OPEN:
        db.session.add_all(
            OpeningKeyword(keyword=w, ips_team_id=opening.ips_team_id, opening_id=opening.id) for w in words_
        )


def _opening_values(fields: dict[str, Any]) -> dict[str, Any]:
    title = " ".join((fields.get("title") or "").split())
    if not title:
        raise ServiceError(N_("Give the opening a title."), "title")
    hours = fields.get("hours_per_week")
    if hours is not None and not 0 < float(hours) <= 80:
        raise ServiceError(N_("Hours per week are between 0 and 80."), "hours_per_week")
    return {
        "title": title,
        "hours_per_week": float(hours) if hours is not None else None,
        "place": fields.get("place") or None,
        "requirements": fields.get("requirements") or None,
    }


def create_opening(employer: Employer, actor: User, fields: dict[str, Any]) -> Opening:
    if employer.ips_team_id != _team_of(actor):
        raise NotFound(N_("No such employer."), "employer_id")
    values = _opening_values(fields)
    now = utcnow()
    with unit_of_work():
        row = Opening(
            employer_id=employer.id,
            ips_team_id=employer.ips_team_id,
            status=OpeningStatus.OPEN,
            municipality_key=municipality_key(values["place"] or employer.municipality),
            created_by_id=actor.id,
            created_at=now,
            updated_at=now,
            keywords="",
            **values,
        )
        db.session.add(row)
        db.session.flush()
        _index(row)
    return row


def set_opening_status(opening: Opening, actor: User, status: str) -> Opening:
    if opening.ips_team_id != _team_of(actor):
        raise NotFound(N_("No such opening."), "opening_id")
    if status not in set(OpeningStatus):
        raise ServiceError(N_("An opening is open, filled or closed."), "status")
    with unit_of_work():
        opening.status = OpeningStatus(status)
        opening.updated_at = utcnow()
        _index(opening)
    return opening


__all__ = [
    "add_person",
    "check_disclosure",
    "complete_next_step",
    "create_employer",
    "create_opening",
    "cvr_valid",
    "employer_in_team",
    "find_employer",
    "link_placement_employer",
    "log_employer_contact",
    "search_employers",
    "set_opening_status",
    "stems",
    "update_employer",
    "words",
]

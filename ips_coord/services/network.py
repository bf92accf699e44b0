"""The people around the citizen: added by the citizen in their own view or by the IPS team on
the citizen's word; what each may know, a consent per person and category that the citizen gives
and withdraws (withdrawal takes effect on the next read); invitations to meetings, which need the
meetings consent, and whether the person took part; plan actions a network person owns, which need
the plan consent."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from ..clock import utcnow
from ..extensions import db
from ..models import Citizen, IpsCase, NetworkConsent, NetworkMeeting, NetworkPerson, Notification, PlanAction, User
from ..workflows.network import ACTION_OWNER_NEEDS, INVITATION_NEEDS, NetworkCategory, NetworkRelation, NetworkRole
from ..workflows.phases import HistoryEntry, NotificationKind, NotificationStatus, Role
from ..workflows.plan import PlanOwner, WrittenBy
from .errors import N_, Forbidden, NotFound, ServiceError
from .records import add_case_event
from .unit_of_work import unit_of_work


def _by(actor: User | None, citizen: Citizen | None, case: IpsCase) -> WrittenBy:
    if citizen is not None:
        if citizen.id != case.citizen_id:
            raise NotFound(N_("No such case."))
        return WrittenBy.CITIZEN
    if (
        actor is None
        or actor.role not in (Role.IPS_CONSULTANT, Role.COORDINATOR)
        or actor.organisation_id != case.ips_team_id
    ):
        raise Forbidden(N_("The IPS team records the citizen's network, on the citizen's word."))
    return WrittenBy.STAFF


def people(case: IpsCase) -> list[NetworkPerson]:
    return list(
        db.session.scalars(
            select(NetworkPerson)
            .where(NetworkPerson.case_id == case.id, NetworkPerson.removed_at.is_(None))
            .order_by(NetworkPerson.id)
        )
    )


def live_categories(person: NetworkPerson) -> set[str]:
    """What the person may know now: read from the stored consents on every call."""
    return {
        c.category
        for c in db.session.scalars(
            select(NetworkConsent).where(NetworkConsent.person_id == person.id, NetworkConsent.withdrawn_at.is_(None))
        )
    }


def live_categories_of(people: list[NetworkPerson]) -> dict[int, set[str]]:
    """What each of a case's people may know now, in one statement for them all."""
    live: dict[int, set[str]] = {p.id: set() for p in people}
    if live:
        for person_id, category in db.session.execute(
            select(NetworkConsent.person_id, NetworkConsent.category).where(
                NetworkConsent.person_id.in_(live), NetworkConsent.withdrawn_at.is_(None)
            )
        ):
            live[person_id].add(category)
    return live


def may_know(person: NetworkPerson, category: NetworkCategory) -> bool:
    return person.removed_at is None and category in live_categories(person)


def _fields(name: str, relation: str, phone: str | None, email: str | None, roles: list[str]) -> dict[str, Any]:
    name = " ".join((name or "").split())
    if not 2 <= len(name) <= 200:
        raise ServiceError(N_("Write the person's name (2 to 200 characters)."), "name")
    if relation not in set(NetworkRelation):
        raise ServiceError(N_("Choose how the person is related to the citizen."), "relation")
    phone = " ".join((phone or "").split()) or None
    if phone is not None and (len(phone) > 40 or sum(ch.isdigit() for ch in phone) < 8):
        raise ServiceError(N_("A phone number has at least 8 digits."), "phone")
    address = (email or "").strip() or None
    if address is not None:
        try:
            address = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ServiceError(N_("That is not an e-mail address."), "email") from None
    unknown = [r for r in roles if r not in set(NetworkRole)]
    if unknown:
        raise ServiceError(N_("Choose what the person helps with from the list."), "roles")
    return {"name": name, "relation": relation, "phone": phone, "email": address, "roles": sorted(set(roles))}


def add_person(
    case: IpsCase,
    *,
    name: str,
    relation: str,
    phone: str | None = None,
    email: str | None = None,
    roles: list[str] | None = None,
    categories: list[str] | None = None,
    actor: User | None = None,
    citizen: Citizen | None = None,
) -> NetworkPerson:
    """A person of the citizen's network, with the categories the citizen agrees they may know."""
    by = _by(actor, citizen, case)
    fields = _fields(name, relation, phone, email, roles or [])
    wanted = _categories(categories or [])
    now = utcnow()
    with unit_of_work():
        person = NetworkPerson(
            case_id=case.id, added_by=by, added_by_staff_id=actor.id if actor else None, created_at=now, **fields
        )
        db.session.add(person)
        db.session.flush()
        for category in wanted:
            db.session.add(
                NetworkConsent(
                    person_id=person.id,
                    category=category,
                    given_at=now,
                    given_by=by,
                    recorded_by_staff_id=actor.id if actor else None,
                )
            )
        add_case_event(
            case,
            event=HistoryEntry.NETWORK_CHANGED,
            actor=actor,
            now=now,
            data={"person_id": person.id, "added": True, "by": by, "categories": wanted},
        )
    return person


def _categories(categories: list[str]) -> list[str]:
    if any(c not in set(NetworkCategory) for c in categories):
        raise ServiceError(N_("Choose what the person may know from the list."), "categories")
    return sorted(set(categories))


def _person(case: IpsCase, person_id: int) -> NetworkPerson:
    person = db.session.get(NetworkPerson, person_id)
    if person is None or person.case_id != case.id or person.removed_at is not None:
        raise NotFound(N_("No such person in the citizen's network."))
    return person


def set_consents(
    case: IpsCase, person_id: int, categories: list[str], *, actor: User | None = None, citizen: Citizen | None = None
) -> NetworkPerson:
    """What the person may know from now on: new categories given, the others withdrawn."""
    by = _by(actor, citizen, case)
    person = _person(case, person_id)
    wanted = set(_categories(categories))
    now = utcnow()
    with unit_of_work():
        live: dict[str, NetworkConsent] = {c.category: c for c in person.consents if c.withdrawn_at is None}
        for category, row in live.items():
            if category not in wanted:
                row.withdrawn_at = now
        for category in wanted - set(live):
            db.session.add(
                NetworkConsent(
                    person_id=person.id,
                    category=category,
                    given_at=now,
                    given_by=by,
                    recorded_by_staff_id=actor.id if actor else None,
                )
            )
        add_case_event(
            case,
            event=HistoryEntry.NETWORK_CHANGED,
            actor=actor,
            now=now,
            data={"person_id": person.id, "by": by, "categories": sorted(wanted)},
        )
    return person


def remove_person(case: IpsCase, person_id: int, *, actor: User | None = None, citizen: Citizen | None = None) -> None:
    """The person is no longer part of the plan: every consent ends with it."""
    by = _by(actor, citizen, case)
    person = _person(case, person_id)
    now = utcnow()
    with unit_of_work():
        person.removed_at = now
        for row in person.consents:
            if row.withdrawn_at is None:
                row.withdrawn_at = now
        add_case_event(
            case,
            event=HistoryEntry.NETWORK_CHANGED,
            actor=actor,
            now=now,
            data={"person_id": person.id, "removed": True, "by": by},
        )


def invite(case: IpsCase, person_id: int, actor: User, *, meeting_at: datetime, place: str) -> NetworkMeeting:
    """An invitation to a meeting: only under the citizen's consent to tell the person of meetings."""
    _by(actor, None, case)
    person = _person(case, person_id)
    if not may_know(person, INVITATION_NEEDS):
        raise ServiceError(
            N_("The citizen has not agreed that %(name)s may be invited to meetings."), "person_id", name=person.name
        )
    place = " ".join((place or "").split())
    if not 2 <= len(place) <= 300:
        raise ServiceError(N_("Say where the meeting is (2 to 300 characters)."), "place")
    now = utcnow()
    if not now - timedelta(days=1) <= meeting_at <= now + timedelta(days=366):
        raise ServiceError(N_("The meeting is from today and within a year."), "meeting_at")
    with unit_of_work():
        row = NetworkMeeting(
            person_id=person.id,
            case_id=case.id,
            meeting_at=meeting_at,
            place=place,
            invited_by_id=actor.id,
            took_part=None,
            created_at=now,
        )
        db.session.add(row)
        db.session.flush()
        if person.email:
            # The invitation e-mail: who asked, when, where and whom to call; nothing about health.
            citizen = db.session.get_one(Citizen, case.citizen_id)
            db.session.add(
                Notification(
                    recipient_id=None,
                    to_address=person.email,
                    case_id=case.id,
                    kind=NotificationKind.NETWORK_INVITATION,
                    status=NotificationStatus.PENDING,
                    next_attempt_at=now,
                    idempotency_key=f"network-meeting:{row.id}",
                    requires_ack=False,
                    created_at=now,
                    data={
                        "locale": "da",
                        "meeting_at": meeting_at.isoformat(),
                        "place": place,
                        "citizen": citizen.first_name,
                        "consultant": actor.name,
                        "consultant_phone": actor.phone,
                        "consultant_email": actor.email,
                    },
                )
            )
        add_case_event(
            case,
            event=HistoryEntry.NETWORK_CHANGED,
            actor=actor,
            now=now,
            data={"person_id": person.id, "invited": row.id},
        )
    return row


def record_participation(case: IpsCase, meeting_id: int, actor: User, took_part: bool) -> NetworkMeeting:
    _by(actor, None, case)
    row = db.session.get(NetworkMeeting, meeting_id)
    if row is None or row.case_id != case.id:
        raise NotFound(N_("No such meeting."))
    with unit_of_work():
        row.took_part = took_part
    return row


def meetings(case: IpsCase) -> list[NetworkMeeting]:
    return list(
        db.session.scalars(
            select(NetworkMeeting).where(NetworkMeeting.case_id == case.id).order_by(NetworkMeeting.meeting_at.desc())
        )
    )


def give_action(case: IpsCase, person_id: int, actor: User, *, text: str, due_date: date | None = None) -> PlanAction:
    """A plan action the network person owns: only under the citizen's consent to the plan."""
    from .plan import add_action

    _by(actor, None, case)
    person = _person(case, person_id)
    if not may_know(person, ACTION_OWNER_NEEDS):
        raise ServiceError(
            N_("The citizen has not agreed that %(name)s may know the plan."), "person_id", name=person.name
        )
    return add_action(
        case, text=text, owner=PlanOwner.NETWORK, due_date=due_date, actor=actor, network_person_id=person.id
    )


def citizens_with_network(team_id: int) -> tuple[int, int]:
    """(cases with at least one network person who may know something, the team's enrolled cases):
    a count for the reports, never who."""
    involved = (
        db.session.scalar(
            select(db.func.count(db.distinct(NetworkPerson.case_id)))
            .join(IpsCase, IpsCase.id == NetworkPerson.case_id)
            .join(NetworkConsent, NetworkConsent.person_id == NetworkPerson.id)
            .where(
                IpsCase.ips_team_id == team_id,
                NetworkPerson.removed_at.is_(None),
                NetworkConsent.withdrawn_at.is_(None),
            )
        )
        or 0
    )
    enrolled = (
        db.session.scalar(
            select(db.func.count(IpsCase.id)).where(IpsCase.ips_team_id == team_id, IpsCase.enrolled_at.is_not(None))
        )
        or 0
    )
    return involved, enrolled


__all__ = [
    "add_person",
    "citizens_with_network",
    "give_action",
    "invite",
    "may_know",
    "meetings",
    "people",
    "record_participation",
    "remove_person",
    "set_consents",
]

"""What the admin role changes in the browser: users (create, role, organisation, active),
organisations, and the revocation of anyone's personal API token. None of it touches a case.

A new user gets no password from the admin: the account is made with an unusable one and its
owner is e-mailed a link to choose their own (the forgotten-password link, through the outbox).
Deactivating a user ends every session of theirs; their tokens stop working with the account.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from ..clock import utcnow
from ..extensions import db
from ..models import ApiToken, Organisation, User, UserSession
from ..workflows.phases import OrgKind, Role
from . import accounts, passwords
from .errors import N_, Forbidden, NotFound, ServiceError
from .unit_of_work import unit_of_work


def _admin(actor: User) -> None:
    if actor.role != Role.ADMIN or not actor.active:
        raise Forbidden(N_("Only an administrator may do this."), "role")


def _organisation(organisation_id: int | None) -> int | None:
    if organisation_id is None:
        return None
    if db.session.get(Organisation, organisation_id) is None:
        raise ServiceError(N_("No such organisation."), "organisation_id")
    return organisation_id


def _not_an_integration(role: str) -> None:
    """Integration accounts come only with a service token, under its four-eyes approval."""
    if role == Role.INTEGRATION:
        raise ServiceError(N_("An integration account comes only with an approved service token."), "role")


def create_user(
    actor: User,
    *,
    email: str,
    name: str,
    role: str,
    organisation_id: int | None,
    locale: str,
    secret_key: str,
    link: Callable[[str], str],
) -> User:
    _admin(actor)
    if role not in set(Role):
        raise ServiceError(N_("Not a role."), "role")
    _not_an_integration(role)
    name = (name or "").strip()
    if not name:
        raise ServiceError(N_("The name must not be empty."), "name")
    unusable = generate_password_hash(secrets.token_urlsafe(32))  # nobody knows it; the link sets the first one
    user = accounts.create_user(
        email,
        name=name,
        role=role,
        password_hash=unusable,
        organisation_id=_organisation(organisation_id),
        locale=locale,
    )
    passwords.queue_reset(user, secret_key, link)
    return user


def update_user(actor: User, user: User, *, role: str, organisation_id: int | None, active: bool) -> User:
    _admin(actor)
    if role not in set(Role):
        raise ServiceError(N_("Not a role."), "role")
    if user.id == actor.id and (not active or role != Role.ADMIN):
        raise ServiceError(N_("You cannot remove your own administrator access."), "role")
    if user.role == Role.INTEGRATION:
        # What a system may read was approved by a second person for this organisation: moving
        # its account would change that without them. It may only be deactivated.
        if role != Role.INTEGRATION or organisation_id != user.organisation_id:
            raise ServiceError(
                N_(
                    "An integration account keeps its role and organisation; revoke its service "
                    "token and ask for a new one."
                ),
                "role",
            )
    else:
        _not_an_integration(role)
    with unit_of_work():
        user.role = Role(role)
        user.organisation_id = _organisation(organisation_id)
        if user.active and not active:
            user.session_generation += 1
            db.session.execute(
                update(UserSession)
                .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                .values(ended_at=utcnow())
            )
        user.active = active
    return user


def create_organisation(actor: User, *, name: str, kind: str, municipality: str | None) -> Organisation:
    _admin(actor)
    if kind not in set(OrgKind):
        raise ServiceError(N_("Not a kind of organisation."), "kind")
    return accounts.create_organisation(name, kind, (municipality or "").strip() or None)


def revoke_token(actor: User, token_id: int) -> ApiToken:
    _admin(actor)
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(N_("No such token."), "token_id")
    if row.revoked_at is None:
        with unit_of_work():
            row.revoked_at = utcnow()
    return row


def users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.name, User.id)))


__all__ = ["create_organisation", "create_user", "revoke_token", "update_user", "users"]

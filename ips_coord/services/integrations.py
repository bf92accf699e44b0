"""Organisations' system integrations: service tokens and webhook endpoints.

A service token belongs to an integration account: a staff_user row with the role
`integration` in the organisation, which the access policy relates to the organisation's cases
as its staff are related (policy._integration_relation). The account cannot log in (its
password is random and never shown) and is what the access log names for the system's reads;
each account has exactly one token, so every row it writes leads to the token's creator and
approver.

Four eyes, split knowledge (docs/integrations.md): the administrator's request makes the first
half of the token and shows it to the administrator; a second person (the privacy officer, or a
coordinator of the organisation the token acts for, never its creator) approves it, which makes
the second half and shows it to the approver. The integration is handed both halves and sends
them joined with a dot. Only the SHA-256 of each half is stored: neither person can use the
token alone, and nothing works before the approval.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from .. import egress
from ..access.audit import audit_service_token
from ..clock import utcnow
from ..extensions import db
from ..models import ApiToken, Organisation, User, WebhookDelivery, WebhookEndpoint
from ..workflows.phases import ChangeKind, OrgKind, Role, ServiceScope, WebhookStatus
from .accounts import TOKEN_PREFIX, hash_password, token_hash
from .changes import last_position
from .errors import N_, Forbidden, NotFound, ServiceError
from .unit_of_work import unit_of_work

INTEGRATION_ORG_KINDS = (OrgKind.IPS_TEAM, OrgKind.PSYCHIATRY, OrgKind.JOBCENTER)
MAX_TOKEN_DAYS = 730
HALF_SEPARATOR = "."  # never in token_urlsafe's alphabet


class TokenState:
    """Where a service token is in its life (shown to the admin and the privacy officer)."""

    PENDING = "pending"  # waiting for the second person
    ACTIVE = "active"
    REJECTED = "rejected"  # revoked before it was approved
    REVOKED = "revoked"
    EXPIRED = "expired"


def token_state(row: ApiToken) -> str:
    if row.revoked_at is not None:
        return TokenState.REVOKED if row.approved_at is not None else TokenState.REJECTED
    if row.expires_at <= utcnow():
        return TokenState.EXPIRED
    return TokenState.ACTIVE if row.approved_at is not None else TokenState.PENDING


def split_token(token: str) -> tuple[str, str | None]:
    """The creator's half and the approver's half (None when only one half was sent)."""
    first, sep, second = token.partition(HALF_SEPARATOR)
    return first, (second if sep else None)


def approval_matches(row: ApiToken, second_half: str | None) -> bool:
    """Whether a service token is approved and the approver's half was sent with the creator's."""
    if row.approved_at is None or row.approval_hash is None or not second_half:
        return False
    return hmac.compare_digest(row.approval_hash, token_hash(second_half))


def _log_token_event(actor: User, row: ApiToken, what: str) -> None:
    """Made, approved, rejected or revoked: a row the privacy officer's page lists, naming the person."""
    audit_service_token(actor, row.id, what)


def _organisation(organisation_id: int) -> Organisation:
    org = db.session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound(N_("No such organisation."), "organisation_id")
    if org.kind not in INTEGRATION_ORG_KINDS:
        raise ServiceError(
            N_("Only an IPS team, psychiatry or a jobcenter can have a system integration."), "organisation_id"
        )
    return org


def _scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    if not chosen:
        raise ServiceError(N_("Choose at least one permission."), "scopes")
    known = {s.value for s in ServiceScope}
    if not set(chosen) <= known:
        raise ServiceError(N_("Unknown permission."), "scopes")
    return chosen


def create_service_token(
    admin: User, organisation_id: int, name: str, scopes: Iterable[str], days: int
) -> tuple[str, ApiToken]:
    """An organisation's service token, waiting for approval, and its integration account. The
    creator's half of the token is returned once and never stored; alone it opens nothing."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(N_("The name must not be empty."), "name")
    if isinstance(days, bool) or not isinstance(days, int):
        raise ServiceError(N_("Give a whole number of days."), "days")
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise ServiceError(N_("A service token lasts from 1 to %(days)s days."), "days", days=MAX_TOKEN_DAYS)
    org = _organisation(organisation_id)
    chosen = _scopes(scopes)
    now = utcnow()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with unit_of_work():
        account = User(
            email=f"integration-{uuid.uuid4().hex[:16]}@service.invalid",
            name=f"{name} ({org.name})",
            role=Role.INTEGRATION,
            organisation_id=org.id,
            locale="en",
            active=True,
            password_hash=hash_password(secrets.token_urlsafe(32)),
            created_at=now,
        )
        db.session.add(account)
        db.session.flush()
        row = ApiToken(
            user_id=account.id,
            name=name,
            token_hash=token_hash(token),
            prefix=token[:12],
            created_at=now,
            expires_at=now + timedelta(days=days),
            scopes=chosen,
            created_by_id=admin.id,
        )
        db.session.add(row)
    _log_token_event(admin, row, "created")
    return token, row


def service_token(token_id: int) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is None or row.scopes is None:
        raise NotFound(N_("No such token."), "token_id")
    return row


def may_approve(user: User, row: ApiToken) -> bool:
    """The second person: the privacy officer, or an active coordinator of the organisation the
    token acts for; never the person who asked for it."""
    if not user.active or user.id == row.created_by_id:
        return False
    if user.role == Role.PRIVACY_OFFICER:
        return True
    return (
        user.role == Role.COORDINATOR
        and user.organisation_id is not None
        and user.organisation_id == row.user.organisation_id
    )


def awaiting_approval(user: User) -> list[ApiToken]:
    """The service tokens this user may approve or reject now, oldest first."""
    rows = db.session.scalars(
        select(ApiToken)
        .where(
            ApiToken.scopes.is_not(None),
            ApiToken.approved_at.is_(None),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > utcnow(),
        )
        .order_by(ApiToken.id)
    )
    return [row for row in rows if may_approve(user, row)]


def _pending_for(approver: User, token_id: int) -> ApiToken:
    row = service_token(token_id)
    if not may_approve(approver, row):
        if approver.id == row.created_by_id:
            raise Forbidden(N_("The person who asked for a service token cannot approve it."), "token_id")
        raise Forbidden(
            N_("Only the privacy officer or a coordinator of the organisation may approve this token."), "token_id"
        )
    if token_state(row) != TokenState.PENDING:
        raise ServiceError(N_("The token is not waiting for approval."), "token_id")
    return row


def approve_service_token(approver: User, token_id: int) -> tuple[str, ApiToken]:
    """The second person's approval: the approver's half of the token, returned once (they hand
    it to the integration; the administrator hands over the other half)."""
    row = _pending_for(approver, token_id)
    second = secrets.token_urlsafe(32)
    with unit_of_work():
        row.approval_hash = token_hash(second)
        row.approved_by_id = approver.id
        row.approved_at = utcnow()
    _log_token_event(approver, row, "approved")
    return second, row


def reject_service_token(approver: User, token_id: int) -> ApiToken:
    row = _pending_for(approver, token_id)
    with unit_of_work():
        row.revoked_at = utcnow()
        row.revoked_by_id = approver.id
    _log_token_event(approver, row, "rejected")
    return row


def revoke_service_token(token_id: int, actor: User | None = None) -> ApiToken:
    """Revoked at once: the next request with it is refused, and its webhooks stop."""
    row = service_token(token_id)
    if row.revoked_at is None:
        with unit_of_work():
            row.revoked_at = utcnow()
            row.revoked_by_id = actor.id if actor is not None else None
        if actor is not None:
            _log_token_event(actor, row, "revoked")
    return row


def check_webhook_url(url: str) -> str:
    """An address the egress guard lets through (ips_coord/egress.py): https to a public host on
    an allowed port; plain http and loopback only where the settings allow them (development)."""
    url = (url or "").strip()
    if len(url) > 500:
        raise ServiceError(N_("Give the endpoint as an https:// address."), "url")
    policy = egress.Policy.from_config(current_app.config)
    try:
        egress.check_url(url, policy)
    except egress.EgressRefused as exc:
        if exc.reason == "port":
            raise ServiceError(
                N_("The port is not allowed: give a port number from %(ports)s, or none."),
                "url",
                ports=", ".join(str(p) for p in sorted(policy.ports)),
            ) from None
        if exc.reason == "host":
            raise ServiceError(
                N_("The address must be a public host on the internet, not this machine or an internal network."), "url"
            ) from None
        raise ServiceError(N_("Give the endpoint as an https:// address."), "url") from None
    return url


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def register_webhook(admin: User, token_id: int, url: str, kinds: Iterable[str]) -> WebhookEndpoint:
    """An endpoint for an integration (its token decides what it may be told), from now on."""
    token = service_token(token_id)
    if ServiceScope.WEBHOOKS_RECEIVE not in (token.scopes or []):
        raise ServiceError(N_("The token lacks the permission to receive webhooks."), "token_id")
    if token_state(token) != TokenState.ACTIVE:
        raise ServiceError(N_("The token is not approved, or it is revoked or expired."), "token_id")
    chosen = sorted(set(kinds))
    if not chosen or not set(chosen) <= {k.value for k in ChangeKind}:
        raise ServiceError(N_("Choose at least one kind of change."), "kinds")
    url = check_webhook_url(url)
    account = db.session.get_one(User, token.user_id)
    with unit_of_work():
        row = WebhookEndpoint(
            organisation_id=account.organisation_id,
            token_id=token.id,
            url=url,
            kinds=chosen,
            secret=new_secret(),
            cursor=last_position(),
            created_at=utcnow(),
            created_by_id=admin.id,
        )
        db.session.add(row)
    return row


def webhook(endpoint_id: int) -> WebhookEndpoint:
    row = db.session.get(WebhookEndpoint, endpoint_id)
    if row is None:
        raise NotFound(N_("No such webhook."), "endpoint_id")
    return row


def disable_webhook(endpoint_id: int) -> WebhookEndpoint:
    row = webhook(endpoint_id)
    if row.disabled_at is None:
        with unit_of_work():
            row.disabled_at = utcnow()
    return row


def resend_delivery(delivery_id: int) -> WebhookDelivery:
    """Send again: the same delivery (same webhook-id, so the receiver can tell) goes back to due."""
    row = db.session.get(WebhookDelivery, delivery_id)
    if row is None:
        raise NotFound(N_("No such delivery."), "delivery_id")
    if row.status in (WebhookStatus.QUEUED, WebhookStatus.SENDING):
        raise ServiceError(N_("The delivery is being sent right now."), "delivery_id")
    with unit_of_work():
        db.session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == row.id)
            .values(
                status=WebhookStatus.PENDING,
                attempts=0,
                next_attempt_at=utcnow(),
                claimed_at=None,
                claim_token=None,
                last_error=None,
            )
        )
    db.session.refresh(row)
    return row


def service_tokens() -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.scopes.is_not(None)).order_by(ApiToken.id.desc())))


__all__ = [
    "TokenState",
    "approval_matches",
    "approve_service_token",
    "awaiting_approval",
    "check_webhook_url",
    "create_service_token",
    "disable_webhook",
    "may_approve",
    "new_secret",
    "register_webhook",
    "reject_service_token",
    "resend_delivery",
    "revoke_service_token",
    "service_token",
    "service_tokens",
    "split_token",
    "token_state",
    "webhook",
]

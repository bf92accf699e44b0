"""The admin's API for system integrations: service tokens, webhook endpoints, the delivery log."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..access.audit import audit_many, shows_no_citizen_data
from ..models import ApiToken, WebhookDelivery, WebhookEndpoint
from ..services import integrations as svc
from ..workflows.phases import AuditPart, ChangeKind, Role, ServiceScope, WebhookStatus
from .common import Extended, call_service, errors, paginate, require_login
from .fields import Id, OneOf, Text
from .schemas import PageArgs, page_of

blp = Blueprint(
    "api_integrations",
    __name__,
    description="System integrations (admin): service tokens, webhooks and their delivery log",
)
blp.before_request(require_login)


@blp.before_request
def _admin_only() -> None:
    if current_user.is_authenticated and current_user.role != Role.ADMIN:
        abort(403, message="Only an administrator manages system integrations.")


class ServiceTokenCreateSchema(Schema):
    organisation_id = Id(required=True)
    name = Text(max_length=100, min_length=1, required=True)
    scopes = fields.List(OneOf(ServiceScope), required=True, validate=validate.Length(min=1))
    days = fields.Integer(
        strict=True,
        validate=validate.Range(1, svc.MAX_TOKEN_DAYS),
        metadata={
            "description": "a whole number: the token stops working after this many days (default "
            "SERVICE_TOKEN_DAYS, 365)"
        },
    )


TOKEN_STATES = [
    svc.TokenState.PENDING,
    svc.TokenState.ACTIVE,
    svc.TokenState.REJECTED,
    svc.TokenState.REVOKED,
    svc.TokenState.EXPIRED,
]


class ServiceTokenSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    organisation_id = fields.Integer(required=True)
    account_id = fields.Integer(required=True, metadata={"description": "the integration account it acts as"})
    scopes = fields.List(OneOf(ServiceScope), required=True)
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True, required=True)
    revoked_at = fields.DateTime(allow_none=True, required=True)
    state = fields.String(
        required=True,
        validate=validate.OneOf(TOKEN_STATES),
        metadata={"description": "pending (waiting for the second person), active, rejected, revoked or expired"},
    )
    created_by_id = fields.Integer(allow_none=True, required=True, metadata={"description": "who asked for it"})
    approved_by_id = fields.Integer(allow_none=True, required=True, metadata={"description": "who approved it"})
    approved_at = fields.DateTime(allow_none=True, required=True)
    token = fields.String(
        metadata={
            "description": "the creator's half of the token, returned only when created; it works only after the "
            "approval, joined with the approver's half: <creator's half>.<approver's half>"
        }
    )
    approver_half = fields.String(
        metadata={"description": "the approver's half of the token, returned only to the approver when approved"}
    )


def _token_view(row: ApiToken, **extra: object) -> Extended:
    return Extended(
        row, organisation_id=row.user.organisation_id, account_id=row.user_id, state=svc.token_state(row), **extra
    )


@blp.route("/admin/service-tokens")
@shows_no_citizen_data  # tokens of organisations, never a citizen
class ServiceTokens(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(ServiceTokenSchema))
    @errors(blp, 401, 403)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The organisations' service tokens, newest first (never the token itself)"""
        page = paginate(select(ApiToken).where(ApiToken.scopes.is_not(None)), args, (ApiToken.id.desc(),))
        page["items"] = [_token_view(t) for t in page["items"]]
        return page

    @blp.arguments(ServiceTokenCreateSchema)
    @blp.response(201, ServiceTokenSchema)
    @errors(blp, 400, 401, 403, 404, 422)
    def post(self, data: dict[str, Any]) -> Extended:
        """Ask for a service token for an organisation's system: it waits for a second person's approval.
        The response is the only time the creator's half of the token is shown; alone it opens nothing"""
        token, row = call_service(
            svc.create_service_token,
            current_user,
            data["organisation_id"],
            data["name"],
            data["scopes"],
            data.get("days") or current_app.config["SERVICE_TOKEN_DAYS"],
        )
        return _token_view(row, token=token)


@blp.route("/admin/service-tokens/<id:token_id>")
class ServiceTokenDetail(MethodView):
    @blp.response(200, ServiceTokenSchema)
    @errors(blp, 401, 403, 404)
    def delete(self, token_id: int) -> Extended:
        """Revoke a service token: refused from the next request on, and its webhooks stop"""
        return _token_view(call_service(svc.revoke_service_token, token_id, current_user._get_current_object()))


# --- The second person: approving or rejecting a service token ------------------------------
approvals = Blueprint(
    "api_token_approvals",
    __name__,
    description="Service tokens waiting for a second person (the privacy officer or a "
    "coordinator of the token's organisation)",
)
approvals.before_request(require_login)


@approvals.before_request
def _approvers_only() -> None:
    if current_user.is_authenticated and current_user.role not in (Role.PRIVACY_OFFICER, Role.COORDINATOR):
        abort(403, message="Only the privacy officer or a coordinator approves service tokens.")


class ApprovalSchema(Schema):
    decision = fields.String(
        required=True,
        validate=validate.OneOf(["approve", "reject"]),
        metadata={"description": "approve (the response carries the approver's half of the token, once) or reject"},
    )


@approvals.route("/service-token-approvals")
@shows_no_citizen_data  # tokens of organisations, never a citizen
class PendingTokens(MethodView):
    @approvals.arguments(PageArgs, location="query")
    @approvals.response(200, page_of(ServiceTokenSchema))
    @errors(approvals, 401, 403)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The service tokens you may approve or reject, oldest first"""
        ids = [row.id for row in svc.awaiting_approval(current_user)]
        page = paginate(select(ApiToken).where(ApiToken.id.in_(ids)), args, (ApiToken.id,))
        page["items"] = [_token_view(t) for t in page["items"]]
        return page


@approvals.route("/service-token-approvals/<id:token_id>")
class TokenApproval(MethodView):
    @approvals.arguments(ApprovalSchema)
    @approvals.response(200, ServiceTokenSchema)
    @errors(approvals, 400, 401, 403, 404, 422)
    def post(self, data: dict[str, Any], token_id: int) -> Extended:
        """Approve (you get the approver's half of the token, this once: hand it to the integration) or reject"""
        approver = current_user._get_current_object()
        if data["decision"] == "reject":
            return _token_view(call_service(svc.reject_service_token, approver, token_id))
        half, row = call_service(svc.approve_service_token, approver, token_id)
        return _token_view(row, approver_half=half)


class WebhookCreateSchema(Schema):
    token_id = Id(
        required=True,
        metadata={
            "description": "the service token (scope webhooks:receive) whose access decides what the endpoint is told"
        },
    )
    url = Text(
        max_length=500,
        min_length=1,
        required=True,
        metadata={
            "description": "https://... to a public host on an allowed port (443 by default); plain http:// and "
            "loopback addresses only where the server allows them (development)"
        },
    )
    kinds = fields.List(OneOf(ChangeKind), required=True, validate=validate.Length(min=1))


class WebhookSchema(Schema):
    id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    token_id = fields.Integer(required=True)
    url = fields.String(required=True)
    kinds = fields.List(OneOf(ChangeKind), required=True)
    cursor = fields.Integer(required=True, metadata={"description": "the last change fanned out to it"})
    created_at = fields.DateTime(required=True)
    disabled_at = fields.DateTime(allow_none=True, required=True)
    secret = fields.String(metadata={"description": "the signing secret (whsec_...), returned only when created"})


@blp.route("/admin/webhooks")
@shows_no_citizen_data  # endpoints of organisations, never a citizen
class Webhooks(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(WebhookSchema))
    @errors(blp, 401, 403)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Registered webhook endpoints (never their secret)"""
        page = paginate(select(WebhookEndpoint), args, (WebhookEndpoint.id.desc(),))
        page["items"] = [Extended(e, secret=None) for e in page["items"]]
        return page

    @blp.arguments(WebhookCreateSchema)
    @blp.response(201, WebhookSchema)
    @errors(blp, 400, 401, 403, 404, 422)
    def post(self, data: dict[str, Any]) -> WebhookEndpoint:
        """Register an endpoint for the changes from now on; the response is the only time the secret is shown"""
        return call_service(svc.register_webhook, current_user, data["token_id"], data["url"], data["kinds"])


@blp.route("/admin/webhooks/<id:endpoint_id>")
class WebhookDetail(MethodView):
    @blp.response(200, WebhookSchema)
    @errors(blp, 401, 403, 404)
    def delete(self, endpoint_id: int) -> Extended:
        """Disable an endpoint: nothing more is fanned out to it"""
        return Extended(call_service(svc.disable_webhook, endpoint_id), secret=None)


class DeliveryArgs(PageArgs):
    endpoint_id = Id(strict=False)
    status = fields.String(validate=validate.OneOf([s.value for s in WebhookStatus]))


class DeliverySchema(Schema):
    id = fields.Integer(required=True, metadata={"description": "sent as webhook-id whd_<id>"})
    endpoint_id = fields.Integer(required=True)
    change_id = fields.Integer(required=True, metadata={"description": "the change feed cursor of the change"})
    case_id = fields.Integer(required=True)
    kind = OneOf(ChangeKind, required=True)
    status = OneOf(WebhookStatus, required=True)
    attempts = fields.Integer(required=True)
    next_attempt_at = fields.DateTime(required=True)
    sent_at = fields.DateTime(allow_none=True, required=True)
    last_status = fields.Integer(allow_none=True, required=True, metadata={"description": "the receiver's HTTP status"})
    last_error = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)


@blp.route("/admin/webhook-deliveries")
class Deliveries(MethodView):
    @blp.arguments(DeliveryArgs, location="query")
    @blp.response(200, page_of(DeliverySchema))
    @errors(blp, 401, 403, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The delivery log, newest first (references only: case id, kind, status)"""
        query = select(WebhookDelivery)
        if "endpoint_id" in args:
            query = query.where(WebhookDelivery.endpoint_id == args["endpoint_id"])
        if "status" in args:
            query = query.where(WebhookDelivery.status == args["status"])
        page = paginate(query, args, (WebhookDelivery.id.desc(),))
        audit_many(current_user, {d.case_id for d in page["items"]}, AuditPart.WEBHOOK_DELIVERY)
        return page


@blp.route("/admin/webhook-deliveries/<id:delivery_id>/resend")
class DeliveryResend(MethodView):
    @blp.response(200, DeliverySchema)
    @errors(blp, 400, 401, 403, 404)
    def post(self, delivery_id: int) -> WebhookDelivery:
        """Send again: the same delivery (same webhook-id) goes back to due at once"""
        return call_service(svc.resend_delivery, delivery_id)

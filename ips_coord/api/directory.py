"""Who is who, for other systems: the staff directory (to name a case's psychiatry contact or
caseworker) and the caller's own account and token."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from ..access.audit import shows_no_citizen_data
from ..extensions import db
from ..models import ApiToken, Organisation, User
from ..workflows.phases import OrgKind, Role, ServiceScope
from .common import errors, paginate, require_login
from .fields import OneOf
from .schemas import PageArgs, page_of

blp = Blueprint("api_directory", __name__, description="The staff directory and who you are")
blp.before_request(require_login)


class StaffArgs(PageArgs):
    role = fields.String(validate=validate.OneOf([r.value for r in Role if r != Role.INTEGRATION]))
    organisation_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class OrganisationRefSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = OneOf(OrgKind, required=True)


class StaffSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = OneOf(Role, required=True)
    organisation = fields.Nested(OrganisationRefSchema, allow_none=True, required=True)


@blp.route("/staff")
@shows_no_citizen_data  # staff names and organisations
class Staff(MethodView):
    @blp.arguments(StaffArgs, location="query")
    @blp.response(200, page_of(StaffSchema))
    @errors(blp, 401, 403, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """The staff directory: active staff by name, role and organisation

        What an integrator needs to name the psychiatry contact or the caseworker at enrolment.
        Names, roles and organisations only: no e-mail addresses, no cases, no system accounts."""
        query = (
            select(User)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(User.active, User.role != Role.INTEGRATION)
        )
        if "role" in args:
            query = query.where(User.role == args["role"])
        if "organisation_id" in args:
            query = query.where(User.organisation_id == args["organisation_id"])
        return paginate(query, args, (User.name, User.id))


class TokenInfoSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    service = fields.Boolean(required=True, metadata={"description": "an organisation's service token"})
    scopes = fields.List(
        OneOf(ServiceScope),
        allow_none=True,
        required=True,
        metadata={"description": "a service token's scopes; null for a personal token"},
    )
    expires_at = fields.DateTime(required=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    role = OneOf(Role, required=True)
    organisation = fields.Nested(OrganisationRefSchema, allow_none=True, required=True)
    locale = fields.String(required=True)
    token = fields.Nested(
        TokenInfoSchema,
        allow_none=True,
        required=True,
        metadata={"description": "the token of this request; null for a browser session"},
    )


@blp.route("/me")
@shows_no_citizen_data  # the caller's own account
class Me(MethodView):
    @blp.response(200, MeSchema)
    @errors(blp, 401)
    def get(self) -> dict[str, Any]:
        """Who you are: your account, your organisation and, with a token, its scopes and expiry"""
        token = None
        if g.get("token_id") is not None:
            found = db.session.get(ApiToken, g.token_id)
            if found is not None:
                token = {
                    "id": found.id,
                    "name": found.name,
                    "service": found.scopes is not None,
                    "scopes": found.scopes,
                    "expires_at": found.expires_at,
                }
        user = current_user
        return {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "organisation": user.organisation,
            "locale": user.locale,
            "token": token,
        }

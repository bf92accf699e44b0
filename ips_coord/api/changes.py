"""The change feed: what changed on the cases the caller may see, in commit order, from a cursor."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from ..access.audit import audit_pairs
from ..access.feed import FeedPage, read_changes
from ..workflows.phases import ChangeAction, ChangeKind, Part
from .common import errors, require_login
from .fields import OneOf
from .schemas import PAGE_SIZE_MAX, CaseEventSchema

blp = Blueprint("api_changes", __name__, description="The change feed: what changed on your cases, from a cursor")
blp.before_request(require_login)

MAX_CURSOR = 2**63 - 1


class ChangesArgs(Schema):
    since = fields.Integer(
        load_default=0,
        validate=validate.Range(0, MAX_CURSOR),
        metadata={"description": "the `next_cursor` of the previous page (0 or left out: from the beginning)"},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(1, PAGE_SIZE_MAX))
    kind = fields.List(
        fields.String(validate=validate.OneOf([k.value for k in ChangeKind])),
        metadata={"description": "only these kinds of change (repeat the parameter)"},
    )


class ChangeSchema(Schema):
    cursor = fields.Integer(required=True, metadata={"description": "this change's position in the feed"})
    case_id = fields.Integer(required=True)
    case_reference = fields.String(required=True, metadata={"example": "IPS-000042"})
    kind = OneOf(ChangeKind, required=True)
    part = OneOf(Part, required=True, metadata={"description": "the part of the case record the change belongs to"})
    entity_id = fields.Integer(required=True, metadata={"description": "the id of the changed record of that kind"})
    action = OneOf(ChangeAction, required=True)
    changed_at = fields.DateTime(required=True)
    event = fields.Nested(
        CaseEventSchema,
        allow_none=True,
        required=True,
        metadata={"description": "for a case_event, the event as you may see it; null otherwise"},
    )


class ChangePageSchema(Schema):
    items = fields.List(fields.Nested(ChangeSchema), required=True)
    next_cursor = fields.Integer(
        required=True, metadata={"description": "pass as `since` for the next page; store it to resume after a restart"}
    )
    has_more = fields.Boolean(required=True, metadata={"description": "more changes are there to read now"})


@blp.route("/changes")
class Changes(MethodView):
    @blp.arguments(ChangesArgs, location="query")
    @blp.response(200, ChangePageSchema)
    @errors(blp, 401, 403, 422)
    def get(self, args: dict[str, Any]) -> FeedPage:
        """What changed on the cases you may see, oldest first, from a cursor

        Case events, records and consents of the cases you relate to, each only if you may read
        the part it belongs to today (role, relation and the citizen's live consents). Read
        pages until `has_more` is false, keep `next_cursor`, and ask again later with
        `since=<next_cursor>`: every change comes exactly once, in order, including changes
        made while you page."""
        page = read_changes(current_user, args["since"], args["limit"], args.get("kind"))
        audit_pairs(current_user, page.shown())
        return page

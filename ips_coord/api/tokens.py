from typing import Any

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from ..auth import create_token
from ..models import ApiToken
from ..services import ServiceError, accounts
from .common import Extended, check_case_access, errors, paginate, require_login, service_error
from .schemas import PageArgs, TokenCreateSchema, TokenSchema, page_of
from .shapes import input_of, output

blp = Blueprint("api_tokens", __name__, description="Your personal API tokens")
blp.before_request(require_login)
blp.before_request(check_case_access)


@blp.route("/tokens")
class Tokens(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_of(TokenSchema))
    @errors(blp, 401)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Your tokens (never the token itself)"""
        return paginate(select(ApiToken).where(ApiToken.user_id == current_user.id), args, (ApiToken.id,))

    @blp.arguments(input_of(TokenCreateSchema))
    @blp.response(201, output(TokenSchema))
    @errors(blp, 400, 401, 403)
    def post(self, data: dict[str, Any]) -> Extended:
        """Create a token (from a logged-in session only); the response is the only time it is shown"""
        if request.headers.get("Authorization", "").startswith("Bearer "):
            # A stolen token must not be able to mint longer-lived or unrevoked copies of itself.
            abort(403, message="A token cannot create tokens. Log in to create one.")
        token, row = create_token(current_user, data["name"])
        return Extended(row, token=token)


@blp.route("/tokens/<id:token_id>")
class TokenDetail(MethodView):
    @blp.response(200, output(TokenSchema))
    @errors(blp, 401, 404)
    def delete(self, token_id: int) -> ApiToken:
        """Revoke a token"""
        try:
            return accounts.revoke_token(current_user, token_id)
        except ServiceError as exc:
            service_error(exc)

"""REST API /api/v1 (flask-smorest + marshmallow); OpenAPI at /api/openapi.json."""
from flask import Flask

from ..extensions import api, csrf
from .errors import ErrorSchema


def register_api(app: Flask) -> None:
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app, spec_kwargs={
        "info": {"description": "The shared IPS case record. Authenticate with the web session or a personal "
                                "token: Authorization: Bearer <token>."},
        "components": {"securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer"},
            "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "session"},
        }},
        "security": [{"bearerAuth": []}, {"cookieAuth": []}],
    })
    from ..urls import IdConverter

    api.register_converter(IdConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
    from .case_parts import blp as case_parts_blp
    from .cases import blp as cases_blp
    from .citizens import blp as citizens_blp
    from .employers import blp as employers_blp
    from .plan import blp as plan_blp
    from .tokens import blp as tokens_blp

    for blp in (citizens_blp, cases_blp, case_parts_blp, plan_blp, tokens_blp, employers_blp):
        csrf.exempt(blp)  # session writes are checked in require_login; tokens need no CSRF
        api.register_blueprint(blp, url_prefix="/api/v1")
    register_sync_api(app)


def register_sync_api(app: Flask) -> None:
    """The change feed, staff directory, /me, service-token scopes and the integrations admin."""
    from .integrations import blp as integrations_blp
    from .scopes import register_scopes
    from .sync import blp as sync_blp

    register_scopes(app)
    for blp in (sync_blp, integrations_blp):
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix="/api/v1")

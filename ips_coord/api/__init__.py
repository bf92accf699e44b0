"""REST API /api/v1 (flask-smorest + marshmallow); OpenAPI at /api/openapi.json.

What every endpoint shares is installed here once: the problem+json errors (errors.py), the
headers and retries (http.py) and what the document says about them (contract.py). A new
blueprint only needs adding to BLUEPRINTS' loop below."""

from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from ..extensions import api, csrf
from .contract import ContractPlugin, openapi_metadata
from .errors import ErrorSchema
from .http import install
from .shapes import ShapePlugin, schema_name

DESCRIPTION = """The shared IPS case record.

**Authentication.** A personal token (`Authorization: Bearer <token>`), or the web session's
cookie; a write with the cookie must send the page's CSRF token in the `X-CSRFToken` header.

**Errors** are RFC 9457 problem details (`application/problem+json`): `type`, `title`,
`status`, `detail`, and `code`, `errors` (field -> messages; every field error is 422),
`refusal_code` (a workflow refusal: the IPS principle the request would break) and
`current_version` (409). `Accept-Language: en` gives English messages, Danish otherwise.

**Versions.** Every write to a case raises the case's version, also a logged contact or
review. Every answer about one case carries the version after the request (`ETag: "7"` and
`Case-Version: 7`): use it for the next write, as the body's `version` of a transition or as
`If-Match`; a stale version either way is 409 `stale_version` with `current_version`.

**Retries.** Send `Idempotency-Key` with a POST: a retry with the same key and body within 24 hours
returns the first answer (`Idempotent-Replayed: true`) instead of a second row.

**Lists** are paginated (`page`, `page_size` up to 200) with `Link` and `X-Total-Count`
headers; a page past the last is 404 `page_out_of_range`. **Rate limit**: per token (or session
or address), shown in the `RateLimit-*` headers; over it, 429 with `Retry-After`.

**Dates and times.** Dates lie between 1990-01-01 and 2100-12-31. A date-time without an offset
is read as UTC; answers are in UTC with an offset. Times of things that happened (a contact, a
review) may not lie in the future."""


def register_api(app: Flask) -> None:
    api.ERROR_SCHEMA = ErrorSchema
    install(app)
    api.init_app(
        app,
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name),
            "extra_plugins": [ContractPlugin(app), ShapePlugin()],
            "info": {"description": DESCRIPTION, "contact": {"name": "ips-coord", "url": app.config["BASE_URL"]}},
            "servers": [{"url": app.config["BASE_URL"], "description": "this installation"}],
            "components": {
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal API token (Authorization: Bearer <token>).",
                    },
                    "cookieAuth": {
                        "type": "apiKey",
                        "in": "cookie",
                        "name": "session",
                        "description": "The web session; writes also need the X-CSRFToken header.",
                    },
                }
            },
            "security": [{"bearerAuth": []}, {"cookieAuth": []}],
        },
    )
    api.ma_plugin.converter.add_attribute_function(openapi_metadata)
    # The shapes go first: they choose the schemas that the marshmallow plugin then turns into components.
    plugins = api.spec.plugins
    plugins.insert(0, plugins.pop())
    # flask-smorest's own pagination metadata is not used (pages carry theirs in the body and Link).
    api.spec.components.schemas.pop("PaginationMetadataInput", None)
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
    from .changes import blp as changes_blp
    from .directory import blp as directory_blp
    from .integrations import approvals as approvals_blp
    from .integrations import blp as integrations_blp
    from .scopes import register_scopes

    register_scopes(app)
    for blp in (changes_blp, directory_blp, integrations_blp, approvals_blp):
        csrf.exempt(blp)
        api.register_blueprint(blp, url_prefix="/api/v1")

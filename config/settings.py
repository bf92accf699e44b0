"""The settings an operator sets: each declared once, with its type, default and what it decides.

`Settings` reads them from the environment (an empty variable counts as unset) on top of the
defaults of the environment IPS_ENV names (`ENVIRONMENTS`); pydantic checks each one's type and
range. What crosses settings (production's requirements, the lease against the longest send) is
checked in `config.validate`. docs/operations.md carries the table `settings_table()` writes
(`python -m config --write-docs`; a test keeps the two equal).
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import BeforeValidator, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_SECRET_KEY = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names it."""


def _comma_separated(value: object) -> object:
    """EGRESS_PORTS=443, 8443 (not JSON, as pydantic-settings would otherwise expect)."""
    if isinstance(value, str):
        return tuple(part for part in value.replace(" ", "").split(",") if part)
    return value


Ports = Annotated[
    tuple[Annotated[int, Field(ge=1, le=65535)], ...], NoDecode, BeforeValidator(_comma_separated), Field(min_length=1)
]
Positive = Annotated[int, Field(ge=1)]
Hour = Annotated[int, Field(ge=0, le=23)]


class Settings(BaseSettings):
    # One variable per setting: one read as DATABASE_URL is not also read under Flask's name for it.
    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True)

    # --- Where it runs -------------------------------------------------------------------------
    SECRET_KEY: str = Field(
        DEFAULT_SECRET_KEY,
        description=(
            "Signs sessions, CSRF tokens and the e-mailed links, and seals the secrets in the outbox; production needs "
            "32 random characters or more, and a new one logs everyone out and voids the links already sent."
        ),
    )
    SQLALCHEMY_DATABASE_URI: str | None = Field(
        None,
        validation_alias="DATABASE_URL",
        description=(
            "The database: `postgresql+psycopg://...` (required in production); unset, SQLite in the instance folder."
        ),
    )
    REDIS_URL: str | None = Field(
        None,
        description=(
            "The Celery broker and the rate limiter's storage (`redis://` or `rediss://`); unset, a filesystem "
            "broker in the instance folder and counts in memory: fine for one machine, not for several."
        ),
    )
    BASE_URL: str | None = Field(
        "http://127.0.0.1:5000",
        description=(
            "The public address every link starts with (e-mails, calendar feeds, the API document), like "
            "`https://ips.example.dk`; required in production, and `make run` sets it to where it listens."
        ),
    )
    PROXY_HOPS: int = Field(
        0, ge=0, description=("Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0: none).")
    )
    MAX_CONTENT_LENGTH: Positive = Field(1024 * 1024, description="The largest request body accepted, in bytes.")

    # --- E-mail --------------------------------------------------------------------------------
    SMTP_HOST: str | None = Field(
        None,
        description=(
            "The mail server (required in production); unset, each e-mail is written to the instance's `mailbox/`."
        ),
    )
    SMTP_PORT: int = Field(25, ge=1, le=65535, description="The mail server's port.")
    SMTP_USERNAME: str | None = Field(None, description="The mail server's user, if it wants one.")
    SMTP_PASSWORD: str | None = Field(None, description="The mail server's password, if it wants one.")
    SMTP_STARTTLS: bool = Field(False, description="Whether to start TLS on the mail server's connection.")
    MAIL_FROM: str = Field("ips-coord@localhost", description="The sender of every e-mail.")
    SMTP_TIMEOUT_SECONDS: float = Field(
        10.0, gt=0, description=("The mail server's time to connect and to answer each command.")
    )
    SMTP_DATA_END_TIMEOUT_SECONDS: float = Field(
        600.0,
        gt=0,
        description=(
            'The mail server\'s time to answer the final "." (RFC 5321 allows 10 minutes); later, the message '
            "may have been delivered."
        ),
    )

    # --- The outbox ----------------------------------------------------------------------------
    SWEEP_INTERVAL_SECONDS: float = Field(60.0, gt=0, description="How often the beat wakes the delivery sweep.")
    SWEEP_BATCH: Positive = Field(500, description="Outbox rows one sweep claims at most.")
    NOTIFY_MAX_ATTEMPTS: Positive = Field(6, description="Attempts at an e-mail before it is failed.")
    NOTIFY_BACKOFF_SECONDS: float = Field(
        60.0, ge=0, description=("The pause after an e-mail's first failed attempt, doubling with each further one.")
    )
    CLAIM_TIMEOUT_SECONDS: float = Field(
        900.0,
        gt=0,
        description=(
            "A worker's lease on a claimed row, after which another worker may take it; at least the longest send "
            "(10 x SMTP_TIMEOUT_SECONDS + SMTP_DATA_END_TIMEOUT_SECONDS)."
        ),
    )
    MAYBE_DELIVERED_RETRY_SECONDS: float = Field(
        21600.0,
        ge=0,
        description=(
            "The pause before the one more attempt of a message whose answer came after its timeout; late again, "
            "it is recorded as uncertain."
        ),
    )
    DELIVERY_WAKE: bool = Field(
        True,
        description=("Wake a worker at once after queuing an e-mail someone waits for (a sign-in code, a reset link)."),
    )
    WEBHOOK_MAX_ATTEMPTS: Positive = Field(8, description="Attempts at a webhook before it is failed.")
    WEBHOOK_BACKOFF_SECONDS: float = Field(
        30.0, ge=0, description=("The pause after a webhook's first failed attempt, doubling with each further one.")
    )
    WEBHOOK_TIMEOUT_SECONDS: float = Field(10.0, gt=0, description="A webhook receiver's time to connect and answer.")
    SERVICE_TOKEN_DAYS: Positive = Field(
        365, description=("An organisation's service token expires after this by default.")
    )
    EGRESS_PORTS: Ports = Field(
        (443,),
        description=(
            "The ports every outbound HTTP request (webhooks) may use, comma-separated; always `https`, always to "
            "public addresses."
        ),
    )
    EGRESS_ALLOW_LOOPBACK: bool = Field(
        False,
        description=(
            "Lets `http://` and any port through to loopback addresses (receivers on the same machine); refused in "
            "production."
        ),
    )
    DIGEST_HOUR_UTC: Hour = Field(
        5,
        description=(
            "The daily digest of due and overdue follow-ups goes at the first sweep after this UTC hour "
            "(`make run`: 0)."
        ),
    )
    ACK_LINK_MAX_AGE_DAYS: Positive = Field(14, description="Psychiatry's acknowledge link works this many days.")

    # --- Sign-in and the API -------------------------------------------------------------------
    SESSION_IDLE_MINUTES: Positive = Field(30, description="A session ends after this long without a request.")
    LOGIN_FREE_FAILURES: int = Field(
        5, ge=0, description=("Wrong passwords in a row before an account waits LOGIN_DELAY_SECONDS.")
    )
    LOGIN_DELAY_SECONDS: Positive = Field(
        30, description=("The first wait after too many wrong passwords, doubling with each further one.")
    )
    LOGIN_DELAY_MAX_SECONDS: Positive = Field(900, description="The longest wait after wrong passwords.")
    LOGIN_LIMIT_ADDRESS: str = Field(
        "50 per 15 minutes", description=("Failed logins allowed per client address (Flask-Limiter notation).")
    )
    SIGN_IN_MIN_SECONDS: float = Field(
        0.4,
        ge=0,
        description=(
            "The pages that e-mail a sign-in code or a password link answer no sooner, so an address on record and an "
            "unknown one take the same time."
        ),
    )
    API_RATE_LIMIT: str = Field(
        "1200 per minute",
        description=(
            "Requests per API token (or session user, or address), across the whole API, before 429 "
            "(the `limits` notation, as Flask-Limiter's)."
        ),
    )
    API_TOKEN_DAYS: Positive = Field(90, description="A personal API token expires after this many days.")
    TOKEN_LAST_USED_MINUTES: Positive = Field(15, description="A token's last use is recorded at most this often.")
    IDEMPOTENCY_KEY_HOURS: Positive = Field(24, description="How long a POST's Idempotency-Key is remembered.")

    # --- Citizens' and staff's sign-in through OpenID Connect, the CPR number ---------------------
    CITIZEN_AUTH: Literal["email_code", "oidc"] = Field(
        "email_code",
        description=(
            "How citizens sign in: a one-time code by e-mail, or a national identity provider (MitID) through an "
            "OpenID Connect broker."
        ),
    )
    OIDC_CLIENT_ID: str | None = Field(None, description="The broker's client id (required with CITIZEN_AUTH=oidc).")
    OIDC_CLIENT_SECRET: str | None = Field(
        None, description=("The broker's client secret (required with CITIZEN_AUTH=oidc).")
    )
    OIDC_METADATA_URL: str | None = Field(
        None, description=("The broker's `.well-known/openid-configuration` (required with CITIZEN_AUTH=oidc).")
    )
    OIDC_SCOPE: str = Field(
        "openid", description=("`openid` plus the scope under which the broker releases the CPR number.")
    )
    OIDC_CPR_CLAIM: str = Field(
        "dk:gov:saml:attribute:CprNumberIdentifier", description=("The claim that carries the CPR number.")
    )
    OIDC_CPR_VERIFIED_CLAIM: str | None = Field(
        "cpr_verified",
        description=("The claim that says whether the CPR number is verified; anything but true refuses the sign-in."),
    )
    OIDC_CPR_VERIFIED_REQUIRED: bool = Field(
        False, description=("Refuse a sign-in whose token lacks OIDC_CPR_VERIFIED_CLAIM.")
    )
    CPR_KEYS: str | None = Field(
        None,
        description=(
            "Comma-separated Fernet keys sealing the CPR number: the first seals, every one opens; unset, derived "
            "from SECRET_KEY."
        ),
    )
    CPR_HMAC_KEY: str | None = Field(
        None,
        description=(
            "The key of the CPR number's look-up hash; unset, derived from SECRET_KEY. Keep it: a new one "
            "finds no stored number."
        ),
    )
    STAFF_OIDC_METADATA_URL: str | None = Field(
        None,
        description=(
            "The organisation's OpenID Connect provider for staff sign-in; unset, staff sign in with passwords only."
        ),
    )
    STAFF_OIDC_CLIENT_ID: str | None = Field(None, description="The staff provider's client id.")
    STAFF_OIDC_CLIENT_SECRET: str | None = Field(None, description="The staff provider's client secret.")
    STAFF_OIDC_SCOPE: str = Field("openid", description="`openid` plus what releases the groups.")
    STAFF_OIDC_GROUPS_CLAIM: str = Field("groups", description="The claim that lists a staff member's groups.")
    STAFF_OIDC_GROUPS: str | None = Field(
        None, description=("A JSON list of {group, role, organisation}: which group gives which role where.")
    )
    LOCAL_PASSWORDS: bool = Field(
        True, description=("Whether staff may sign in with a password; false needs STAFF_OIDC_METADATA_URL.")
    )

    # --- Retention, figures, reviews -----------------------------------------------------------
    RETENTION_CLOSED_CASE_YEARS: Positive = Field(
        5, description=("Closed cases are anonymised this many years after closing.")
    )
    ACCESS_LOG_RETENTION_MONTHS: Positive = Field(
        60, description=("Access-log months older than this are dropped whole.")
    )
    NOTIFICATION_RETENTION_MONTHS: Positive = Field(
        24, description=("Settled notifications older than this are dropped whole.")
    )
    RETENTION_HOUR_UTC: Hour = Field(2, description="The daily retention run's UTC hour.")
    ROLLUP_MINUTES: Positive = Field(5, description="The worker computes the country overview's figures this often.")
    ROLLUP_MAX_AGE_MINUTES: Positive = Field(
        30,
        description=(
            "Figures older than this (the worker is down) are computed by the page itself; more than ROLLUP_MINUTES."
        ),
    )
    FIDELITY_REVIEW_MONTHS_GOOD: Positive = Field(
        12, description=("The next IPS-25 fidelity review falls due this long after one at good or exemplary fidelity.")
    )
    FIDELITY_REVIEW_MONTHS_OTHER: Positive = Field(
        6, description=("The next IPS-25 fidelity review falls due this long after one below good fidelity.")
    )

    # --- Tests only ----------------------------------------------------------------------------
    CLOCK_FILE: str | None = Field(
        None, description=('Tests and demos: read "now" from this file; refused in production.')
    )
    FAILPOINTS: str | None = Field(
        None,
        validation_alias="IPS_FAILPOINTS",
        description=(
            "Tests: named crash points of the delivery (`point:mode`, comma-separated); refused in production."
        ),
    )
    FAILPOINTS_DIR: str | None = Field(
        None, validation_alias="IPS_FAILPOINTS_DIR", description=("Tests: where the crash points note that they fired.")
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the defaults of IPS_ENV's environment (given as arguments).
        return env_settings, init_settings

    @field_validator("SQLALCHEMY_DATABASE_URI")
    @classmethod
    def _database_url(cls, url: str | None) -> str | None:
        if url is None:
            return None
        scheme = urlparse(url).scheme
        if scheme in ("postgres", "postgresql"):
            # Be explicit about the driver we ship (psycopg 3).
            return "postgresql+psycopg" + url[len(scheme) :]
        if not (scheme.startswith("postgresql+") or scheme.startswith("sqlite")):
            raise ValueError(f"must be a postgresql+psycopg:// or sqlite:// URL, got scheme {scheme!r}")
        return url

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, url: str | None) -> str | None:
        if url is not None and urlparse(url).scheme not in {"redis", "rediss"}:
            raise ValueError(f"must start with redis:// or rediss://, got {url!r}")
        return url

    @field_validator("BASE_URL")
    @classmethod
    def _base_url(cls, url: str | None) -> str | None:
        """An absolute http(s) address without a trailing slash (paths are added to it)."""
        if url is None:
            return None
        parsed = urlparse(url.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
            raise ValueError(f"must be the public address, like https://ips.example.dk, got {url!r}")
        return url.strip().rstrip("/")

    @field_validator("API_RATE_LIMIT", "LOGIN_LIMIT_ADDRESS")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        from limits import parse_many

        try:
            limits = parse_many(value)
        except ValueError:
            limits = []
        if not limits or any(limit.amount < 1 for limit in limits):
            raise ValueError(f"must read like '1200 per minute' (at least 1), got {value!r}")
        return value


# Each environment's own defaults: `settings` are defaults the environment variables still
# override; `fixed` are Flask's and the extensions' settings, not read from the environment.
ENVIRONMENTS: dict[str, dict[str, dict[str, Any]]] = {
    "development": {
        "settings": {"EGRESS_ALLOW_LOOPBACK": True},  # the demo's webhook receiver runs on 127.0.0.1
        "fixed": {},
    },
    "testing": {
        "settings": {
            "SECRET_KEY": "testing-secret",
            # Tests deliver in-process; nothing consumes their broker.
            "DELIVERY_WAKE": False,
            "EGRESS_ALLOW_LOOPBACK": True,  # the tests' webhook receivers run on 127.0.0.1
            # Generated requests (schemathesis) come fast from one token; the limit's own test lowers it.
            "API_RATE_LIMIT": "100000 per minute",
            # Tests sign citizens in hundreds of times; the floor's own test raises it.
            "SIGN_IN_MIN_SECONDS": 0.01,
        },
        "fixed": {
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            # Tests log in thousands of times; scrypt at 1/32 of the cost (N=2^10) keeps each check at a
            # few ms. The check code is the same; a stored hash names its own cost.
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        },
    },
    "production": {
        "settings": {"BASE_URL": None},  # no default address: links must lead to where the system runs
        "fixed": {"SESSION_COOKIE_SECURE": True, "REMEMBER_COOKIE_SECURE": True},
    },
}

# Flask's and the extensions' settings that are the same wherever the system runs (an environment
# may change one in ENVIRONMENTS' `fixed`).
FIXED: dict[str, Any] = {
    # No ping before every checkout (a round trip on every request): pooled connections are
    # replaced after half an hour instead; after a server restart SQLAlchemy replaces the whole
    # pool, a read meeting a dropped connection runs once more and any other request answers 503.
    # Last in, first out: requests reuse the most recent connection, whose prepared statements are warm.
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False, "pool_recycle": 1800, "pool_use_lifo": True},
    "BABEL_DEFAULT_LOCALE": "da",
    "LANGUAGES": ("da", "en"),
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # The idle timeout's "seen" mark moves at most once a minute (web/auth_views.py); only then is
    # the cookie signed and sent again, not on every request (signing cost 12-18 % of a POST).
    "SESSION_REFRESH_EACH_REQUEST": False,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_ENABLED": True,
    # werkzeug's method for new password hashes (scrypt's default cost, about 0.1 s a check); not
    # from the environment, so no deployment lowers it by accident.
    "PASSWORD_HASH_METHOD": "scrypt",
    "RATELIMIT_HEADERS_ENABLED": False,  # the API writes its own RateLimit-* headers (ips_coord.api.http)
    # If Redis is down, throttle in memory instead of refusing logins.
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "API_TITLE": "ips-coord API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
}


def read(environment: str) -> dict[str, Any]:
    """The settings of `environment` with the environment variables over them, checked one by one
    (a wrong one raises ConfigError naming its variable)."""
    try:
        settings = Settings(**ENVIRONMENTS[environment]["settings"])
    except ValidationError as exc:
        raise ConfigError(_first_error(exc)) from None
    return settings.model_dump()


def _variable(field: str) -> str:
    """The environment variable a setting is read from."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else field


def _first_error(exc: ValidationError) -> str:
    """One line naming the variable, what it must be and what it was."""
    error = exc.errors()[0]
    loc = str(error["loc"][0]) if error["loc"] else ""
    field = next((name for name in Settings.model_fields if loc in (name, _variable(name))), loc)
    name, got = _variable(field), error.get("input")
    kind, ctx = error["type"], error.get("ctx", {})
    if kind == "value_error":
        return f"{name} {ctx['error']}"
    if len(error["loc"]) > 1:  # one of the ports
        return f"{name} must be {_range(field)}, got {got!r}"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "too_short"):
        return f"{name} must be {_range(field)}, got {got!r}"
    wanted = {
        "int_parsing": "a whole number",
        "int_from_float": "a whole number",
        "float_parsing": "a number",
        "bool_parsing": "true or false",
        "literal_error": f"one of {ctx.get('expected', '')}",
    }
    return f"{name} must be {wanted.get(kind, error['msg'].lower())}, got {got!r}"


def _range(field: str) -> str:
    bounds = _bounds(Settings.model_fields[field].metadata)
    if not bounds:  # the ports: the bounds are on each element
        return "a comma-separated list of ports between 1 and 65535"
    low, high = bounds.get("ge", bounds.get("gt")), bounds.get("le")
    if high is not None:
        return f"between {low} and {high}"
    return f"{low} or more" if "ge" in bounds else f"more than {low}"


def _bounds(metadata: list[Any]) -> dict[str, Any]:
    return {key: getattr(m, key) for m in metadata for key in ("ge", "gt", "le") if getattr(m, key, None) is not None}


# --- The table in docs/operations.md -----------------------------------------------------------

DOCS = Path(__file__).resolve().parents[1] / "docs" / "operations.md"
BEGIN = "<!-- settings: generated by `python -m config --write-docs` from config/settings.py -->"
END = "<!-- settings: end -->"


def _type_name(annotation: Any) -> str:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is Annotated:
        return _type_name(args[0])
    if typing.get_origin(annotation) in (types.UnionType, typing.Union):
        return _type_name(next(a for a in args if a is not type(None)))
    if typing.get_origin(annotation) is Literal:
        return " or ".join(f"`{a}`" for a in args)
    if typing.get_origin(annotation) is tuple:
        return "ports, comma-separated"
    return {str: "text", int: "whole number", float: "number", bool: "true/false"}[annotation]


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return "`" + ",".join(map(str, value)) + "`"
    return f"`{value}`"


def settings_table() -> str:
    """Every setting once: its variable, type, default (and an environment's own) and what it decides."""
    rows = ["| variable | type | default | what it decides |", "|---|---|---|---|"]
    for field, info in Settings.model_fields.items():
        name = _variable(field)
        kind = _type_name(info.annotation)
        bounds = _bounds(info.metadata)
        if bounds:
            kind += f", {_range(field)}"
        default = _shown(info.default)
        own = [
            f"{env}: {_shown(values['settings'][field])}"
            for env, values in ENVIRONMENTS.items()
            if field in values["settings"] and field != "SECRET_KEY"
        ]
        if own:
            default += " (" + "; ".join(own) + ")"
        if field == "SECRET_KEY":
            default = "a development value (production refuses it)"
        key = "" if name == field else f" (Flask's `{field}`)"
        rows.append(f"| `{name}`{key} | {kind} | {default} | {info.description} |")
    return "\n".join(rows)


def docs_with_table(text: str) -> str:
    """docs/operations.md's text with the table between its markers made anew."""
    before, rest = text.split(BEGIN, 1)
    _old, after = rest.split(END, 1)
    return f"{before}{BEGIN}\n{settings_table()}\n{END}{after}"

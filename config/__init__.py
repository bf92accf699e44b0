"""Configuration classes, read from the environment.

`load_config()` picks the class from IPS_ENV (development, testing, production) and
validates it, so a missing or wrong setting stops start-up with one line naming it.
"""
from __future__ import annotations

import os
from urllib.parse import urlparse

DEFAULT_SECRET_KEY = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message names it."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = DEFAULT_SECRET_KEY
    # None means SQLite in the instance folder (the embedded default).
    SQLALCHEMY_DATABASE_URI: str | None = None
    # No ping before every checkout (a round trip on every request): pooled connections are
    # replaced after half an hour instead, and a connection the server dropped (a
    # restart) fails one request, after which SQLAlchemy replaces the whole pool. Last in,
    # first out: requests reuse the most recent connection, whose prepared statements are warm.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": False, "pool_recycle": 1800, "pool_use_lifo": True}
    REDIS_URL: str | None = None
    # The one public address every link in an e-mail, calendar and API document starts with. `make
    # run` sets it from HOST and PORT; production has no default and refuses to start without it.
    BASE_URL: str | None = "http://127.0.0.1:5000"

    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    MAIL_FROM = "ips-coord@localhost"

    BABEL_DEFAULT_LOCALE = "da"
    LANGUAGES = ("da", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_ENABLED = True
    # Sessions end after this long without a request.
    SESSION_IDLE_MINUTES = 30
    # Failed logins: after LOGIN_FREE_FAILURES wrong passwords an account waits LOGIN_DELAY_SECONDS,
    # doubling with each further failure up to LOGIN_DELAY_MAX_SECONDS; a good login resets it.
    LOGIN_FREE_FAILURES = 5
    LOGIN_DELAY_SECONDS = 30
    LOGIN_DELAY_MAX_SECONDS = 900
    # werkzeug's method for new password hashes (scrypt's default cost, about 0.1 s a check).
    PASSWORD_HASH_METHOD = "scrypt"
    # Failed logins allowed per client address (Flask-Limiter notation); with PROXY_HOPS the
    # address is the client's as the trusted proxies report it.
    LOGIN_LIMIT_ADDRESS = "50 per 15 minutes"
    # The pages that e-mail a sign-in code or a password link answer no sooner than this (seconds),
    # so an address on record and an unknown one take the same time.
    SIGN_IN_MIN_SECONDS = 0.4
    # Proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0: none).
    PROXY_HOPS = 0
    # Largest request body accepted (bytes); larger ones get 413.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Personal API tokens expire after this many days; their use is recorded at most this often.
    API_TOKEN_DAYS = 90
    TOKEN_LAST_USED_MINUTES = 15
    RATELIMIT_HEADERS_ENABLED = False  # the API writes its own RateLimit-* headers (ips_coord.api.http)
    # Requests per caller (a token, a session user, an address) to the API, in Flask-Limiter notation.
    API_RATE_LIMIT = "1200 per minute"
    # How long a POST's Idempotency-Key is remembered with its answer.
    IDEMPOTENCY_KEY_HOURS = 24
    # If Redis is down, throttle in memory instead of refusing logins.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

    API_TITLE = "ips-coord API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "openapi.json"

    # Tests and demos only: read "now" from this file (see ips_coord.clock.FileClock).
    CLOCK_FILE: str | None = None
    # Delivery: the beat wakes the sweep this often; failed sends back off exponentially.
    SWEEP_INTERVAL_SECONDS = 60.0
    SWEEP_BATCH = 500
    NOTIFY_MAX_ATTEMPTS = 6
    NOTIFY_BACKOFF_SECONDS = 60.0
    # SMTP: connect and each command's reply; the reply to the final "." may take the server
    # 10 minutes (RFC 5321 4.5.3.2.6), and answering sooner is no reason to give up on it.
    SMTP_TIMEOUT_SECONDS = 10.0
    SMTP_DATA_END_TIMEOUT_SECONDS = 600.0
    # A worker's claim of a row is a lease: after this long the sweep gives the row to another
    # worker. It must outlast the longest send (see validate), or two workers send at once.
    CLAIM_TIMEOUT_SECONDS = 900.0
    # An attempt whose answer came after its timeout (the 250 to the final ".", a webhook's
    # response) may have been delivered: it is tried once more after this pause, then recorded
    # as uncertain instead of sent again and again.
    MAYBE_DELIVERED_RETRY_SECONDS = 21600.0
    # Webhooks to organisations' systems: the same outbox and lease as e-mail, their own backoff.
    WEBHOOK_MAX_ATTEMPTS = 8
    WEBHOOK_BACKOFF_SECONDS = 30.0
    WEBHOOK_TIMEOUT_SECONDS = 10.0  # connect and answer; far inside CLAIM_TIMEOUT_SECONDS
    SERVICE_TOKEN_DAYS = 365  # an organisation's service token expires after this by default
    # Every outbound HTTP request (ips_coord/egress.py): https to public addresses on these ports.
    EGRESS_PORTS: tuple[int, ...] = (443,)
    # Development and tests only (refused in production): http:// and any port to loopback
    # addresses, for receivers on the same machine.
    EGRESS_ALLOW_LOOPBACK = False
    # Tests only: named crash points (ips_coord.notifications.failpoints), refused in production.
    FAILPOINTS: str | None = None
    FAILPOINTS_DIR: str | None = None
    # Daily digest of due and overdue follow-ups, sent at the first sweep after this UTC hour
    # (`make run` sets 0: the first sweep after start sends the day's digest).
    DIGEST_HOUR_UTC = 5
    ACK_LINK_MAX_AGE_DAYS = 14
    # Retention (`flask retention run`, and a daily task at RETENTION_HOUR_UTC): closed cases are
    # anonymised this many years after closing; access-log months and settled notifications are
    # dropped whole after theirs. Set them with your data protection officer.
    RETENTION_CLOSED_CASE_YEARS = 5
    ACCESS_LOG_RETENTION_MONTHS = 60
    NOTIFICATION_RETENTION_MONTHS = 24
    RETENTION_HOUR_UTC = 2
    # Aggregates too dear for every view at national scale (the country overview): the worker
    # computes them every ROLLUP_MINUTES; a page shows them with their age, and computes them
    # itself when the last one is older than ROLLUP_MAX_AGE_MINUTES (the worker is down).
    ROLLUP_MINUTES = 5
    ROLLUP_MAX_AGE_MINUTES = 30
    # The next IPS-25 fidelity review falls due this many months after the last one: yearly for a
    # team at good or exemplary fidelity, half-yearly below.
    FIDELITY_REVIEW_MONTHS_GOOD = 12
    FIDELITY_REVIEW_MONTHS_OTHER = 6
    # After queuing an e-mail someone waits for (a sign-in code, a reset link), wake a worker at
    # once. Tests turn it off and deliver in-process (nothing consumes their broker).
    DELIVERY_WAKE = True
    # How citizens sign in: "email_code" (the embedded default: a one-time code by e-mail) or
    # "oidc" (a national identity provider such as MitID through an OpenID Connect broker).
    CITIZEN_AUTH = "email_code"
    OIDC_CLIENT_ID: str | None = None
    OIDC_CLIENT_SECRET: str | None = None
    OIDC_METADATA_URL: str | None = None  # the broker's .well-known/openid-configuration
    OIDC_SCOPE = "openid"  # add the scope under which the broker releases the CPR number
    # The claim that carries the CPR number (NemLog-in's attribute name by default; brokers differ),
    # and the claim, if the broker sends one, that says whether it is verified (anything but true
    # refuses the sign-in; with OIDC_CPR_VERIFIED_REQUIRED its absence refuses it too).
    OIDC_CPR_CLAIM = "dk:gov:saml:attribute:CprNumberIdentifier"
    OIDC_CPR_VERIFIED_CLAIM: str | None = "cpr_verified"
    OIDC_CPR_VERIFIED_REQUIRED = False
    # The CPR number at rest (ips_coord/sealed.py): Fernet keys, comma-separated, the first seals and
    # all open (rotation: new key first, `flask cpr rotate`, then drop the old); the HMAC key for
    # exact look-up. Both derive from SECRET_KEY when unset.
    CPR_KEYS: str | None = None
    CPR_HMAC_KEY: str | None = None
    # Staff sign-in through the organisation's OpenID Connect provider (docs/operations.md): set the
    # metadata URL, the client, the scope that releases the groups, the group claim and the table
    # of group -> role and organisation. LOCAL_PASSWORDS=false removes the password sign-in.
    STAFF_OIDC_METADATA_URL: str | None = None
    STAFF_OIDC_CLIENT_ID: str | None = None
    STAFF_OIDC_CLIENT_SECRET: str | None = None
    STAFF_OIDC_SCOPE = "openid"
    STAFF_OIDC_GROUPS_CLAIM = "groups"
    STAFF_OIDC_GROUPS: str | list | None = None
    LOCAL_PASSWORDS = True

    @classmethod
    def from_env(cls) -> dict:
        """Settings that the environment overrides, checked one by one."""
        values: dict = {}
        _strings(values, {"SECRET_KEY": "SECRET_KEY", "SMTP_HOST": "SMTP_HOST", "SMTP_USERNAME": "SMTP_USERNAME",
                          "SMTP_PASSWORD": "SMTP_PASSWORD", "MAIL_FROM": "MAIL_FROM", "CLOCK_FILE": "CLOCK_FILE",
                          "IPS_FAILPOINTS": "FAILPOINTS", "IPS_FAILPOINTS_DIR": "FAILPOINTS_DIR",
                          "LOGIN_LIMIT_ADDRESS": "LOGIN_LIMIT_ADDRESS", "API_RATE_LIMIT": "API_RATE_LIMIT"})
        if os.environ.get("DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = _database_url(os.environ["DATABASE_URL"])
        redis_url = os.environ.get("REDIS_URL")
        if redis_url:
            if urlparse(redis_url).scheme not in {"redis", "rediss"}:
                raise ConfigError(f"REDIS_URL must start with redis:// or rediss://, got {redis_url!r}")
            values["REDIS_URL"] = redis_url
        if os.environ.get("BASE_URL"):
            values["BASE_URL"] = _base_url(os.environ["BASE_URL"])
        values["SMTP_STARTTLS"] = _bool("SMTP_STARTTLS", cls.SMTP_STARTTLS)
        values["EGRESS_ALLOW_LOOPBACK"] = _bool("EGRESS_ALLOW_LOOPBACK", cls.EGRESS_ALLOW_LOOPBACK)
        if os.environ.get("EGRESS_PORTS"):
            values["EGRESS_PORTS"] = _ports("EGRESS_PORTS")
        for key in ("SWEEP_INTERVAL_SECONDS", "NOTIFY_BACKOFF_SECONDS", "CLAIM_TIMEOUT_SECONDS",
                    "SMTP_TIMEOUT_SECONDS", "SMTP_DATA_END_TIMEOUT_SECONDS", "WEBHOOK_BACKOFF_SECONDS",
                    "WEBHOOK_TIMEOUT_SECONDS", "SIGN_IN_MIN_SECONDS",
                    "MAYBE_DELIVERED_RETRY_SECONDS"):
            if os.environ.get(key):
                values[key] = _float(key)
        for key in ("SMTP_PORT", "NOTIFY_MAX_ATTEMPTS", "SWEEP_BATCH", "PROXY_HOPS", "MAX_CONTENT_LENGTH",
                    "API_TOKEN_DAYS", "LOGIN_FREE_FAILURES", "LOGIN_DELAY_SECONDS", "LOGIN_DELAY_MAX_SECONDS",
                    "RETENTION_CLOSED_CASE_YEARS", "ACCESS_LOG_RETENTION_MONTHS", "NOTIFICATION_RETENTION_MONTHS",
                    "RETENTION_HOUR_UTC", "DIGEST_HOUR_UTC", "WEBHOOK_MAX_ATTEMPTS", "SERVICE_TOKEN_DAYS",
                    "ROLLUP_MINUTES", "ROLLUP_MAX_AGE_MINUTES", "FIDELITY_REVIEW_MONTHS_GOOD",
                    "FIDELITY_REVIEW_MONTHS_OTHER"):
            values[key] = _int(key, getattr(cls, key))
        _strings(values, {key: key for key in ("CITIZEN_AUTH", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET",
                                                "OIDC_METADATA_URL", "OIDC_SCOPE", "OIDC_CPR_CLAIM",
                                                "OIDC_CPR_VERIFIED_CLAIM", "CPR_KEYS", "CPR_HMAC_KEY",
                                                "STAFF_OIDC_METADATA_URL", "STAFF_OIDC_CLIENT_ID",
                                                "STAFF_OIDC_CLIENT_SECRET", "STAFF_OIDC_SCOPE",
                                                "STAFF_OIDC_GROUPS_CLAIM", "STAFF_OIDC_GROUPS")})
        values["LOCAL_PASSWORDS"] = _bool("LOCAL_PASSWORDS", cls.LOCAL_PASSWORDS)
        values["OIDC_CPR_VERIFIED_REQUIRED"] = _bool("OIDC_CPR_VERIFIED_REQUIRED", cls.OIDC_CPR_VERIFIED_REQUIRED)
        return values


def _validate_rate_limit(value: object) -> None:
    from limits import parse_many

    try:
        limits = parse_many(str(value))
    except ValueError:
        limits = []
    if not limits or any(limit.amount < 1 for limit in limits):
        raise ConfigError(f"API_RATE_LIMIT must read like '1200 per minute' (at least 1), got {value!r}")


def _strings(values: dict, names: dict[str, str]) -> None:
    """Copy the environment variables that are set (and not empty) to their settings."""
    for variable, setting in names.items():
        if os.environ.get(variable):
            values[setting] = os.environ[variable]


def _database_url(url: str) -> str:
    scheme = urlparse(url).scheme
    if scheme in ("postgres", "postgresql"):
        # Be explicit about the driver we ship (psycopg 3).
        return "postgresql+psycopg" + url[len(scheme):]
    if not (scheme.startswith("postgresql+") or scheme.startswith("sqlite")):
        raise ConfigError(f"DATABASE_URL must be a postgresql+psycopg:// or sqlite:// URL, got scheme {scheme!r}")
    return url


def _ports(key: str) -> tuple[int, ...]:
    try:
        ports = tuple(int(p) for p in os.environ[key].replace(" ", "").split(",") if p)
    except ValueError:
        raise ConfigError(f"{key} must be a comma-separated list of port numbers, got {os.environ[key]!r}") from None
    if not ports or not all(0 < p < 65536 for p in ports):
        raise ConfigError(f"{key} must list ports between 1 and 65535, got {os.environ[key]!r}")
    return ports


def _base_url(url: str) -> str:
    """An absolute http(s) address without a trailing slash (paths are added to it)."""
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
        raise ConfigError(f"BASE_URL must be the public address, like https://ips.example.dk, got {url!r}")
    return url.strip().rstrip("/")


def _float(key: str) -> float:
    try:
        return float(os.environ[key])
    except ValueError:
        raise ConfigError(f"{key} must be a number, got {os.environ[key]!r}") from None


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    EGRESS_ALLOW_LOOPBACK = True  # the demo's webhook receiver runs on 127.0.0.1


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False
    SECRET_KEY = "testing-secret"
    DELIVERY_WAKE = False
    EGRESS_ALLOW_LOOPBACK = True  # the tests' webhook receivers run on 127.0.0.1
    # Generated requests (schemathesis) come fast from one token; the limit's own test lowers it.
    API_RATE_LIMIT = "100000 per minute"
    # Tests log in thousands of times; scrypt at 1/32 of the cost (N=2^10) keeps each check at a
    # few ms. The check code is the same; a stored hash names its own cost.
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    # Tests sign citizens in hundreds of times; the floor's own test raises it.
    SIGN_IN_MIN_SECONDS = 0.01


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    BASE_URL = None  # no default address: links must lead to where the system runs
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)}


def load_config(name: str | None = None) -> dict:
    """Return the settings for IPS_ENV (or `name`) as a dict, validated."""
    name = name or os.environ.get("IPS_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"IPS_ENV must be one of {', '.join(CONFIGS)}, got {name!r}")
    cls = CONFIGS[name]
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    settings.update(cls.from_env())
    validate(settings)
    return settings


# Steps of one send that each wait up to SMTP_TIMEOUT_SECONDS: connect, EHLO, STARTTLS, EHLO,
# AUTH and its answer, MAIL, RCPT, DATA, the message itself. The final "." has its own timeout.
SMTP_STEPS_PER_SEND = 10


def longest_smtp_send(settings: dict) -> float:
    return SMTP_STEPS_PER_SEND * settings["SMTP_TIMEOUT_SECONDS"] + settings["SMTP_DATA_END_TIMEOUT_SECONDS"]


def validate(settings: dict) -> None:
    if settings.get("ENV_NAME") == "production":
        _validate_production(settings)
    longest_send = longest_smtp_send(settings)
    if settings["CLAIM_TIMEOUT_SECONDS"] < longest_send:
        raise ConfigError(
            f"CLAIM_TIMEOUT_SECONDS must be at least {longest_send:g}, the longest SMTP send "
            f"({SMTP_STEPS_PER_SEND} x SMTP_TIMEOUT_SECONDS + SMTP_DATA_END_TIMEOUT_SECONDS), "
            f"got {settings['CLAIM_TIMEOUT_SECONDS']:g}")
    for key in ("PROXY_HOPS", "LOGIN_FREE_FAILURES"):
        if settings.get(key, 0) < 0:
            raise ConfigError(f"{key} must be 0 or more, got {settings[key]!r}")
    for key in ("MAX_CONTENT_LENGTH", "API_TOKEN_DAYS", "LOGIN_DELAY_SECONDS", "LOGIN_DELAY_MAX_SECONDS",
                "RETENTION_CLOSED_CASE_YEARS", "ACCESS_LOG_RETENTION_MONTHS", "NOTIFICATION_RETENTION_MONTHS",
                "WEBHOOK_MAX_ATTEMPTS", "SERVICE_TOKEN_DAYS", "ROLLUP_MINUTES", "ROLLUP_MAX_AGE_MINUTES",
                "FIDELITY_REVIEW_MONTHS_GOOD", "FIDELITY_REVIEW_MONTHS_OTHER"):
        if key in settings and settings[key] < 1:
            raise ConfigError(f"{key} must be 1 or more, got {settings[key]!r}")
    for key in ("RETENTION_HOUR_UTC", "DIGEST_HOUR_UTC"):
        if not 0 <= settings.get(key, 0) <= 23:
            raise ConfigError(f"{key} must be between 0 and 23, got {settings[key]!r}")
    _validate_rate_limit(settings.get("API_RATE_LIMIT"))
    if settings.get("ROLLUP_MAX_AGE_MINUTES", 30) <= settings.get("ROLLUP_MINUTES", 5):
        raise ConfigError("ROLLUP_MAX_AGE_MINUTES must be more than ROLLUP_MINUTES, or every view computes the "
                          "figures itself")
    validate_citizen_auth(settings)
    port = settings.get("SMTP_PORT")
    if not isinstance(port, int) or not 0 < port < 65536:
        raise ConfigError(f"SMTP_PORT must be between 1 and 65535, got {port!r}")


def _validate_production(settings: dict) -> None:
    if settings.get("SECRET_KEY") in (None, "", DEFAULT_SECRET_KEY):
        raise ConfigError("SECRET_KEY must be set to a long random value in production")
    if len(settings["SECRET_KEY"]) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    for key, message in (
        ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL must be set in production"),
        ("SMTP_HOST", "SMTP_HOST must be set in production"),
        ("BASE_URL", "BASE_URL must be set in production: the public address every e-mail link starts with"),
    ):
        if not settings.get(key):
            raise ConfigError(message)
    for key, message in (
        ("CLOCK_FILE", "CLOCK_FILE is for tests only and must not be set in production"),
        ("FAILPOINTS", "IPS_FAILPOINTS is for tests only and must not be set in production"),
        ("EGRESS_ALLOW_LOOPBACK", "EGRESS_ALLOW_LOOPBACK is for development and tests only and must not be set in "
                                  "production"),
    ):
        if settings.get(key):
            raise ConfigError(message)


def validate_citizen_auth(settings: dict) -> None:
    method = settings.get("CITIZEN_AUTH", "email_code")
    if method not in ("email_code", "oidc"):
        raise ConfigError(f"CITIZEN_AUTH must be email_code or oidc, got {method!r}")
    if method == "oidc":
        for key in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_METADATA_URL"):
            if not settings.get(key):
                raise ConfigError(f"{key} must be set when CITIZEN_AUTH=oidc")

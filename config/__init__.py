"""Configuration, read from the environment.

`load_config()` takes the environment IPS_ENV names (development, testing, production), reads
every setting declared in `config.settings.Settings` (its type, default and meaning written there
once) and checks what crosses settings, so a missing or wrong setting stops start-up with one
line naming it.
"""

from __future__ import annotations

import os
from typing import Any

from .settings import DEFAULT_SECRET_KEY, ENVIRONMENTS, FIXED, ConfigError, read

__all__ = ["DEFAULT_SECRET_KEY", "ConfigError", "load_config", "longest_smtp_send", "validate", "validate_citizen_auth"]


def load_config(name: str | None = None) -> dict[str, Any]:
    """Return the settings for IPS_ENV (or `name`) as Flask's config dict, validated."""
    name = name or os.environ.get("IPS_ENV", "development")
    if name not in ENVIRONMENTS:
        raise ConfigError(f"IPS_ENV must be one of {', '.join(ENVIRONMENTS)}, got {name!r}")
    settings: dict[str, Any] = {"ENV_NAME": name, **FIXED, **ENVIRONMENTS[name]["fixed"], **read(name)}
    validate(settings)
    return settings


# Steps of one send that each wait up to SMTP_TIMEOUT_SECONDS: connect, EHLO, STARTTLS, EHLO,
# AUTH and its answer, MAIL, RCPT, DATA, the message itself. The final "." has its own timeout.
SMTP_STEPS_PER_SEND = 10


def longest_smtp_send(settings: dict[str, Any]) -> float:
    return SMTP_STEPS_PER_SEND * settings["SMTP_TIMEOUT_SECONDS"] + settings["SMTP_DATA_END_TIMEOUT_SECONDS"]


def validate(settings: dict[str, Any]) -> None:
    """What crosses settings (each alone was checked by its type in config.settings)."""
    if settings.get("ENV_NAME") == "production":
        _validate_production(settings)
    longest_send = longest_smtp_send(settings)
    if settings["CLAIM_TIMEOUT_SECONDS"] < longest_send:
        raise ConfigError(
            f"CLAIM_TIMEOUT_SECONDS must be at least {longest_send:g}, the longest SMTP send "
            f"({SMTP_STEPS_PER_SEND} x SMTP_TIMEOUT_SECONDS + SMTP_DATA_END_TIMEOUT_SECONDS), "
            f"got {settings['CLAIM_TIMEOUT_SECONDS']:g}"
        )
    if settings.get("ROLLUP_MAX_AGE_MINUTES", 30) <= settings.get("ROLLUP_MINUTES", 5):
        raise ConfigError(
            "ROLLUP_MAX_AGE_MINUTES must be more than ROLLUP_MINUTES, or every view computes the figures itself"
        )
    validate_citizen_auth(settings)


def _validate_production(settings: dict[str, Any]) -> None:
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
        (
            "EGRESS_ALLOW_LOOPBACK",
            "EGRESS_ALLOW_LOOPBACK is for development and tests only and must not be set in production",
        ),
    ):
        if settings.get(key):
            raise ConfigError(message)


def validate_citizen_auth(settings: Any) -> None:
    method = settings.get("CITIZEN_AUTH", "email_code")
    if method not in ("email_code", "oidc"):
        raise ConfigError(f"CITIZEN_AUTH must be email_code or oidc, got {method!r}")
    if method == "oidc":
        for key in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_METADATA_URL"):
            if not settings.get(key):
                raise ConfigError(f"{key} must be set when CITIZEN_AUTH=oidc")

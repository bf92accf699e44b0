"""Configuration: embedded defaults, environment overrides, one clear line when wrong."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from config import ConfigError, load_config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


@pytest.fixture
def env(monkeypatch):
    for key in (
        "DATABASE_URL",
        "REDIS_URL",
        "SECRET_KEY",
        "SMTP_HOST",
        "SMTP_PORT",
        "IPS_ENV",
        "SMTP_STARTTLS",
        "EGRESS_PORTS",
        "EGRESS_ALLOW_LOOPBACK",
        "BASE_URL",
    ):
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_embedded_defaults(env):
    settings = load_config()
    assert settings["SQLALCHEMY_DATABASE_URI"] is None and settings["REDIS_URL"] is None
    assert settings["SMTP_HOST"] is None and settings["BABEL_DEFAULT_LOCALE"] == "da"


def test_only_the_testing_config_lowers_the_password_hash_cost(env):
    """Tests hash with a cheap scrypt (config.settings.ENVIRONMENTS); every other config keeps werkzeug's full one."""
    from ips_coord import create_app
    from ips_coord.auth import hash_password

    assert load_config("development")["PASSWORD_HASH_METHOD"] == "scrypt"
    assert load_config("testing")["PASSWORD_HASH_METHOD"] == "scrypt:1024:8:1"
    with create_app().app_context():
        assert hash_password("x").startswith("scrypt:32768:8:1$")
    assert hash_password("x").startswith("scrypt:32768:8:1$")  # outside an app: the full cost too


def test_app_uses_sqlite_in_the_instance_folder(env, tmp_path):
    from ips_coord import create_app

    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///" + os.path.join(app.instance_path, "ips_coord.sqlite")


def test_postgres_and_redis_from_the_environment(env):
    env.setenv("DATABASE_URL", "postgres://u@db:5432/ips")
    env.setenv("REDIS_URL", "redis://redis:6379/0")
    settings = load_config()
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/ips"
    assert settings["REDIS_URL"] == "redis://redis:6379/0"


@pytest.mark.parametrize(
    "key,value,named",
    [
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL"),
        ("REDIS_URL", "http://redis", "REDIS_URL"),
        ("SMTP_PORT", "abc", "SMTP_PORT"),
        ("SMTP_PORT", "70000", "SMTP_PORT"),
        ("SMTP_STARTTLS", "maybe", "SMTP_STARTTLS"),
        ("IPS_ENV", "staging", "IPS_ENV"),
        ("API_RATE_LIMIT", "lots", "API_RATE_LIMIT"),
        ("API_RATE_LIMIT", "0 per minute", "API_RATE_LIMIT"),
        ("ROLLUP_MAX_AGE_MINUTES", "5", "ROLLUP_MAX_AGE_MINUTES"),
        ("EGRESS_PORTS", "443,abc", "EGRESS_PORTS"),
        ("EGRESS_PORTS", "0", "EGRESS_PORTS"),
        ("EGRESS_ALLOW_LOOPBACK", "maybe", "EGRESS_ALLOW_LOOPBACK"),
        ("SWEEP_BATCH", "0", "SWEEP_BATCH must be 1 or more, got '0'"),
        ("PROXY_HOPS", "-1", "PROXY_HOPS must be 0 or more"),
        ("CLAIM_TIMEOUT_SECONDS", "soon", "CLAIM_TIMEOUT_SECONDS must be a number, got 'soon'"),
        ("CITIZEN_AUTH", "mitid", "CITIZEN_AUTH must be one of 'email_code' or 'oidc', got 'mitid'"),
        ("LOGIN_LIMIT_ADDRESS", "lots", "LOGIN_LIMIT_ADDRESS must read like"),
    ],
)
def test_wrong_setting_names_itself(env, key, value, named):
    env.setenv(key, value)
    with pytest.raises(ConfigError, match=named):
        load_config()


def test_outbound_requests_reach_loopback_only_outside_production(env):
    assert load_config("development")["EGRESS_ALLOW_LOOPBACK"] and load_config()["EGRESS_PORTS"] == (443,)
    env.setenv("EGRESS_PORTS", "443, 8443")
    assert load_config()["EGRESS_PORTS"] == (443, 8443)
    env.setenv("IPS_ENV", "production")
    env.setenv("DATABASE_URL", "postgresql+psycopg://u@db/ips")
    env.setenv("SMTP_HOST", "mail")
    env.setenv("SECRET_KEY", "x" * 40)
    env.setenv("BASE_URL", "https://ips.example.dk")
    assert load_config()["EGRESS_ALLOW_LOOPBACK"] is False
    env.setenv("EGRESS_ALLOW_LOOPBACK", "true")
    with pytest.raises(ConfigError, match="EGRESS_ALLOW_LOOPBACK"):
        load_config()


def test_the_api_rate_limit_comes_from_the_environment(env):
    env.setenv("API_RATE_LIMIT", "5000 per minute")
    assert load_config()["API_RATE_LIMIT"] == "5000 per minute"


def test_production_refuses_the_default_secret(env):
    env.setenv("IPS_ENV", "production")
    env.setenv("DATABASE_URL", "postgresql+psycopg://u@db/ips")
    env.setenv("SMTP_HOST", "mail")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()
    env.setenv("SECRET_KEY", "x" * 40)
    env.setenv("BASE_URL", "https://ips.example.dk/")
    settings = load_config()
    assert settings["SESSION_COOKIE_SECURE"] is True


def test_the_digest_hour_comes_from_the_environment_and_is_checked(env):
    env.setenv("DIGEST_HOUR_UTC", "0")
    assert load_config()["DIGEST_HOUR_UTC"] == 0
    env.setenv("DIGEST_HOUR_UTC", "24")
    with pytest.raises(ConfigError, match="DIGEST_HOUR_UTC must be between 0 and 23"):
        load_config()
    env.delenv("DIGEST_HOUR_UTC")


def test_production_refuses_to_start_without_the_public_base_url(env):
    """Every e-mail link starts with BASE_URL: production has no default to fall back on."""
    env.setenv("IPS_ENV", "production")
    env.setenv("DATABASE_URL", "postgresql+psycopg://u@db/ips")
    env.setenv("SMTP_HOST", "mail")
    env.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(ConfigError, match="BASE_URL must be set in production"):
        load_config()
    for wrong in ("ips.example.dk", "ftp://ips.example.dk", "https://", "https://ips.example.dk/?a=1"):
        env.setenv("BASE_URL", wrong)
        with pytest.raises(ConfigError, match="BASE_URL must be the public address"):
            load_config()
    env.setenv("BASE_URL", "https://ips.example.dk/")
    assert load_config()["BASE_URL"] == "https://ips.example.dk"  # paths are added to it


def test_the_dev_server_sets_the_base_url_from_where_it_listens(tmp_path):
    """`make run PORT=...`: the links lead to that port (an explicit BASE_URL wins)."""
    import socket
    import time
    import urllib.request

    from ips_coord.devserver import dev_base_url, dev_settings

    assert dev_base_url("0.0.0.0", 18400) == "http://127.0.0.1:18400"
    # The first sweep after start sends the day's digests (README: "within a minute or two").
    assert dev_settings("127.0.0.1", 18400) == {"BASE_URL": "http://127.0.0.1:18400", "DIGEST_HOUR_UTC": "0"}
    assert dev_base_url("::1", 18400) == "http://[::1]:18400"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    environ = {k: v for k, v in os.environ.items() if k not in {"BASE_URL", "DATABASE_URL", "REDIS_URL", "IPS_ENV"}}
    environ["IPS_INSTANCE_PATH"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "ips_coord.devserver", "--no-worker", "--port", str(port)],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        spec = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2) as r:
                    spec = r.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert spec is not None, "the dev server did not answer"
        import json

        assert json.loads(spec)["servers"][0]["url"] == f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(20)
    assert f"ips-coord on http://127.0.0.1:{port}" in proc.stdout.read()


def test_start_up_fails_with_one_clear_line():
    """`flask` with a wrong setting prints one line naming it, not a deep traceback."""
    environ = {**os.environ, "DATABASE_URL": "mysql://nope/x"}
    out = subprocess.run(
        [sys.executable, "-m", "ips_coord.devserver", "--port", "5999"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    lines = [line for line in out.stderr.strip().splitlines() if line]
    assert lines == [
        "ips-coord: configuration error: DATABASE_URL must be a postgresql+psycopg:// or sqlite:// URL, "
        "got scheme 'mysql'"
    ]


def test_a_claim_shorter_than_the_longest_smtp_send_is_refused(env):
    """The lease must outlast connect + each command + the reply to the final "."."""
    env.setenv("CLAIM_TIMEOUT_SECONDS", "600")
    with pytest.raises(ConfigError) as exc:
        load_config()
    assert str(exc.value) == (
        "CLAIM_TIMEOUT_SECONDS must be at least 700, the longest SMTP send "
        "(10 x SMTP_TIMEOUT_SECONDS + SMTP_DATA_END_TIMEOUT_SECONDS), got 600"
    )
    env.setenv("SMTP_DATA_END_TIMEOUT_SECONDS", "60")
    env.setenv("SMTP_TIMEOUT_SECONDS", "5")
    assert load_config()["CLAIM_TIMEOUT_SECONDS"] == 600


def test_failpoints_are_named_exactly_or_refused(env):
    from ips_coord import create_app

    env.setenv("IPS_FAILPOINTS", "delivery.after_data_end:once,sweep.after_claim")
    assert create_app().config["FAILPOINTS"] == "delivery.after_data_end:once,sweep.after_claim"
    env.setenv("IPS_FAILPOINTS", "delivery.after_dataend")
    with pytest.raises(ConfigError, match=r"IPS_FAILPOINTS: unknown point 'delivery\.after_dataend'"):
        create_app()
    env.setenv("IPS_FAILPOINTS", "delivery.after_claim:twice")
    with pytest.raises(ConfigError, match="IPS_FAILPOINTS: unknown mode 'twice'"):
        create_app()


def test_every_setting_is_declared_once_and_the_operations_guide_lists_it_as_declared(env):
    """docs/operations.md's table is the class's (`python -m config --write-docs` writes it); every
    setting has a type, a default and a line saying what it decides, and reaches Flask's config."""
    from config.settings import BEGIN, DOCS, END, Settings, docs_with_table

    text = DOCS.read_text(encoding="utf-8")
    assert docs_with_table(text) == text, "docs/operations.md's settings table is stale: python -m config --write-docs"
    # Elsewhere the guide only gives values for a set-up ("setting | value"), never a second definition.
    assert text.count("| setting | what it decides |") == 0
    table = text.split(BEGIN)[1].split(END)[0]
    settings = load_config("development")
    for field, info in Settings.model_fields.items():
        variable = info.validation_alias or field
        assert table.count(f"| `{variable}` ") == 1, variable
        assert info.description and "\n" not in info.description, field
        assert field in settings
    assert "| `IPS_FAILPOINTS` (Flask's `FAILPOINTS`) |" in table
    assert len(table.strip().splitlines()) == 2 + len(Settings.model_fields)


def test_an_environment_variable_wins_over_the_environments_default(env):
    """IPS_ENV gives defaults (testing's cheap limits, development's loopback); a variable set
    says otherwise, and an empty one counts as unset."""
    assert load_config("testing")["API_RATE_LIMIT"] == "100000 per minute"
    env.setenv("API_RATE_LIMIT", "30 per minute")
    assert load_config("testing")["API_RATE_LIMIT"] == "30 per minute"
    env.setenv("EGRESS_ALLOW_LOOPBACK", "false")
    assert load_config("development")["EGRESS_ALLOW_LOOPBACK"] is False
    env.setenv("EGRESS_ALLOW_LOOPBACK", "")
    assert load_config("development")["EGRESS_ALLOW_LOOPBACK"] is True
    env.setenv("SMTP_PORT", "587")
    assert load_config()["SMTP_PORT"] == 587
    # One variable per setting: not also Flask's name for it.
    env.setenv("SQLALCHEMY_DATABASE_URI", "sqlite:///elsewhere.sqlite")
    env.setenv("FAILPOINTS", "sweep.after_claim")
    assert load_config()["SQLALCHEMY_DATABASE_URI"] is None and load_config()["FAILPOINTS"] is None

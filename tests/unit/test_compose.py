"""docker-compose.yml cannot run here (no Docker engine), so it is checked against the code."""

from __future__ import annotations

import importlib
import pathlib
import re

import yaml

ROOT = pathlib.Path(__file__).parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_services_are_all_there():
    assert set(SERVICES) == {"postgres", "redis", "mailpit", "migrate", "web", "worker", "beat"}
    for name in ("postgres", "redis", "mailpit", "web", "worker"):
        assert "healthcheck" in SERVICES[name], name
    assert set(COMPOSE["volumes"]) == {"pgdata", "redisdata"}
    assert SERVICES["beat"]["deploy"]["replicas"] == 1  # exactly one beat


def test_commands_point_at_real_code():
    web = SERVICES["web"]["command"]
    _module, attr = web[web.index("ips_coord.wsgi:app")].split(":")
    assert (ROOT / "ips_coord" / "wsgi.py").exists() and attr == "app"
    for name in ("worker", "beat"):
        cmd = SERVICES[name]["command"]
        assert cmd[:3] == ["celery", "-A", "worker"] and cmd[3] == name
    worker = importlib.import_module("worker")
    assert worker.app.main == "ips_coord"
    assert SERVICES["migrate"]["command"] == ["flask", "--app", "ips_coord", "db", "upgrade"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    # The image runs the built wheel (catalogues compiled in it) on the locked dependencies.
    assert "python -m build --wheel" in dockerfile and "--no-deps /tmp/dist/*.whl" in dockerfile
    assert "pip install --no-cache-dir -r requirements.lock" in dockerfile
    assert "ips_coord.wsgi:app" in dockerfile


def test_environment_agrees_with_config():
    from config.settings import Settings

    # The variables config/ reads: IPS_ENV chooses the environment, the rest are declared settings.
    variables = {"IPS_ENV"} | {info.validation_alias or name for name, info in Settings.model_fields.items()}
    env = SERVICES["web"]["environment"]
    for service in ("migrate", "worker", "beat"):
        assert SERVICES[service]["environment"] == env
    for key in env:
        assert key in variables, f"{key} is not read by config/"
    assert env["IPS_ENV"] == "production"
    db_url = env["DATABASE_URL"]
    pg = SERVICES["postgres"]["environment"]
    assert (
        db_url
        == f"postgresql+psycopg://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/{pg['POSTGRES_DB']}"
    )
    assert re.fullmatch(r"redis://redis:6379/\d+", env["REDIS_URL"])
    assert env["SMTP_HOST"] == "mailpit" and env["SMTP_PORT"] == "1025"


def test_start_order_waits_for_health_and_migrations():
    for name in ("web", "worker", "beat"):
        deps = SERVICES[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["redis"]["condition"] == "service_healthy"
    assert SERVICES["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_postgres_plans_for_ssd_storage():
    """The team-level reports read one team's cases by index only with random_page_cost near 1."""
    command = SERVICES["postgres"]["command"]
    assert "random_page_cost=1.1" in command


def test_long_running_services_come_back():
    """A worker that exits (a broker lost at a bad moment, a killed process) is started again;
    due work waits in the database meanwhile. The one-shot migration is not restarted."""
    for name in ("postgres", "redis", "mailpit", "web", "worker", "beat"):
        assert SERVICES[name]["restart"] == "unless-stopped", name
    assert "restart" not in SERVICES["migrate"]

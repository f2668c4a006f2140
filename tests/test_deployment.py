"""Deployment files: no Docker engine runs here, so the compose file's structure is checked,
and production settings are checked to refuse to start without their variables."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_its_services_with_healthchecks(compose):
    services = compose["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "lb",
        "minio",
        "minio-bucket",
    }
    for name, service in services.items():
        if service.get("restart") == "no":
            continue  # one-shot: runs to completion, the others wait for its success
        assert "healthcheck" in service, f"{name} has no healthcheck"
        assert service["healthcheck"]["test"], name


def test_compose_scales_web_and_workers_behind_the_load_balancer(compose):
    """`docker compose up --scale web=3 --scale worker=2`: no replica publishes a port (the
    load balancer does), none migrates (the one-shot `migrate` does, before any starts), beat
    stays one, and every replica shares one cache so rate limits count across them."""
    services = compose["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert "ports" not in service, f"{name} publishes a port: it could not be scaled"
        assert "migrate" not in " ".join(service["command"]), name
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["environment"]["CACHE_URL"].startswith("redis://redis:6379/")
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["migrate"]["command"][-2:] == ["migrate", "--no-input"]
    assert "DATABASE_OWNER_URL" in services["migrate"]["environment"]
    for name in ("web", "worker", "beat", "lb"):
        assert "DATABASE_OWNER_URL" not in services[name].get("environment", {}), name
    assert services["lb"]["ports"] == ["8000:80"]
    conf = (ROOT / "docker" / "nginx" / "commission.conf").read_text()
    assert "resolver 127.0.0.11" in conf  # re-resolves `web`, so new replicas take requests
    assert "proxy_pass $web;" in conf


def test_compose_s3_profile_keeps_media_in_a_private_bucket(compose):
    services = compose["services"]
    assert services["minio"]["profiles"] == ["s3"]
    assert services["minio-bucket"]["profiles"] == ["s3"]
    assert "mc anonymous set none" in services["minio-bucket"]["command"][0]
    env = services["web"]["environment"]
    assert env["MEDIA_STORAGE"] == "${MEDIA_STORAGE:-filesystem}"
    assert env["AWS_S3_ENDPOINT_URL"].endswith("http://minio:9000}")
    bucket = services["web"]["depends_on"]["minio-bucket"]
    assert bucket == {"condition": "service_completed_successfully", "required": False}
    # Compose interpolates the whole file: a variable a profile's service requires (`:?`)
    # would stop the stack that does not use the profile.
    for name, service in services.items():
        if service.get("profiles"):
            assert ":?" not in yaml.safe_dump(service), name


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_app_services_share_image_and_production_environment(compose, name):
    service = compose["services"][name]
    env = service["environment"]
    assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    for variable in (
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "FIELD_ENCRYPTION_KEY",
        "EMAIL_URL",
        "DEFAULT_FROM_EMAIL",
        "MEDIA_ROOT",
    ):
        assert variable in env, f"{name} lacks {variable}"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://")
    assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert service["image"] == compose["services"]["web"]["image"]


def test_compose_commands_run_gunicorn_worker_and_beat(compose):
    services = compose["services"]
    assert services["web"]["command"][:2] == ["gunicorn", "config.wsgi:application"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_compose_keeps_data_in_named_volumes(compose):
    assert {"pgdata", "redisdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]


def test_compose_secrets_are_required_not_defaulted(compose):
    env = compose["services"]["web"]["environment"]
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY"):
        assert ":?" in env[variable], f"{variable} must be required in compose"


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_use_the_backend_with_health_checks_once_per_interval(tmp_path):
    import base64

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "commission.example.org",
        "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "DATABASE_URL": "postgres://commission@db.example.org:5432/commission",
        "CELERY_BROKER_URL": "redis://localhost:6379/0",
        "EMAIL_URL": "smtp://localhost:25",
        "DEFAULT_FROM_EMAIL": "docket@commission.example.org",
        "MEDIA_ROOT": str(tmp_path),
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['CONN_HEALTH_CHECKS'], settings.CONN_HEALTH_CHECK_INTERVAL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["commission.db.postgresql", "True", "0.5"]

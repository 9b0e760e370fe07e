"""The deployment files agree with the settings: a worker per queue, the cron module, the documented env."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_URL", "SECURE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="dropship_central.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/dropship_central",
        REDIS_URL=settings.REDIS_URL,
    )
    return env


def test_every_job_queue_has_a_worker_service(compose):
    commands = [service.get("command") or [] for service in compose["services"].values()]
    worked = {command[3] for command in commands if command[:3] == ["python", "manage.py", "rqworker"]}
    assert worked == set(settings.JOB_QUEUES)


def test_cron_service_loads_the_project_cron_module(compose):
    command = compose["services"]["cron"]["command"]
    assert command[2:] == ["rqcron", "dropship_central.cron"]
    assert (ROOT / "dropship_central" / "cron.py").is_file()


def test_app_services_wait_for_healthy_db_redis_and_finished_migrations(compose):
    for name in ("web", "worker-scrape", "cron"):
        depends = compose["services"][name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert compose["services"]["db"]["healthcheck"]
    assert compose["services"]["redis"]["healthcheck"]


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 2
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert "HEALTHCHECK" in dockerfile
    assert "gunicorn dropship_central.wsgi:application" in dockerfile


def test_env_example_documents_every_required_production_variable():
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    production = (ROOT / "dropship_central" / "settings" / "production.py").read_text()
    required = set(re.findall(r'env(?:\.\w+)?\("([A-Z_]+)"\)', production)) - {"DATABASE_URL", "REDIS_URL"}
    assert required <= documented
    assert {"POSTGRES_PASSWORD", "ALLOWED_HOSTS", "EMAIL_URL"} <= documented


def test_production_settings_pass_the_deploy_security_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", "--tag", "security"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

"""The production shape: compose file, environment contract, and Django's deploy checks."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
    "ALLOWED_HOSTS": "handwritten.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://handwritten.example.com",
}


# The suite's own environment must not leak into the "production" process under test.
SCRUBBED = {
    "SECRET_KEY",
    "DEBUG",
    "HANDWRITTEN_TESTING",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECURE_HSTS_PRELOAD",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_runs_web_worker_db_redis_and_an_object_store_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"web", "worker", "db", "redis", "minio", "minio-bucket"}
    for name, service in services.items():
        if name != "minio-bucket":  # a one-shot job that creates the bucket
            assert "healthcheck" in service, name
    assert "mc mb --ignore-existing" in services["minio-bucket"]["entrypoint"]
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert "migrate" in services["web"]["command"]
    assert "gunicorn" in services["web"]["command"]
    assert "celery" in services["worker"]["command"]
    assert "pgdata" in compose["volumes"] and "miniodata" in compose["volumes"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert env["RELEASES_ENDPOINT_URL"].endswith("minio:9000}")
        # Release files live in the object store: web and worker share no volume.
        assert "volumes" not in services[name]
    assert (ROOT / "Dockerfile").exists()


def test_every_variable_the_settings_read_is_documented_in_env_example():
    source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z_]+)\"", source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    internal = {"HANDWRITTEN_TESTING"}
    assert read - internal <= documented, sorted(read - internal - documented)
    for name in (
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "DATABASE_URL",
        "REDIS_URL",
        "MEDIA_ROOT",
        "SIGNUP_EMAIL_DOMAINS",
    ):
        assert name in read, name


def test_production_settings_pass_check_deploy_without_warnings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_hsts_preload_only_when_configured():
    script = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"
    for env, preload in ((PROD_ENV, "False"), ({**PROD_ENV, "SECURE_HSTS_PRELOAD": "1"}, "True")):
        result = _manage("shell", "-c", script, env=env)
        assert result.stdout.strip().splitlines()[-1] == preload, result.stderr
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PROD_ENV, "SECURE_HSTS_PRELOAD": "1"}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key():
    env = {k: v for k, v in PROD_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked():
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=PROD_ENV
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_healthz_answers_without_a_known_host(client, db):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_the_image_leaves_out_the_local_venv_history_and_data():
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    # COPY . . would otherwise put a developer's venv, git history and local database
    # (with whatever pairs it holds) into the image.
    assert {".git", ".venv", "media", "db.sqlite3*"} <= ignored

"""Sessions: read from Redis with the database behind it in production, and a session
ended anywhere is ended everywhere."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
CACHED_DB = "django.contrib.sessions.backends.cached_db"


def _session_engine(**env: str) -> str:
    environ = {"PATH": os.environ.get("PATH", ""), "SECRET_KEY": "x" * 50, **env}
    code = "import json; from config import settings; print(json.dumps(settings.SESSION_ENGINE))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_with_redis_reads_sessions_from_the_cache():
    assert _session_engine(REDIS_URL="redis://127.0.0.1:6379/0") == CACHED_DB


def test_without_a_shared_cache_sessions_stay_in_the_database():
    database = "django.contrib.sessions.backends.db"
    assert _session_engine() == database
    # Tests keep a per-process cache, which must not hold sessions.
    assert _session_engine(REDIS_URL="redis://x:6379/0", HANDWRITTEN_TESTING="1") == database


@pytest.fixture
def redis_sessions():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs Redis (REDIS_URL)")
    # Keys of their own, deleted one by one: clear() would flush the whole Redis database,
    # which the broker shares (a worker's queued tasks, another run's).
    prefix = f"test-sessions-{uuid.uuid4().hex}"
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
    }
    with override_settings(SESSION_ENGINE=CACHED_DB, CACHES={"default": cache}):
        yield
    server = redis.Redis.from_url(url)
    for key in server.scan_iter(match=f"{prefix}:*"):
        server.delete(key)
    server.close()


def test_a_signed_in_request_reads_no_session_row(redis_sessions, client, bob):
    client.force_login(bob)
    client.get("/")  # the first read after sign-in may fill the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/review/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(redis_sessions, client, bob):
    client.force_login(bob)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/review/").status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # a copy kept elsewhere
    assert client.get("/review/").status_code == 302

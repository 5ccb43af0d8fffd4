"""The production stack for real: gunicorn serving the app, a Celery worker on Redis.

Both run as subprocesses in production mode (DEBUG and HANDWRITTEN_TESTING unset, so
Secure cookies, whitenoise's manifest static files, login rate limiting, the slow password
hasher), on the test database, with a MEDIA_ROOT they share and a queue of their own. The
test signs in over plain HTTP, asks for a release, polls its page until the worker has
built it, downloads every file and the zip, and checks them against manifest.json.

PostgreSQL with REDIS_URL only (the second pass of ``make test``): the processes must see
the rows the test commits, which no other process can in the in-memory SQLite test database.
"""

import hashlib
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import zipfile
from operator import itemgetter

import pytest
import redis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from annotation.roles import ADMIN, CONTRIBUTOR
from annotation.workflow import S
from exports.models import Release
from tests.factories import PASSWORD, make_pair, make_user
from tests.integration.client import Client, csrf_token, links
from tests.integration.processes import (
    ROOT,
    database_url,
    free_port,
    start,
    start_worker,
    unique_queue,
    wait_until,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
BUILD_SECONDS = 90


def production_env(*, tmp_path, home: str, queue: str) -> dict[str, str]:
    """What a deployment sets, and nothing of the test run's own environment."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        # gunicorn puts its control socket under ~/.gunicorn: one per run, not per machine,
        # and in a short path (a unix socket's path has a 108 byte limit).
        "HOME": home,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "ALLOWED_HOSTS": "127.0.0.1",
        # TLS ends at the proxy in production; here the test talks plain HTTP to gunicorn.
        "SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }


def _healthy(client: Client) -> bool:
    try:
        return client.get("/healthz").status == 200
    except OSError:
        return False


@pytest.fixture
def stack(request, transactional_db, tmp_path):
    """A client of a gunicorn server whose releases a Celery worker builds."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and REDIS_URL (the PostgreSQL pass of make test)")
    queue = unique_queue("hw-stack")
    services = request.node.services = []
    with tempfile.TemporaryDirectory(prefix="hw-") as home:
        env = production_env(tmp_path=tmp_path, home=home, queue=queue)
        logs = tmp_path / "logs"
        collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(collect, cwd=ROOT, env=env, check=True)
        client = Client("127.0.0.1", free_port())
        gunicorn = [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"127.0.0.1:{client.port}", "--workers", "2", "--timeout", "60"),
            *("--access-logfile", "-"),
        ]
        try:
            services.append(start_worker(env=env, logs=logs))
            services.append(start("gunicorn", gunicorn, env=env, logs=logs))
            wait_until(lambda: _healthy(client), what="gunicorn", services=services)
            yield client
        finally:
            for service in services:
                service.stop()
            broker = redis.Redis.from_url(settings.REDIS_URL)
            for key in broker.scan_iter(match=f"*{queue}*"):
                broker.delete(key)


@pytest.fixture
def approved(dolly, open_qa, closed_qa) -> list[dict]:
    """Three approved pairs, as the dolly.jsonl rows they should become."""
    alice = make_user("alice", CONTRIBUTOR)
    ada = make_user("ada", ADMIN, is_staff=True)
    # Production checks passwords with its own hashers, not the suite's fast one.
    hasher = PBKDF2PasswordHasher()
    ada.password = hasher.encode(PASSWORD, hasher.salt())
    ada.save(update_fields=["password"])
    rows = []
    for number, category in enumerate([open_qa, open_qa, closed_qa], start=1):
        pair = make_pair(
            author=alice,
            category=category,
            status=S.APPROVED,
            by=ada,
            instruction=f"Question {number}: what does a careful reader notice first?",
            response=f"Answer {number}, written by hand.",
        )
        text = pair.approved_revision
        rows.append(
            {
                "instruction": text.instruction,
                "context": text.context,
                "response": text.response,
                "category": category.slug,
            }
        )
    return rows


def sign_in(client: Client) -> None:
    page = client.get("/login/?next=/releases/dolly/")
    assert page.status == 200
    stylesheet = links(page.text, r"/static/css/app\.[0-9a-f]{12}\.css")
    assert stylesheet and client.get(stylesheet[0]).status == 200  # collected, hashed names
    signed_in = client.post(
        "/login/",
        {
            "csrfmiddlewaretoken": csrf_token(page.text),
            "login": "ada",
            "password": PASSWORD,
            "next": "/releases/dolly/",
        },
    )
    assert (signed_in.status, signed_in.location) == (302, "/releases/dolly/")
    session = [h for h in client.set_cookie_headers if h.startswith("sessionid=")]
    assert session and "Secure" in session[-1] and "HttpOnly" in session[-1]


def request_release(client: Client) -> str:
    """POST the new-release form; the path of the release's page."""
    releases = client.get("/releases/dolly/")
    assert releases.status == 200
    assert "3 approved pairs would ship now" in releases.text
    created = client.post(
        "/releases/dolly/",
        {
            "csrfmiddlewaretoken": csrf_token(releases.text),
            "test_fraction": "0.5",
            "notes": "Built by gunicorn and a real worker.",
        },
    )
    assert created.status == 302, created.text
    return created.location


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_release_requested_over_http_is_built_by_the_worker_and_downloads_intact(
    request, stack, approved
):
    sign_in(stack)
    release_page = request_release(stack)

    def built() -> bool:
        page = stack.get(release_page)
        assert page.status == 200
        assert "status-failed" not in page.text, page.text
        return "Download all (zip)" in page.text

    wait_until(built, what="the release", services=request.node.services, seconds=BUILD_SECONDS)
    page = stack.get(release_page).text
    release = Release.objects.get()
    assert (release.state, release.version, release.built_by.username) == ("ready", 1, "ada")

    files = {}
    for href in links(page, r"/releases/dolly/v1/files/.+"):
        download = stack.get(href)
        assert download.status == 200, href
        files[href.split("/files/", 1)[1]] = download.body
    manifest = json.loads(files["manifest.json"])
    assert manifest["version"] == "v1" and manifest["counts"]["total"] == 3
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(files) == {*listed, "manifest.json"}
    for name, entry in listed.items():
        assert (len(files[name]), sha256(files[name])) == (entry["bytes"], entry["sha256"]), name

    dolly = files["dolly.jsonl"].decode("utf-8").splitlines()
    records = [json.loads(line) for line in dolly]
    assert all(list(r) == ["instruction", "context", "response", "category"] for r in records)
    by_instruction = itemgetter("instruction")
    assert sorted(records, key=by_instruction) == sorted(approved, key=by_instruction)

    (zip_href,) = links(page, r"/releases/dolly/v1/download\.zip")
    archive = stack.get(zip_href)
    assert archive.status == 200
    assert 'filename="dolly-v1.zip"' in archive.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(archive.body)) as opened:
        assert opened.testzip() is None
        members = {name.removeprefix("dolly-v1/"): opened.read(name) for name in opened.namelist()}
    assert members == files

"""Two workers and a web server that share only PostgreSQL, Redis and an object store.

Each process has a MEDIA_ROOT and a build directory of its own, so a release reaches the
web only through the object store (moto's S3 server here, MinIO under docker compose):
one worker builds it, the web checks the admin, then redirects the download to a link
into the store, and streams the zip from it.
"""

import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import urllib.request
import zipfile

import pytest
import redis
from django.conf import settings
from django.db import connection

from exports.models import Release
from tests.exports.object_store import object_store  # noqa: F401 - a fixture
from tests.integration.client import Client, links
from tests.integration.processes import free_port, start, unique_queue, wait_until
from tests.integration.test_real_stack import (  # noqa: F401 - approved is a fixture
    _healthy,
    approved,
    production_env,
    request_release,
    sign_in,
)

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _worker(name: str, env: dict[str, str], logs):
    argv = [
        *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"),
        *("--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle"),
        f"--hostname={name}-{env['CELERY_QUEUE']}@%h",
    ]
    worker = start(name, argv, env=env, logs=logs)
    wait_until(lambda: "ready." in worker.output(), what=name, services=[worker])
    return worker


@pytest.fixture
def stack(request, transactional_db, tmp_path, object_store):  # noqa: F811
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and REDIS_URL (the PostgreSQL pass of make test)")
    queue = unique_queue("hw-s3")
    services = request.node.services = []
    logs = tmp_path / "logs"
    with tempfile.TemporaryDirectory(prefix="hw-") as home:

        def env(name: str) -> dict[str, str]:
            own = tmp_path / name
            return {
                **production_env(tmp_path=own, home=home, queue=queue),
                **object_store.env,
                "MEDIA_ROOT": str(own / "media"),
                "RELEASE_BUILD_DIR": str(own / "builds"),
            }

        web = env("web")
        client = Client("127.0.0.1", free_port())
        gunicorn = [
            *(sys.executable, "-m", "gunicorn", "config.wsgi"),
            *("--bind", f"127.0.0.1:{client.port}", "--workers", "2", "--timeout", "60"),
        ]
        collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
        subprocess.run(collect, cwd=settings.BASE_DIR, env=web, check=True)
        try:
            services.append(_worker("worker-1", env("worker-1"), logs))
            services.append(_worker("worker-2", env("worker-2"), logs))
            services.append(start("gunicorn", gunicorn, env=web, logs=logs))
            wait_until(lambda: _healthy(client), what="gunicorn", services=services)
            yield client, object_store, tmp_path
        finally:
            for service in services:
                service.stop()
            broker = redis.Redis.from_url(settings.REDIS_URL)
            for key in broker.scan_iter(match=f"*{queue}*"):
                broker.delete(key)


def test_a_release_built_by_one_worker_downloads_through_the_web(
    request,
    stack,
    approved,  # noqa: F811 - the fixture imported above
):
    client, store, root = stack
    sign_in(client)
    release_page = request_release(client)
    wait_until(
        lambda: "Download all (zip)" in client.get(release_page).text,
        what="the release",
        services=request.node.services,
        seconds=90,
    )
    release = Release.objects.get()
    assert store.keys() == sorted(release.files.values_list("storage_path", flat=True))
    workers = [s for s in request.node.services if s.name.startswith("worker")]
    done = re.compile(r"exports\.tasks\.build_release\[[^]]+\] succeeded")
    # The worker logs success after the task returns, a moment after the page says ready.
    wait_until(
        lambda: any(done.search(w.output()) for w in workers),
        what="the worker's success line",
        services=request.node.services,
    )
    built = [w.name for w in workers if done.search(w.output())]
    assert len(built) == 1, built  # one worker built it; the other never touched it

    page = client.get(release_page).text
    files = {}
    for href in links(page, r"/releases/dolly/v1/files/.+"):
        redirect = client.get(href)
        assert redirect.status == 302, href
        assert redirect.location.startswith(f"{store.endpoint}/")
        with urllib.request.urlopen(redirect.location) as download:  # noqa: S310
            files[href.split("/files/", 1)[1]] = download.read()
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        body = files[entry["name"]]
        assert hashlib.sha256(body).hexdigest() == entry["sha256"], entry["name"]

    archive = client.get("/releases/dolly/v1/download.zip")
    assert archive.status == 200
    with zipfile.ZipFile(io.BytesIO(archive.body)) as opened:
        members = {name.removeprefix("dolly-v1/"): opened.read(name) for name in opened.namelist()}
    assert members == files
    # Nothing of the release on any process's disk.
    assert not list(root.rglob("*.jsonl"))

"""A real `celery worker` on Redis builds releases in the test database (PostgreSQL only)."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from exports.attempts import STALE_AFTER
from exports.models import Release, ReleaseEntry
from exports.services import release_request, release_restart
from exports.tasks import build_release
from tests.exports.conftest import approved_pair, read

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 90


@pytest.fixture
def worker_env() -> dict[str, str]:
    """Extra environment for the workers a test starts."""
    return {}


@pytest.fixture
def real_worker(transactional_db, media_root, tmp_path, worker_env):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs REDIS_URL and PostgreSQL")
    db = settings.DATABASES["default"]
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}"
            f":{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "MEDIA_ROOT": str(media_root),
        "SECRET_KEY": settings.SECRET_KEY,
        "HANDWRITTEN_TESTING": "1",
    }
    started: list[subprocess.Popen] = []

    def start(*, seconds_per_row: float = 0, purge: bool = False) -> subprocess.Popen:
        log = tmp_path / f"worker-{len(started)}.log"
        program = (
            [sys.executable, "tests/exports/slow_worker.py", str(seconds_per_row)]
            if seconds_per_row
            else [sys.executable, "-m", "celery"]
        )
        argv = [
            *program,
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            f"--hostname=exports-test-{uuid.uuid4().hex[:8]}@%h",
            *(["--purge"] if purge else []),
        ]
        with open(log, "wb") as out:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**env, **worker_env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started.append(process)
        _wait(lambda: b"ready." in log.read_bytes(), f"worker did not start: {log.read_text()}")
        process.log = log
        return process

    yield start
    for process in started:
        kill(process)
    _forget_unacked_builds()


def _forget_unacked_builds() -> None:
    """Drop the build messages a killed worker left unacknowledged, and only those.

    Redis would hand them to some later worker on this database after the visibility
    timeout: a build of a test database that is gone by then.
    """
    broker = redis.Redis.from_url(settings.REDIS_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    for tag, raw in broker.hgetall("unacked").items():
        message, _exchange, routing_key = json.loads(raw)
        if routing_key == queue and message["headers"].get("task") == build_release.name:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


def kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _wait(condition, message: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(message)
        time.sleep(0.2)


def _state(release: Release) -> str:
    release.refresh_from_db()
    return release.state


def _rows_total(release: Release) -> int:
    release.refresh_from_db()
    return release.rows_total


def _stored(media_root: Path) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def test_the_worker_builds_a_requested_release(real_worker, dolly, open_qa, alice, bob, ada):
    for _ in range(3):
        approved_pair(author=alice, category=open_qa, by=ada, reviewers=[bob])
    worker = real_worker(purge=True)

    release, _ = release_request(dataset=dolly, by=ada, test_fraction=0.5)

    _wait(lambda: _state(release) in ("ready", "failed"), worker.log.read_text())
    assert release.state == "ready", release.error
    assert (release.version, release.attempts, release.total_count) == (1, 1, 3)
    assert release.rows_written == release.rows_total == 3
    assert read(release, "dolly.jsonl").count(b"\n") == 3
    assert release.files.count() == 10


@pytest.fixture
def builds(tmp_path) -> Path:
    return tmp_path / "builds"


@pytest.mark.parametrize(
    "worker_env",
    [
        # A build stalls after 3 s without a heartbeat; the broker hands an unacknowledged
        # task on after 6 s (production: an hour and five minutes, see the settings).
        {
            "RELEASE_STALE_SECONDS": "3",
            "CELERY_VISIBILITY_TIMEOUT": "6",
            "CELERY_RESTORE_SECONDS": "1",
        },
    ],
)
def test_a_build_whose_worker_was_killed_is_finished_without_a_person(
    real_worker, worker_env, builds, dolly, open_qa, alice, ada, media_root
):
    worker_env["RELEASE_BUILD_DIR"] = str(builds)
    for _ in range(40):
        approved_pair(author=alice, category=open_qa, by=ada)
    doomed = real_worker(seconds_per_row=0.25, purge=True)
    release, _ = release_request(dataset=dolly, by=ada, test_fraction=0.1)
    _wait(lambda: _rows_total(release) == 40, doomed.log.read_text())
    time.sleep(1)  # well into writing the files
    kill(doomed)
    # The killed build's files stay behind in its attempt's directory...
    token = Release.objects.get(pk=release.pk).build_token
    assert [path.name for path in builds.iterdir()] == [f"release-{release.pk}-{token}"]
    assert _state(release) == "building" and release.attempts == 1

    # ... until another worker is given the task again, takes the stalled build over
    # and finishes it; no one presses Restart.
    worker = real_worker()
    _wait(lambda: _state(release) in ("ready", "failed"), worker.log.read_text())
    assert release.state == "ready", release.error
    assert (release.version, release.attempts) == (1, 2)
    assert read(release, "dolly.jsonl").count(b"\n") == 40
    assert list(builds.iterdir()) == []


def test_a_worker_killed_mid_build_leaves_one_ready_release(
    real_worker, dolly, open_qa, alice, ada, media_root
):
    for _ in range(40):
        approved_pair(author=alice, category=open_qa, by=ada)
    doomed = real_worker(seconds_per_row=0.25, purge=True)
    release, _ = release_request(dataset=dolly, by=ada, test_fraction=0.1)
    # Streaming: the count of rows to write is recorded just before the first row.
    _wait(lambda: _rows_total(release) == 40, doomed.log.read_text())
    time.sleep(1)  # well into writing the files
    kill(doomed)

    assert _state(release) == "building" and release.attempts == 1
    assert release.version is None and not release.files.exists()
    # Its entries stay with a release that is not ready (nothing counts them as shipped)
    # until the next attempt discards them.
    assert ReleaseEntry.objects.filter(release=release).count() == 40

    # Minutes pass without a heartbeat: the admin sees a stalled build and restarts it.
    Release.objects.filter(pk=release.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - timezone.timedelta(seconds=1)
    )
    worker = real_worker()
    release_restart(release=release, by=ada)

    _wait(lambda: _state(release) in ("ready", "failed"), worker.log.read_text())
    assert release.state == "ready", release.error
    assert (release.version, release.attempts) == (1, 2)
    assert Release.objects.filter(dataset=dolly, state="ready").count() == 1
    assert release.entries.count() == 40
    assert read(release, "dolly.jsonl").count(b"\n") == 40
    assert _stored(media_root) == sorted(
        str(Path(path)) for path in release.files.values_list("storage_path", flat=True)
    )

"""Real processes for tests: a Celery worker and a gunicorn server on the test database.

The test database only exists while a test runs, so these are started by fixtures and
stopped in their teardown. Each one writes its output to a log file; a test that fails
gets those logs in its report (see ``attach_logs``).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60
STOP_SECONDS = 20


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """TERM the whole process group (gunicorn and prefork workers have children)."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_SECONDS)


def database_url() -> str:
    """DATABASE_URL of the database this test runs on (Django's ``test_...`` one)."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def unique_queue(prefix: str) -> str:
    """A queue name no other run uses, so parallel runs on one Redis database stay apart."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], *, what: str, services=(), seconds=START_SECONDS):
    """Poll ``condition`` until it holds; fail with the services' logs after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        for service in services:
            if service.process.poll() is not None:
                pytest.fail(f"{service.name} exited while waiting for {what}:\n{service.output()}")
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {s.name} ---\n{s.output()}" for s in services)
            pytest.fail(f"Gave up after {seconds} s waiting for {what}.\n{logs}")
        time.sleep(0.2)


def start(name: str, argv: list[str], *, env: dict[str, str], logs: Path) -> Service:
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Service(name=name, process=process, log=log)


def start_worker(*, env: dict[str, str], logs: Path, purge: bool = False) -> Service:
    """``celery -A config worker`` with one process, on the queue named in env CELERY_QUEUE."""
    argv = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        f"--hostname={env['CELERY_QUEUE']}@%h",
        *(["--purge"] if purge else []),
    ]
    worker = start("celery worker", argv, env=env, logs=logs)
    try:
        wait_until(lambda: "ready." in worker.output(), what="the worker", services=[worker])
    except BaseException:
        worker.stop()
        raise
    return worker


def attach_logs(item: pytest.Item, report: pytest.TestReport) -> None:
    """Add the logs of the services a failed test started to its report."""
    if report.failed:
        for service in getattr(item, "services", ()):
            report.sections.append((f"{service.name} log", service.output()))

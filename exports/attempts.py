"""Who is building a release right now, and what happens when that builder dies.

Each run of the build task claims the release as an *attempt* with a fresh token. Only the
current token may report progress, record a failure or publish, so a builder that was
given up on can never publish late. Recovery rules:

- queued: the first task to run claims it.
- ready or failed: nothing to do (a retry or a duplicate delivery is a no-op).
- building with a heartbeat newer than ``STALE_AFTER``: someone is on it; the task is
  retried later (``BUSY``), so a redelivery never runs two builds at once.
- building with an older heartbeat: its builder died (SIGKILL, OOM, lost machine). The
  next attempt takes over and rebuilds from scratch: it throws away the dead attempt's
  entries and stored files first. After ``MAX_ATTEMPTS`` the release is marked failed.
"""

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from annotation.audit import audit
from exports.models import Release

STALE_AFTER = timedelta(seconds=settings.HANDWRITTEN_RELEASE_STALE_SECONDS)
MAX_ATTEMPTS = 3
# How often a live build writes its progress and heartbeat; far below STALE_AFTER.
HEARTBEAT_SECONDS = 1.0

BUSY = "busy"
DONE = "done"

State = Release.State


class Superseded(Exception):
    """This attempt no longer owns the release (it was taken over); stop without a trace."""


@dataclass
class Attempt:
    release: Release
    token: str


def is_stale(release: Release) -> bool:
    """Nothing has worked on the release for STALE_AFTER: its builder, if any, is dead."""
    beat = release.heartbeat_at or release.started_at or release.created_at
    return beat < timezone.now() - STALE_AFTER


def is_live(release: Release) -> bool:
    """A builder is at work on the release: it builds under a fresh heartbeat."""
    return release.state == State.BUILDING and not is_stale(release)


def attempt_start(*, release_id: int) -> Attempt | str:
    """Claim the release for a new attempt, or say why not (``DONE`` / ``BUSY``)."""
    with transaction.atomic():
        release = Release.objects.select_for_update().select_related("dataset").get(pk=release_id)
        if release.state in (State.READY, State.FAILED):
            return DONE
        if is_live(release):
            return BUSY
        if release.attempts >= MAX_ATTEMPTS:
            release.state = State.FAILED
            release.error = f"Gave up after {release.attempts} attempts that did not finish."
            release.finished_at = timezone.now()
            release.save(update_fields=["state", "error", "finished_at"])
            audit(actor=None, verb="release.fail", obj=release, error=release.error)
            return DONE
        now = timezone.now()
        release.state = State.BUILDING
        release.attempts += 1
        release.build_token = uuid.uuid4().hex
        release.started_at = now
        release.heartbeat_at = now
        release.rows_written = 0
        release.save(
            update_fields=[
                "state",
                "attempts",
                "build_token",
                "started_at",
                "heartbeat_at",
                "rows_written",
            ]
        )
        audit(actor=None, verb="release.build", obj=release, attempt=release.attempts)
    return Attempt(release=release, token=release.build_token)


class Heartbeat:
    """Progress callback: writes rows written (and the heartbeat) at most once a second.

    Raises :class:`Superseded` as soon as a write finds the token changed.
    """

    def __init__(self, attempt: Attempt) -> None:
        self.attempt = attempt
        self._last = float("-inf")

    def _owned(self) -> QuerySet[Release]:
        return Release.objects.filter(
            pk=self.attempt.release.pk, build_token=self.attempt.token, state=State.BUILDING
        )

    def start(self, total: int) -> None:
        if not self._owned().update(rows_total=total, heartbeat_at=timezone.now()):
            raise Superseded
        self.attempt.release.rows_total = total

    def __call__(self, written: int, *, force: bool = False) -> bool:
        """Record ``written`` unless it did so less than a second ago; True if it wrote."""
        now = time.monotonic()
        if not force and now - self._last < HEARTBEAT_SECONDS:
            return False
        self._last = now
        if not self._owned().update(rows_written=written, heartbeat_at=timezone.now()):
            raise Superseded
        self.attempt.release.rows_written = written
        return True

    @contextmanager
    def kept_alive(self, written: int) -> Iterator[None]:
        """Beat every second on a thread of its own while the body runs: one file's
        upload to an object store may outlast STALE_AFTER by itself, after which the
        build would look dead and be taken over. Raises :class:`Superseded` after the
        body if a beat found the release taken over meanwhile.

        Inside a transaction (a test's) it beats only before the body: a thread's own
        connection would not see the transaction's rows."""
        self(written, force=True)
        if connection.in_atomic_block:
            yield
            return
        stop, superseded = threading.Event(), threading.Event()

        def beat() -> None:
            try:
                while not stop.wait(HEARTBEAT_SECONDS):
                    self(written, force=True)
            except Superseded:
                superseded.set()
            finally:
                connection.close()  # this thread's own

        beating = threading.Thread(target=beat, name="release-heartbeat", daemon=True)
        beating.start()
        try:
            yield
        finally:
            stop.set()
            beating.join()
        if superseded.is_set():
            raise Superseded


def attempt_fail(*, attempt: Attempt, error: str) -> bool:
    """Record that this attempt failed with ``error``; False if it had been superseded."""
    with transaction.atomic():
        release = Release.objects.select_for_update().get(pk=attempt.release.pk)
        if release.state != State.BUILDING or release.build_token != attempt.token:
            return False
        release.state = State.FAILED
        release.error = error
        release.finished_at = timezone.now()
        release.save(update_fields=["state", "error", "finished_at"])
        audit(actor=None, verb="release.fail", obj=release, error=error[:500])
    attempt.release = release
    return True

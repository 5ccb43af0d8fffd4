"""What an admin does to releases: ask for one, restart one whose builder died."""

import threading

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections, transaction

from annotation.audit import audit
from annotation.models import Dataset
from exports.attempts import is_stale
from exports.models import Release
from exports.tasks import build_release


class ReleaseImmutable(Exception):
    """A ready release never changes."""


class NotRestartable(Exception):
    pass


def release_create(
    *,
    dataset: Dataset,
    by: User | None,
    notes: str = "",
    categories: list[str] | tuple[str, ...] = (),
    test_fraction: float,
) -> Release:
    """A queued release of ``dataset``; nothing builds it yet (see :func:`release_request`)."""
    with transaction.atomic():
        release = Release.objects.create(
            dataset=dataset,
            notes=notes,
            filters={"categories": sorted(set(categories)), "test_fraction": test_fraction},
            built_by=by if getattr(by, "pk", None) else None,
        )
        audit(actor=by, verb="release.create", obj=release, filters=release.filters)
    return release


def _enqueue(release: Release) -> None:
    # After commit: the worker must find the row, and must not build a rolled-back one.
    if settings.HANDWRITTEN_BUILD_IN_BACKGROUND:
        transaction.on_commit(lambda: _build_in_background(release.pk))
    else:
        transaction.on_commit(lambda: build_release.delay(release.pk))


def _build_in_background(release_id: int) -> None:
    """The task, run in this process on a thread of its own: without a broker the request
    would otherwise wait for the whole build, and its page never show progress."""

    def run() -> None:
        try:
            build_release.apply(args=[release_id])
        finally:
            connections.close_all()  # the thread's own

    threading.Thread(target=run, name=f"release-{release_id}", daemon=True).start()


def release_request(
    *,
    dataset: Dataset,
    by: User,
    notes: str = "",
    categories: list[str] | tuple[str, ...] = (),
    test_fraction: float,
) -> Release:
    """Create a queued release and hand it to the worker once the row is committed."""
    with transaction.atomic():
        release = release_create(
            dataset=dataset, by=by, notes=notes, categories=categories, test_fraction=test_fraction
        )
        _enqueue(release)
    return release


def can_restart(release: Release) -> bool:
    return release.in_progress and is_stale(release)


def release_restart(*, release: Release, by: User) -> Release:
    """Enqueue again a queued or building release that nothing has worked on for a while.

    The task then takes it over from the dead builder and rebuilds it from scratch.
    """
    with transaction.atomic():
        locked = Release.objects.select_for_update().get(pk=release.pk)
        if locked.state == Release.State.READY:
            raise ReleaseImmutable("A ready release never changes.")
        if not can_restart(locked):
            raise NotRestartable("Only a build that has stalled can be restarted.")
        audit(actor=by, verb="release.restart", obj=locked, state=locked.state)
        _enqueue(locked)
    return locked

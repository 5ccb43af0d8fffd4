"""What an admin does to releases: ask for one, restart one whose builder died."""

import threading

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, transaction

from annotation.audit import audit
from annotation.models import Dataset
from annotation.pairs import shipped_pairs
from exports.attempts import is_stale
from exports.models import IN_PROGRESS, Release
from exports.tasks import build_release


class ReleaseImmutable(Exception):
    """A ready release never changes."""


class NotRestartable(Exception):
    pass


def _filters(categories: list[str] | tuple[str, ...], test_fraction: float) -> dict:
    return {"categories": sorted(set(categories)), "test_fraction": test_fraction}


def release_validate(
    *, dataset: Dataset, categories: list[str] | tuple[str, ...], test_fraction: float
) -> None:
    """Raise a ValidationError, by field, if no release can be made of this selection."""
    if not 0 <= test_fraction < 1:
        raise ValidationError(
            {"test_fraction": "The test fraction must be at least 0 and below 1, for example 0.1."}
        )
    unknown = set(categories) - set(dataset.categories.values_list("slug", flat=True))
    if unknown:
        raise ValidationError({"categories": f"Unknown categories: {', '.join(sorted(unknown))}."})
    if not shipped_pairs(dataset=dataset, categories=categories).exists():
        where = "in these categories." if categories else "in this dataset yet."
        field = "categories" if categories else NON_FIELD_ERRORS
        raise ValidationError({field: f"Nothing to release: there are no approved pairs {where}"})


def release_create(
    *,
    dataset: Dataset,
    by: User | None,
    notes: str = "",
    categories: list[str] | tuple[str, ...] = (),
    test_fraction: float,
) -> Release:
    """A queued release of ``dataset``; nothing builds it yet (see :func:`release_request`).

    Raises a ValidationError (see :func:`release_validate`) if there is nothing to release.
    """
    release_validate(dataset=dataset, categories=categories, test_fraction=test_fraction)
    with transaction.atomic():
        release = Release.objects.create(
            dataset=dataset,
            notes=notes,
            filters=_filters(categories, test_fraction),
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
) -> tuple[Release, bool]:
    """(release, True): a queued release, handed to the worker once the row is committed.
    (release, False): the same release (dataset, categories, test fraction, notes) was
    already queued or building, and is that one: a second click must not build it twice."""
    with transaction.atomic():
        # Held until commit, so that a second request at once waits here, then finds this one.
        Dataset.objects.select_for_update().get(pk=dataset.pk)
        for waiting in Release.objects.filter(dataset=dataset, state__in=IN_PROGRESS, notes=notes):
            if waiting.filters == _filters(categories, test_fraction):
                return waiting, False
        release = release_create(
            dataset=dataset, by=by, notes=notes, categories=categories, test_fraction=test_fraction
        )
        _enqueue(release)
    return release, True


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

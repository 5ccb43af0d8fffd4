"""Building a release, the whole path in one place.

1. The attempt claims the release (:mod:`exports.attempts`) and gets one directory of
   its own for its files, which a later build removes if this one is killed.
2. The release's entries are recorded in one statement (:mod:`exports.selection`).
3. Its rows are read once (:mod:`exports.rows`) and every block goes to every format
   (:mod:`exports.formats`), with progress recorded as they go.
4. The formats finish their files and the release is published (:mod:`exports.publishing`).
"""

import logging
import re
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from annotation.flags import unshippable_findings
from exports.attempts import (
    BUSY,
    DONE,
    Attempt,
    Heartbeat,
    Superseded,
    attempt_fail,
    attempt_start,
    is_live,
)
from exports.formats import Format, formats
from exports.models import Release, ReleaseEntry
from exports.prefetch import prefetched
from exports.publishing import discard_attempts, publish
from exports.rows import release_rows
from exports.selection import entries_record

logger = logging.getLogger(__name__)


# An attempt's directory: release-<id>-<attempt token> ("build" in place of the token
# before attempts had directories of their own).
_BUILD_DIRECTORY = re.compile(r"release-(\d+)-(build|[0-9a-f]{32})")
# Pairs left out for an unconfirmed finding that a release lists (by id and kinds).
LEFT_OUT_LISTED = 100


@dataclass
class Written:
    total: int
    counts: dict  # the categories and splits of Release.counts
    # [{"id": public id, "kinds": [...]}, ...]: at most LEFT_OUT_LISTED, then "more".
    left_out: list = field(default_factory=list)


def write_rows(
    *, release: Release, into: Sequence[Format], on_progress: Callable[[int], None] | None = None
) -> Written:
    """Every row of the release (its entries, recorded before) to every format; after each
    block, ``on_progress`` gets the number of rows written so far."""
    categories: Counter[str] = Counter()
    splits: Counter[str] = Counter(dict.fromkeys(ReleaseEntry.Split.values, 0))
    written = 0
    # The counts below read the category and the split of every row.
    columns = {"category", "split"}.union(*(format_.columns for format_ in into))
    for block in prefetched(lambda: release_rows(release=release, columns=columns)):
        for format_ in into:
            format_.write(block)
        categories.update(block["category"])
        splits.update(block["split"])
        written += len(block)
        if on_progress is not None:
            on_progress(written)
    return Written(
        total=written,
        counts={"categories": dict(sorted(categories.items())), "splits": dict(splits)},
    )


def build_directory(release_id: int, token: str) -> Path:
    """The attempt's own directory for its files, and a sweep of what other attempts left:
    every directory but those of the attempts that hold their release under a live
    heartbeat. An attempt given up on may still be running; it can no longer publish, and
    its directory is another than its successor's, so it never empties theirs."""
    root = settings.HANDWRITTEN_BUILD_DIR
    root.mkdir(parents=True, exist_ok=True)
    # Listed once: a directory another worker makes after this listing is that worker's
    # (its attempt held the release before it made the directory).
    found = [
        (int(match[1]), match[2], path)
        for path in root.iterdir()
        if (match := _BUILD_DIRECTORY.fullmatch(path.name)) and path.is_dir()
    ]
    building = Release.objects.filter(
        pk__in={pk for pk, _, _ in found}, state=Release.State.BUILDING
    )
    holders = {release.pk: release.build_token for release in building if is_live(release)}
    for pk, name, path in found:
        # "build": an attempt from before attempts had directories of their own.
        if pk not in holders or name not in ("build", holders[pk]):
            shutil.rmtree(path, ignore_errors=True)
    directory = root / f"release-{release_id}-{token}"
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    return directory


def _left_out(release: Release) -> list:
    """The pairs the release leaves out for an unconfirmed finding, logged and listed by
    id and kind, never the value."""
    found = unshippable_findings(
        dataset=release.dataset, categories=release.categories, limit=LEFT_OUT_LISTED + 1
    )
    for public_id, kinds in found[:LEFT_OUT_LISTED]:
        logger.warning("Release %s leaves out pair %s: %s.", release.pk, public_id, kinds)
    listed = [{"id": str(public_id), "kinds": kinds} for public_id, kinds in found]
    return listed[:LEFT_OUT_LISTED] + ([{"more": True}] if len(found) > LEFT_OUT_LISTED else [])


def _entries_and_left_out(release: Release) -> tuple[int, list]:
    """The release's entries recorded, and the pairs it leaves out listed, from one view of
    the data: a finding confirmed between two statements would leave its pair neither
    shipped nor listed. On PostgreSQL one REPEATABLE READ transaction gives both
    statements its snapshot; SQLite's transaction does by itself. A build already inside a
    transaction (a test's) runs them in it."""
    if connection.in_atomic_block:
        return entries_record(release=release), _left_out(release)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return entries_record(release=release), _left_out(release)


def release_build(
    *, release_id: int, on_progress: Callable[[Release], None] | None = None
) -> Release | str:
    """Build and publish the release, or return ``DONE`` / ``BUSY`` if there is nothing to do.

    Idempotent: a ready or failed release is left alone; a release another live builder
    holds is ``BUSY``. A failure records its error on the release (state failed) and
    removes everything the attempt wrote; it does not raise.
    """
    attempt = attempt_start(release_id=release_id)
    if attempt in (DONE, BUSY):
        return attempt
    directory = None
    try:
        if attempt.release.attempts > 1:  # an earlier attempt may have left entries and files
            discard_attempts(release=attempt.release)
        directory = build_directory(release_id, attempt.token)
        return _build(attempt, directory, on_progress)
    except Superseded:
        logger.warning("Release %s: attempt %s was superseded.", release_id, attempt.token)
        return DONE
    except Exception as exc:
        logger.exception("Release %s failed.", release_id)
        if attempt_fail(attempt=attempt, error=f"{type(exc).__name__}: {exc}"):
            discard_attempts(release=attempt.release)
        return attempt.release
    finally:
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)


def _build(
    attempt: Attempt, directory: Path, on_progress: Callable[[Release], None] | None
) -> Release:
    release = attempt.release
    heartbeat = Heartbeat(attempt)
    total, left_out = _entries_and_left_out(release)
    heartbeat.start(total)

    def progress(written: int) -> None:
        if heartbeat(written) and on_progress is not None:
            on_progress(release)

    opened: list[Format] = []
    try:
        for format_ in formats():
            opened.append(format_(directory))
        written = write_rows(release=release, into=opened, on_progress=progress)
        written.left_out = left_out
        heartbeat(written.total, force=True)
        return publish(attempt=attempt, heartbeat=heartbeat, formats=opened, written=written)
    except BaseException:
        for format_ in opened:
            format_.abort()
        raise

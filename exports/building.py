"""Building a release: stream the shipped rows once into every format, then publish.

:func:`export` is a generator: it yields the number of rows written so far and returns
what it wrote. The Celery task and the ``build_release`` command both run it through
:func:`release_build`; a benchmark can run it alone with fewer writers.
"""

import json
import logging
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

from exports.attempts import BUSY, DONE, Attempt, Heartbeat, Superseded, attempt_fail, attempt_start
from exports.copying import copy_blocks
from exports.models import Release
from exports.parquet import ParquetSplits
from exports.publishing import discard_attempts, publish
from exports.recording import EntriesRecorder, can_record_beside
from exports.rows import python_blocks
from exports.selection import entries_select
from exports.writers import (
    LINE_WRITERS,
    Block,
    LinesWriter,
    Spool,
    WrittenFile,
)

logger = logging.getLogger(__name__)


def release_blocks(
    *, release: Release, columns: set[str], snapshot: str | None = None
) -> Generator[Block, None, None]:
    """The release's rows in pair-id order, as blocks with ``columns``, in bounded memory:
    from its entries, or from the ``snapshot`` they are being recorded in."""
    if connection.vendor == "postgresql":
        return copy_blocks(release=release, columns=columns, snapshot=snapshot)
    return python_blocks(release=release, columns=columns)


@dataclass
class Export:
    files: list[WrittenFile]
    total: int = 0
    categories: dict[str, int] = field(default_factory=dict)
    splits: dict[str, int] = field(default_factory=dict)

    @property
    def counts(self) -> dict:
        return {"categories": self.categories, "splits": self.splits}


def export(
    *,
    release: Release,
    directory: Path,
    writers: tuple[type[LinesWriter], ...] = LINE_WRITERS,
    parquet: bool = True,
) -> Generator[int, None, Export]:
    """Record the entries, write the data files into ``directory``; yields rows written.

    The first yield is the number of rows to write. Later ones come only while nothing is
    streaming on the connection, so whoever drives this may use it then.
    """
    spool = Spool()
    opened: list[LinesWriter] = []
    tables: ParquetSplits | None = None
    recorder: EntriesRecorder | None = None
    blocks: Generator[Block, None, None] | None = None
    categories: Counter[bytes] = Counter()
    splits: Counter[bytes] = Counter({b"train": 0, b"test": 0})
    written = 0
    columns = {"category", "split"}.union(
        *(writer.columns() for writer in writers), ParquetSplits.columns() if parquet else ()
    )
    try:
        if can_record_beside():
            # Its thread connects and takes the snapshot while the files open.
            recorder = EntriesRecorder(release=release)
            recorder.start()
        # Files and threads before the rows, while nothing else runs; inside the try, so
        # that if a file cannot be opened, whatever was opened before it is closed.
        opened += (writer(directory, spool=spool) for writer in writers)
        tables = ParquetSplits(directory) if parquet else None
        snapshot = None
        if recorder is not None:
            snapshot = recorder.snapshot()
            yield recorder.count()
        else:
            yield entries_select(release=release)
        blocks = release_blocks(release=release, columns=columns, snapshot=snapshot)
        for block in blocks:
            for writer in opened:
                writer.write(block)
            if tables is not None:
                tables.write(block)
            categories.update(block.columns["category"])
            splits.update(block.columns["split"])
            written += block.size
            if block.settled:
                yield written
        if recorder is not None and (recorded := recorder.commit()) != written:
            raise RuntimeError(f"{written} rows written but {recorded} entries recorded.")
        files = [writer.close() for writer in opened]
        spool.close()
        if tables is not None:
            files += tables.close()
    except BaseException as exc:
        if blocks is not None:
            # Now, not when the traceback goes: ends the statement streaming the rows.
            blocks.close()
        spool.abort()
        for writer in opened:
            writer.abort()
        if tables is not None:
            tables.abort()
        if recorder is not None and (failure := recorder.abort()) not in (None, exc):
            raise failure from exc
        raise
    yield written
    return Export(
        files=files,
        total=written,
        categories=dict(sorted((json.loads(name), n) for name, n in categories.items())),
        splits={name.decode(): n for name, n in splits.items()},
    )


def run_export(gen: Generator[int, None, Export], on_progress: Callable[[int], None]) -> Export:
    """Drive an :func:`export` generator, reporting each yield; returns its result."""
    while True:
        try:
            on_progress(next(gen))
        except StopIteration as stop:
            return stop.value


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
    if attempt.took_over or attempt.release.attempts > 1:
        discard_attempts(release=attempt.release)
    directory = Path(tempfile.mkdtemp(prefix=f"release-{release_id}-"))
    try:
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
        shutil.rmtree(directory, ignore_errors=True)


def _build(attempt: Attempt, directory: Path, on_progress) -> Release:
    release = attempt.release
    heartbeat = Heartbeat(attempt)
    exporting = export(release=release, directory=directory)
    heartbeat.start(next(exporting))

    def progress(written: int) -> None:
        if heartbeat(written) and on_progress is not None:
            on_progress(release)

    result = run_export(exporting, progress)
    heartbeat(result.total, force=True)
    return publish(attempt=attempt, directory=directory, export=result)

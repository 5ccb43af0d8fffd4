"""Building a release: stream the shipped rows once into every format, then publish.

:func:`export` is a generator: it yields the number of rows written so far and returns
what it wrote. The Celery task and the ``build_release`` command both run it through
:func:`release_build`; a benchmark can run it alone with fewer writers.
"""

import logging
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from pathlib import Path

from django.db.models import CharField, F, QuerySet
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI
from django.utils.crypto import salted_hmac

from exports.attempts import BUSY, DONE, Attempt, Heartbeat, Superseded, attempt_fail, attempt_start
from exports.models import Release, ReleaseEntry
from exports.publishing import discard_attempts, publish
from exports.selection import entries_select
from exports.writers import DATA_WRITERS, Row, Writer, WrittenFile, json_str
from review.models import Review

logger = logging.getLogger(__name__)
# Rows fetched per round trip (a server-side cursor on PostgreSQL). A review is two
# integers, so many more of them fit in the same memory: ten times fewer round trips.
FETCH_ROWS = 5000
REVIEW_FETCH_ROWS = 50_000
# Rows per batch handed to the writers (and between progress reports).
BATCH_ROWS = 1000

# The annotations last, in the order they are made: the order the SELECT lists them in.
_ENTRY_FIELDS = (
    "pair_id",
    "revision_id",
    "split",
    "revision__number",
    "revision__category__slug",
    "revision__instruction",
    "revision__context",
    "revision__response",
    "revision__source_url",
    "pair__author_id",
    "public_text",
    "created_text",
    "approved_text",
)


_TEXT_FIELDS = (
    "split",
    "revision__category__slug",
    "revision__instruction",
    "revision__context",
    "revision__response",
)


class Pseudonyms(dict[int, str]):
    """Stable per-user ids: HMAC-SHA256 of the user id, keyed from SECRET_KEY, truncated.

    A dict that fills itself: a known user (nearly every lookup, three a row) costs one C
    dict lookup, no Python call.
    """

    SALT = "handwritten.exports.pseudonym"

    def __missing__(self, user_id: int) -> str:
        digest = salted_hmac(self.SALT, str(user_id), algorithm="sha256").hexdigest()
        name = self[user_id] = digest[:16]
        return name

    __call__ = dict.__getitem__


def _as_text(field: str) -> Cast:
    # Read as text: turning a million values into datetimes or UUIDs and back into text
    # costs more than the whole query.
    return Cast(field, output_field=CharField())


def _iso(text: str | None) -> str | None:
    """Both databases give "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" in UTC for a timestamp."""
    return None if text is None else f"{text[:10]}T{text[11:19]}Z"


def _uuid(text: str) -> str:
    """PostgreSQL gives the hyphenated form of a UUID; SQLite stores 32 hex digits."""
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def _fetch(rows: QuerySet, *, chunk_size: int) -> Iterator[tuple]:
    """The tuples of a ``values_list`` query, fetched ``chunk_size`` at a time.

    A block at a time, not Django's row-by-row iterator, which costs more per row than
    making the row: these fields are texts and integers, which need no converters, so the
    database's tuples are the values, in the order of the fields. ``execute_sql(MULTI)``
    is the compiler's internal API (what ``.iterator()`` itself calls): re-check it on a
    Django upgrade; the exact-content tests of every format would fail if it changed.
    """
    compiler = rows.query.get_compiler(rows.db)
    blocks = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=chunk_size)
    return chain.from_iterable(blocks)


def _reviews(entries) -> Iterator[tuple[int, int]]:
    """(pair id, reviewer id) of the reviews given until each pair's approval, sorted."""
    return _fetch(
        Review.objects.filter(
            pair_id__in=entries.values("pair_id"), created_at__lte=F("pair__approved_at")
        )
        .order_by("pair_id", "reviewer_id")
        .values_list("pair_id", "reviewer_id"),
        chunk_size=REVIEW_FETCH_ROWS,
    )


def _text_rows(entries) -> Iterator[Row]:
    """Rows with the texts, category and split only: the rest is None (never written)."""
    stream = _fetch(entries.order_by("pair_id").values_list(*_TEXT_FIELDS), chunk_size=FETCH_ROWS)
    for split, category, instruction, context, response in stream:
        yield Row(
            None,
            None,
            None,
            None,
            category,
            instruction,
            context,
            response,
            None,
            None,
            None,
            None,
            (),
            0,
            split,
            json_str(instruction),
            json_str(context),
            json_str(response),
            json_str(category),
        )


def release_rows(
    *, release: Release, with_reviews: bool = True, with_details: bool = True
) -> Generator[Row, None, None]:
    """A row for every entry of the release in pair-id order, in bounded memory.

    Two sorted streams, entries (with their pair and revision) and the pairs' reviews, are
    merged on the pair id. Without ``with_reviews`` rows have no reviewers and a count of 0;
    without ``with_details`` they only have what :attr:`Writer.uses_details` describes.
    """
    entries = ReleaseEntry.objects.filter(release=release)
    if not (with_details or with_reviews):
        # Fewer columns, no casts: most of the time of a dolly.jsonl alone.
        yield from _text_rows(entries)
        return
    pseudonym = Pseudonyms()
    reviews = _reviews(entries) if with_reviews else iter(())
    stream = _fetch(
        entries.annotate(
            public_text=_as_text("pair__public_id"),
            created_text=_as_text("pair__created_at"),
            approved_text=_as_text("pair__approved_at"),
        )
        .order_by("pair_id")
        .values_list(*_ENTRY_FIELDS),
        chunk_size=FETCH_ROWS,
    )
    pending = next(reviews, None)
    for (
        pk,
        revision_id,
        split,
        number,
        category,
        instruction,
        context,
        response,
        source_url,
        author_id,
        public_id,
        created_at,
        approved_at,
    ) in stream:
        reviewers: set[str] = set()
        count = 0
        while pending is not None and pending[0] <= pk:
            if pending[0] == pk:
                reviewers.add(pseudonym[pending[1]])
                count += 1
            pending = next(reviews, None)
        public_id = _uuid(public_id)
        # Positional: building a NamedTuple by keyword costs more, a million times over.
        yield Row(
            pk,
            public_id,
            revision_id,
            number,
            category,
            instruction,
            context,
            response,
            source_url,
            _iso(created_at),
            _iso(approved_at),
            pseudonym[author_id],
            tuple(sorted(reviewers)),
            count,
            split,
            json_str(instruction),
            json_str(context),
            json_str(response),
            json_str(category),
        )


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
    writers: tuple[type[Writer], ...] = DATA_WRITERS,
) -> Generator[int, None, Export]:
    """Record the entries, write the data files into ``directory``; yields rows written.

    The first yield is the number of rows to write.
    """
    yield entries_select(release=release)
    opened = [writer(directory) for writer in writers]
    categories: Counter[str] = Counter()
    splits: Counter[str] = Counter({"train": 0, "test": 0})
    written = 0
    rows = release_rows(
        release=release,
        with_reviews=any(writer.uses_reviews for writer in opened),
        with_details=any(writer.uses_details for writer in opened),
    )
    try:
        # Writers take a batch at a time: a million rows times six writers is too many calls.
        while batch := list(islice(rows, BATCH_ROWS)):
            for writer in opened:
                writer.write(batch)
            categories.update(row.category for row in batch)
            splits.update(row.split for row in batch)
            written += len(batch)
            yield written
        files = [writer.close() for writer in opened]
    except BaseException:
        # Now, not when the traceback goes: stops the fetching threads, closes the cursors.
        rows.close()
        for writer in opened:
            writer.abort()
        raise
    yield written
    return Export(
        files=files,
        total=written,
        categories=dict(sorted(categories.items())),
        splits=dict(splits),
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

"""The moderation list as CSV, safe to open in a spreadsheet.

Pair text is written by people, and a spreadsheet runs a cell that starts with ``=`` as a
formula (CSV or formula injection). Every cell goes through :func:`csv_cell`, which
neutralises such a cell the way OWASP recommends: a leading single quote makes the
spreadsheet show the text instead of evaluating it.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from annotation.models import Pair

HEADER = (
    "pair id",
    "dataset",
    "category",
    "status",
    "author",
    "instruction",
    "context",
    "response",
    "updated",
)
# What a spreadsheet may take for the start of a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows fetched per round trip; the file streams, so memory stays bounded by this.
CHUNK_ROWS = 500


def csv_cell(value: object) -> str:
    """``value`` as CSV cell text, prefixed with ``'`` if a spreadsheet could run it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def moderation_rows(pairs: QuerySet[Pair]) -> Iterator[tuple[str, ...]]:
    """The header, then one row per pair with its current text (empty for a draft)."""
    yield HEADER
    rows = pairs.select_related("dataset", "category", "author", "current_revision")
    for pair in rows.iterator(chunk_size=CHUNK_ROWS):
        revision = pair.current_revision
        yield tuple(
            csv_cell(value)
            for value in (
                pair.public_id,
                pair.dataset.slug,
                pair.category.slug,
                pair.status,
                pair.author.get_username(),
                revision.instruction if revision else "",
                revision.context if revision else "",
                revision.response if revision else "",
                pair.updated_at.isoformat(),
            )
        )


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)

"""The one row source: a release's rows, read once, in pair order, in blocks of columns.

The rows are the release's entries (recorded in one statement, see
:mod:`exports.selection`) with the revision each ships: one query, read ``BLOCK_ROWS`` at
a time through a server-side cursor, so the memory is that of a block whatever the size
of the release. The query is Django's, compiled once; its rows
are read from the cursor as the database gives them, every column already text or a
number: Django's iterator converted each value in Python, 0.5 s of a 100k build when
this was measured.
A worker's build reads them on a thread and connection of their own, inside a transaction
so that the cursor streams (:mod:`exports.prefetch`); the build's heartbeat commits on the
main connection meanwhile. (Keyset pages went quadratic: with the entries' statistics
stale, each page sorted every remaining row.) The pairs' reviews come from a second query
in the same order, read beside it (:class:`_Reviews`).
"""

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from itertools import groupby
from json.encoder import encode_basestring
from operator import itemgetter

from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from exports.models import Release, ReleaseEntry
from exports.selection import UUIDText
from review.models import Review

BLOCK_ROWS = 1000
_PAIR = itemgetter(0)

# Column name -> the entry's field it is read from.
FIELDS = {
    "pair_id": "pair_id",
    "id": "public_text",
    "revision_id": "revision_id",
    "revision": "revision__number",
    "category": "revision__category__slug",
    "instruction": "revision__instruction",
    "context": "revision__context",
    "response": "revision__response",
    "source_url": "revision__source_url",
    "created_at": "created_text",
    "approved_at": "approved_text",
    "author": "pair__author_id",
    "typed_chars": "revision__typed_chars",
    "pasted_chars": "revision__pasted_chars",
    "active_seconds": "revision__active_seconds",
    "split": "split",
    "reviews": "reviews",
}


class _Reviews:
    """The release's reviews given until the approval its entries recorded, read beside
    its rows.

    One query, in pair order like the rows, read a few blocks at a time; each block of
    rows takes the reviews of its pairs. A correlated subquery per row building a JSON
    array, then parsed back, took 1.36 s of a 2.16 s read of 100k rows with two reviews
    each; this stream takes 0.3 s (tests/bench/export.py's data).
    """

    def __init__(self, cursor: CursorWrapper, release: Release) -> None:
        approval = ReleaseEntry.objects.filter(
            release=release, pair_id=OuterRef("pair_id"), approved_at__gte=OuterRef("created_at")
        )
        given = Review.objects.filter(Exists(approval))
        columns = ("reviewer_id", "decision", "helpfulness", "correctness", "writing")
        ordered = given.order_by("pair_id", "id").values_list("pair_id", *columns)
        sql, params = ordered.query.sql_with_params()
        cursor.execute(sql, params)
        self.cursor = cursor
        self.rows: list[tuple] = []
        self.at = 0

    def take(self, pair_ids: list[int]) -> list[list[tuple]]:
        """Each pair's reviews in the order given: [(reviewer id, decision, h, c, w)]."""
        found: dict[int, list[tuple]] = {}
        last = pair_ids[-1]
        while True:
            if self.at == len(self.rows):
                self.rows, self.at = self.cursor.fetchmany(BLOCK_ROWS * 4), 0
                if not self.rows:
                    break
            end = bisect_right(self.rows, last, lo=self.at, key=_PAIR)
            # A pair's reviews may straddle two fetches: those of the second join the first's.
            for pair_id, given in groupby(self.rows[self.at : end], _PAIR):
                found.setdefault(pair_id, []).extend(review[1:] for review in given)
            self.at = end
            if end < len(self.rows):
                break
        return [found.get(pk, []) for pk in pair_ids]


def _text(field: str) -> Cast:
    """A timestamp as the database's text, "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" in UTC on
    both databases: Django's loader of PostgreSQL timestamps is Python code, which took
    3.5 s of an 8 s read of 100k rows for two of them. full.jsonl, which writes them,
    cuts them to ISO 8601 to the second."""
    return Cast(field, output_field=CharField())


class Block:
    """``len(block)`` consecutive rows as columns: ``block["response"]`` is a list of
    every row's response. ``block.json(name)`` is the column as JSON strings in UTF-8,
    escaped and encoded once for every format that writes it: the formats join bytes, as
    encoding each format's lines took as long again as formatting them (0.66 s against
    0.32 s for four formats of 100k rows)."""

    def __init__(self, columns: dict[str, list]) -> None:
        self.columns = columns
        self._json: dict[str, list[bytes]] = {}

    def __len__(self) -> int:
        return len(self.columns["pair_id"])

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def json(self, name: str) -> list[bytes]:
        if name not in self._json:
            self._json[name] = [encode_basestring(value).encode() for value in self[name]]
        return self._json[name]

    @property
    def reviews(self) -> list[list[tuple]]:
        """Each row's reviews in the order given: [(reviewer id, decision, h, c, w)]."""
        return self.columns["reviews"]


def release_rows(*, release: Release, columns: Iterable[str] = FIELDS) -> Iterator[Block]:
    """Every row of ``release``, in pair order, a block at a time, with ``columns`` (and
    pair_id). Only the columns asked for are read: a build asks for those of all its
    formats, reviews included (full.jsonl and stats.json read them); dolly.jsonl alone
    (the bench's dolly figure) needs no reviews, which are half the database's work."""
    annotations = {
        "public_text": UUIDText("pair__public_id"),
        "created_text": _text("pair__created_at"),
        "approved_text": _text("approved_at"),
    }
    columns = set(columns)  # read twice below; a generator would be empty the second time
    wanted = columns - {"pair_id", "reviews"}
    names = ["pair_id", *(name for name in FIELDS if name in wanted)]
    fields = [FIELDS[name] for name in names]
    entries = ReleaseEntry.objects.filter(release=release).annotate(
        **{name: value for name, value in annotations.items() if name in fields}
    )
    query = entries.order_by("pair_id").values_list(*fields).query
    sql, params = query.sql_with_params()
    with connection.chunked_cursor() as cursor, connection.chunked_cursor() as beside:
        reviews = _Reviews(beside, release) if "reviews" in columns else None
        cursor.execute(sql, params)
        while block := cursor.fetchmany(BLOCK_ROWS):
            values = dict(zip(names, map(list, zip(*block, strict=True)), strict=True))
            if reviews is not None:
                values["reviews"] = reviews.take(values["pair_id"])
            yield Block(values)

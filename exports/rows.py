"""The one row source: a release's rows, read once, in pair order, in blocks of columns.

The rows are the release's entries (recorded in one statement, see
:mod:`exports.selection`) with the revision each ships and the pair's reviews: one
query, read ``BLOCK_ROWS`` at a time through a server-side cursor, so the memory is that
of a block whatever the size of the release. The query is Django's, compiled once; its rows
are read from the cursor as the database gives them, every column already text or a
number: Django's iterator converted each of 1.7M values in Python, 0.5 s of a 100k build.
On PostgreSQL outside a transaction the cursor is WITH HOLD: the database computes the
rows first, and the connection is free between blocks for the build's heartbeat.
(Keyset pages went quadratic: with the entries' statistics stale, each page sorted every
remaining row.)
"""

import json
from collections.abc import Iterable, Iterator
from functools import cached_property
from json.encoder import encode_basestring
from operator import itemgetter

from django.db import connection
from django.db.models import Aggregate, CharField, OuterRef, Subquery, TextField
from django.db.models.functions import Cast, JSONArray

from exports.models import Release, ReleaseEntry
from exports.selection import UUIDText
from review.models import Review

BLOCK_ROWS = 1000

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


class _JSONGroupArray(Aggregate):
    """The JSON array of the grouped values, as text: SQLite's json_group_array,
    PostgreSQL's json_agg."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "%(function)s(%(expressions)s)::text"
        return self.as_sql(compiler, connection, function="JSON_AGG", template=template)


def _reviews() -> Subquery:
    """Each entry's reviews given until its pair's approval, as a JSON array of
    [reviewer id, decision, helpfulness, correctness, writing, review id] (NULL without
    reviews), in no particular order."""
    given = Review.objects.filter(
        pair_id=OuterRef("pair_id"), created_at__lte=OuterRef("pair__approved_at")
    )
    review = JSONArray("reviewer_id", "decision", "helpfulness", "correctness", "writing", "id")
    return Subquery(
        given.order_by().values("pair_id").annotate(array=_JSONGroupArray(review)).values("array")
    )


def _text(field: str) -> Cast:
    """A timestamp as the database's text, "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" in UTC on
    both databases: Django's loader of PostgreSQL timestamps is Python code, which took
    3.5 s of an 8 s read of 100k rows for two of them; see :func:`iso_time`."""
    return Cast(field, output_field=CharField())


def iso_time(text: str | None) -> str | None:
    """The database's text of a UTC timestamp as ISO 8601 to the second."""
    return None if text is None else f"{text[:10]}T{text[11:19]}Z"


class Block:
    """``len(block)`` consecutive rows as columns: ``block["response"]`` is a list of
    every row's response. ``block.json(name)`` is the column as JSON strings, escaped
    once for every format that writes it."""

    def __init__(self, columns: dict[str, list]) -> None:
        self.columns = columns
        self._json: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self.columns["pair_id"])

    def __getitem__(self, name: str) -> list:
        return self.columns[name]

    def json(self, name: str) -> list[str]:
        if name not in self._json:
            self._json[name] = list(map(encode_basestring, self.columns[name]))
        return self._json[name]

    @cached_property
    def reviews(self) -> list[list[list]]:
        """Each row's reviews in the order given: [[reviewer id, decision, h, c, w, id]].

        The block's arrays are parsed as one JSON document: a json.loads per row took
        0.5 s of a 100k build in calls alone."""
        texts = (text or "[]" for text in self.columns["reviews"])
        return [
            sorted(reviews, key=itemgetter(5)) if len(reviews) > 1 else reviews
            for reviews in json.loads(f"[{','.join(texts)}]")
        ]


def release_rows(*, release: Release, columns: Iterable[str] = FIELDS) -> Iterator[Block]:
    """Every row of ``release``, in pair order, a block at a time, with ``columns`` (and
    pair_id). Only the columns asked for are read: the reviews, which dolly.jsonl alone
    does not need, are half the database's work."""
    annotations = {
        "reviews": _reviews(),
        "public_text": UUIDText("pair__public_id"),
        "created_text": _text("pair__created_at"),
        "approved_text": _text("pair__approved_at"),
    }
    names = ["pair_id", *(name for name in FIELDS if name in set(columns) - {"pair_id"})]
    fields = [FIELDS[name] for name in names]
    entries = ReleaseEntry.objects.filter(release=release).annotate(
        **{name: value for name, value in annotations.items() if name in fields}
    )
    query = entries.order_by("pair_id").values_list(*fields).query
    sql, params = query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while block := cursor.fetchmany(BLOCK_ROWS):
            yield Block(dict(zip(names, map(list, zip(*block, strict=True)), strict=True)))

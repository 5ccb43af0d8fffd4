"""A release's rows as :class:`~exports.writers.Block` s, on any database, in pair order.

The portable source: Django fetches the values a block at a time and Python escapes them.
On PostgreSQL, :mod:`exports.copying` has the database do the escaping instead; both give
the same fragments, which the tests check byte for byte.
"""

from collections.abc import Generator, Iterator
from itertools import chain, islice
from json.encoder import encode_basestring

from django.db.models import CharField, F, QuerySet
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI

from exports.models import Release, ReleaseEntry
from exports.pseudonyms import Pseudonyms, ReviewerLists, array_text
from exports.writers import Block
from review.models import Review

# Rows fetched per round trip (a server-side cursor on PostgreSQL) and per block. A review
# is two integers, so many more of them fit in the same memory: ten times fewer trips.
FETCH_ROWS = 2000
REVIEW_FETCH_ROWS = 20_000

# The database fields each column is made from.
_FIELDS = {
    "instruction": "revision__instruction",
    "context": "revision__context",
    "response": "revision__response",
    "category": "revision__category__slug",
    "source_url": "revision__source_url",
    "id": "public_text",
    "revision_id": "revision_id",
    "revision": "revision__number",
    "created_at": "created_text",
    "approved_at": "approved_text",
    "author": "pair__author_id",
    "split": "split",
}
_JSON_STRINGS = {"instruction", "context", "response", "category", "source_url"}


def user_turns(instructions: list[bytes], contexts: list[bytes]) -> list[bytes]:
    """The user turn of the chat formats, "instruction\\n\\ncontext", from the two JSON
    strings: escaping goes character by character, so it can be joined once escaped."""
    return [
        instruction if context == b'""' else instruction[:-1] + b"\\n\\n" + context[1:]
        for instruction, context in zip(instructions, contexts, strict=True)
    ]


def needed(columns: set[str]) -> set[str]:
    """The columns a source must produce for ``columns``: the user turn is made of two."""
    if "user_turn" in columns:
        columns = (columns - {"user_turn"}) | {"instruction", "context"}
    return columns


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


def _text(field: str) -> Cast:
    # Read as text: turning a million values into datetimes or UUIDs and back costs more
    # than the whole query.
    return Cast(field, output_field=CharField())


def _iso(text: str) -> bytes:
    """Both databases give "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" in UTC for a timestamp."""
    return f"{text[:10]}T{text[11:19]}Z".encode("ascii")


def _uuid(text: str) -> bytes:
    """PostgreSQL gives the hyphenated form of a UUID; SQLite stores 32 hex digits."""
    if len(text) == 32:
        text = f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text.encode("ascii")


def _reviews(entries: QuerySet[ReleaseEntry]) -> Iterator[tuple[int, int]]:
    """(pair id, reviewer id) of the reviews given until each pair's approval, sorted."""
    return _fetch(
        Review.objects.filter(
            pair_id__in=entries.values("pair_id"), created_at__lte=F("pair__approved_at")
        )
        .order_by("pair_id", "reviewer_id")
        .values_list("pair_id", "reviewer_id"),
        chunk_size=REVIEW_FETCH_ROWS,
    )


def _convert(name: str, values: tuple, pseudonyms: Pseudonyms) -> list[bytes]:
    if name in _JSON_STRINGS:
        return [encode_basestring(value).encode("utf-8") for value in values]
    if name in ("revision_id", "revision"):
        return [b"%d" % value for value in values]
    if name == "id":
        return list(map(_uuid, values))
    if name == "created_at":
        return list(map(_iso, values))
    if name == "approved_at":
        return [b"null" if value is None else b'"%s"' % _iso(value) for value in values]
    if name == "author":
        return [pseudonyms[value] for value in values]
    return [value.encode("ascii") for value in values]  # split


def python_blocks(*, release: Release, columns: set[str]) -> Generator[Block, None, None]:
    """Blocks of the release's rows with ``columns``, in pair-id order, in bounded memory.

    Entries (with their pair and revision) and the pairs' reviews are two sorted streams,
    merged on the pair id. Every block is settled: the fetches use no open statement.
    """
    wanted, columns = columns, needed(columns)
    pseudonyms = Pseudonyms()
    names = [name for name in _FIELDS if name in columns]
    with_reviews = bool(columns & {"reviewers", "review_count"})
    entries = ReleaseEntry.objects.filter(release=release)
    stream = _fetch(
        entries.annotate(
            public_text=_text("pair__public_id"),
            created_text=_text("pair__created_at"),
            approved_text=_text("pair__approved_at"),
        )
        .order_by("pair_id")
        .values_list("pair_id", *(_FIELDS[name] for name in names)),
        chunk_size=FETCH_ROWS,
    )
    reviews = _reviews(entries) if with_reviews else iter(())
    pending = next(reviews, None)
    reviewer_lists = ReviewerLists(pseudonyms)
    while rows := list(islice(stream, FETCH_ROWS)):
        values = list(zip(*rows, strict=True))
        block = {name: _convert(name, values[i + 1], pseudonyms) for i, name in enumerate(names)}
        if with_reviews:
            lists, counts = [], []
            for pk in values[0]:
                ids = []
                while pending is not None and pending[0] <= pk:
                    if pending[0] == pk:
                        ids.append(pending[1])
                    pending = next(reviews, None)
                lists.append(reviewer_lists[array_text(ids)])
                counts.append(b"%d" % len(ids))
            block["reviewers"], block["review_count"] = lists, counts
        if "user_turn" in wanted:
            block["user_turn"] = user_turns(block["instruction"], block["context"])
        yield Block(size=len(rows), columns=block, settled=True)

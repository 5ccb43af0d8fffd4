"""A release's rows as blocks on PostgreSQL: the database writes the JSON fragments.

``to_json`` escapes a text exactly as Python's ``json.dumps(..., ensure_ascii=False)``
does (", \\, \\b \\f \\n \\r \\t by name, other control characters as lowercase \\u00XX,
everything else as is; tested on every control character, DEL, U+2028 and U+2029, quotes,
backslashes and characters outside the BMP), and
``COPY ... TO STDOUT`` streams the rows while Python assembles the files from them, so
the database's core and Python's work at once, and Python decodes and escapes nothing:
it splits and joins bytes.

COPY's text format escapes one thing in these columns: it doubles every backslash (the
fragments hold no raw tab or newline, so tab and newline separate columns and rows).
One ``replace`` per block undoes it.

A statement fetches ``CHUNK_ROWS`` entries at most, in pair order after the last pair of
the previous one, so the connection is free between statements for the build's
heartbeat. Each lookup goes by primary key, and the plan stays the same at any size.
"""

from collections.abc import Generator
from dataclasses import dataclass
from json.encoder import encode_basestring

from django.db import connection, transaction

from annotation.models import Category, Pair, Revision
from exports.models import Release, ReleaseEntry
from exports.pseudonyms import Pseudonyms, ReviewCounts, ReviewerLists
from exports.recording import snapshot_import
from exports.rows import needed, user_turns
from exports.selection import chunk_select, split_sql
from exports.sql import table
from exports.writers import Block
from review.models import Review

CHUNK_ROWS = 200_000
# Rows per block. Every buffer of the build (COPY's rows, each format's lines, the writes
# waiting on the spool and Parquet threads) holds a few blocks, so this sets the memory:
# 2,000 rows peaked at ~180 MB, 1,000 at ~150 MB, the same at 10k, 100k and 1M rows, and
# no slower.
BLOCK_ROWS = 1000

_ISO = "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
_SQL = {
    "instruction": "to_json(r.instruction)",
    "context": "to_json(r.context)",
    "response": "to_json(r.response)",
    # The category's id, named in Python (see _Columns): a lookup of the category per row
    # was a tenth of the database's work.
    "category": "r.category_id",
    "source_url": "to_json(r.source_url)",
    "id": "p.public_id",
    "revision_id": "r.id",
    "revision": "r.number",
    "created_at": _ISO.format("p.created_at"),
    "approved_at": f"COALESCE('\"' || {_ISO.format('p.approved_at')} || '\"', 'null')",
    "author": "p.author_id",
    # Reviews given until the approval, as in rows._reviews: their reviewers' ids, which
    # Python names, sorts and counts (review_count), so the array needs no order. A plain
    # subquery, not an aggregate joined per row, which cost a third more.
    "reviewers": (
        "ARRAY(SELECT v.reviewer_id FROM {review} v"
        " WHERE v.pair_id = {pair_id} AND v.created_at <= p.approved_at)"
    ),
    "split": "e.split",
}
_NEEDS_PAIR = {"id", "created_at", "approved_at", "author", "reviewers"}


@dataclass(frozen=True)
class _Chunk:
    """Where a statement's rows come from: a FROM clause, how it names the pair id, the
    revision id and the split, whether it holds the pair's own columns (as ``p``), and
    its parameters (the split's first: the columns precede the FROM)."""

    source: str
    pair_id: str
    revision_id: str
    split: str
    params: list
    has_pair: bool


def _query(names: list[str], chunk: _Chunk) -> str:
    """One chunk's rows, with their revision (and pair)."""
    joins = [f"JOIN {table(Revision)} r ON r.id = {chunk.revision_id}"]
    if _NEEDS_PAIR & set(names) and not chunk.has_pair:
        joins.append(f"JOIN {table(Pair)} p ON p.id = {chunk.pair_id}")
    reviewers = _SQL["reviewers"].format(review=table(Review), pair_id=chunk.pair_id)
    sql = {**_SQL, "reviewers": reviewers, "split": chunk.split}
    columns = ", ".join([chunk.pair_id, *(sql[name] for name in names)])
    joined = " ".join(joins)
    return (
        f"COPY (SELECT {columns} FROM {chunk.source} {joined}"  # noqa: S608
        f" ORDER BY {chunk.pair_id}) TO STDOUT"
    )


def _entries_chunk(release: Release, after: int) -> _Chunk:
    """The next chunk of the release's recorded entries."""
    return _Chunk(
        source=f"(SELECT * FROM {table(ReleaseEntry)} WHERE release_id = %s"  # noqa: S608
        " AND pair_id > %s ORDER BY pair_id LIMIT %s) e",
        pair_id="e.pair_id",
        revision_id="e.revision_id",
        split="e.split",
        params=[release.pk, after, CHUNK_ROWS],
        has_pair=False,
    )


def _selection_chunk(release: Release, after: int) -> _Chunk:
    """The next chunk of the pairs the release ships, as its entries will record them, in
    the snapshot they are recorded in. The pairs' rows are read once, here: a second
    lookup of each by key cost a tenth of the database's work."""
    split, split_params = split_sql(release=release, pair="p")
    chunk, chunk_params = chunk_select(release=release, after=after, limit=CHUNK_ROWS)
    return _Chunk(
        source=f"({chunk}) p",
        pair_id="p.id",
        revision_id="p.approved_revision_id",
        split=split,
        params=[*split_params, *chunk_params],
        has_pair=True,
    )


class _Columns:
    """Turns COPY's rows into a block: split into columns, ids named."""

    def __init__(self, names: list[str], wanted: set[str], categories: dict[bytes, bytes]) -> None:
        self.names = names
        self.wanted = wanted
        self.categories = categories
        self.pseudonyms = Pseudonyms()
        self.reviewer_lists = ReviewerLists(self.pseudonyms)
        self.review_counts = ReviewCounts()

    def block(self, rows: list, *, settled: bool) -> tuple[Block, int | None]:
        """The block of ``rows`` and the last pair id in it (None if there are no rows)."""
        size, width = len(rows), len(self.names) + 1
        if not size:
            return Block(size=0, columns={name: [] for name in self.wanted}, settled=settled), None
        data = b"".join(rows).replace(b"\\\\", b"\\")
        # Tab ends a column and newline a row: as one separator the row falls into width
        # pieces and column i is every width-th piece from i (the last piece is empty).
        pieces = data.replace(b"\n", b"\t").split(b"\t")
        if len(pieces) != size * width + 1:
            # A stray tab or newline in a fragment would shift every column after it.
            raise ValueError("COPY sent a row that does not split into its columns.")
        columns = {name: pieces[i + 1 : size * width : width] for i, name in enumerate(self.names)}
        if "category" in columns:
            columns["category"] = [self.categories[pk] for pk in columns["category"]]
        if "author" in columns:
            columns["author"] = [self.pseudonyms[i] for i in columns["author"]]
        if "reviewers" in columns:
            ids = columns["reviewers"]
            columns["reviewers"] = [self.reviewer_lists[i] for i in ids]
            if "review_count" in self.wanted:
                columns["review_count"] = [self.review_counts[i] for i in ids]
        if "user_turn" in self.wanted:
            columns["user_turn"] = user_turns(columns["instruction"], columns["context"])
        return Block(size=size, columns=columns, settled=settled), int(pieces[-width - 1])


def _category_names() -> dict[bytes, bytes]:
    """Every category's slug as a JSON string, by its id as COPY sends it: a few per
    dataset. Read before the rows, since nothing else may use the connection while a
    statement streams."""
    return {
        b"%d" % pk: encode_basestring(slug).encode("utf-8")
        for pk, slug in Category.objects.values_list("pk", "slug")
    }


def copy_blocks(
    *, release: Release, columns: set[str], snapshot: str | None = None
) -> Generator[Block, None, None]:
    """Blocks of the release's rows with ``columns``, in pair-id order, in bounded memory.

    From the release's entries; or, given a ``snapshot`` (exports.recording) in which they
    are being recorded, from the pairs as that snapshot sees them: the same rows.

    A block is settled when its statement has finished (see :class:`~exports.writers.Block`).
    """
    wanted = needed(columns)
    if "review_count" in wanted:
        wanted |= {"reviewers"}
    names = [name for name in _SQL if name in wanted]
    convert = _Columns(names, columns, _category_names())
    chunk_of = _entries_chunk if snapshot is None else _selection_chunk
    after = 0
    while True:
        fetched = 0
        chunk = chunk_of(release, after)
        with transaction.atomic(), connection.cursor() as cursor:
            if snapshot is not None:
                snapshot_import(cursor, snapshot)
            # A chunk's plan costs more than the point where PostgreSQL compiles it, which
            # takes longer than running it. Hash joins would scan the whole revision table
            # for every chunk and then sort the chunk's texts on disk; lookups by key keep
            # the entries' index order, so nothing is sorted (2.7 s -> 1.7 s at 100k rows).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            # Nor parallel workers: starting them took longer than a 10k-row chunk's scan,
            # and the build's own threads keep the cores busy.
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            rows: list = []
            # psycopg's own cursor: Django's debug wrapper (DEBUG, or a test capturing
            # queries) takes no parameters for COPY.
            with cursor.cursor.copy(_query(names, chunk), chunk.params) as copy:
                for row in copy:
                    rows.append(row)
                    if len(rows) == BLOCK_ROWS:
                        block, after = convert.block(rows, settled=False)
                        fetched += block.size
                        rows = []
                        yield block
        block, last = convert.block(rows, settled=True)
        fetched += block.size
        after = last if last is not None else after
        yield block
        if fetched < CHUNK_ROWS:
            return

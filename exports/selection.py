"""What a release ships: the one place that decides it."""

import hashlib

from django.db import connection
from django.db.models import Case, CharField, Func, QuerySet, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import LessThan

from annotation.models import Pair

# The one rule for which pairs ship lives with the pairs; re-exported for the release code.
from annotation.pairs import shipped_pairs  # noqa: F401
from exports.models import Release, ReleaseEntry
from exports.sql import table

# Share of pairs in the test split unless the admin picks another: a tenth, the usual
# hold-out for a dataset of this size. databricks-dolly-15k itself ships no test split.
DEFAULT_TEST_FRACTION = 0.1


def split_of(public_id: str, test_fraction: float) -> str:
    """train or test, from a hash of the pair's public id: a pair keeps its split.

    The rule; :func:`entries_select` has the database apply the same one (``_split``).
    """
    digest = hashlib.sha256(public_id.encode("ascii")).digest()
    return "test" if int.from_bytes(digest[:8], "big") / 2**64 < test_fraction else "train"


def _test_below(test_fraction: float) -> str:
    """The 16 hex digits under which a digest prefix is in the test split, per split_of.

    The smallest n with ``n / 2**64 >= test_fraction`` (float division, as split_of does it,
    and monotonic in n), found by bisection. Hex digits of equal length compare as the
    numbers do, so the database can compare text. ``test_fraction`` is in [0, 1).
    """
    low, high = 0, 2**64 - 1
    while low < high:
        middle = (low + high) // 2
        if middle / 2**64 >= test_fraction:
            high = middle
        else:
            low = middle + 1
    return f"{low:016x}"


class _UUIDText(Func):
    """A UUID column as the hyphenated lowercase text split_of hashes (PostgreSQL's cast)."""

    template = "CAST(%(expressions)s AS text)"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # SQLite stores the 32 hex digits bare.
        sql, params = compiler.compile(self.source_expressions[0])
        pieces = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        hyphenated = "||'-'||".join(f"substr({sql}, {start}, {length})" for start, length in pieces)
        return f"({hyphenated})", [*params] * len(pieces)


class _SHA256Hex(Func):
    """Hex sha256 of a text's UTF-8: Django registers SHA256 on SQLite; PostgreSQL has it
    built in (Django's own SHA256 would need the pgcrypto extension there).

    Compared in byte order, as split_of compares: SQLite's default; on PostgreSQL the "C"
    collation, which substr() keeps, rather than the database's locale.
    """

    function = "SHA256"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra):
        template = "encode(sha256(convert_to(%(expressions)s, 'UTF8')), 'hex') COLLATE \"C\""
        return self.as_sql(compiler, connection, template=template, **extra)


def _split(test_fraction: float) -> Case:
    # Marking the test rows afterwards cost an UPDATE per few thousand rows (about a second
    # per million); computed here it costs the database a hash per row inside the INSERT.
    prefix = Substr(_SHA256Hex(_UUIDText("public_id")), 1, 16)
    return Case(
        When(LessThan(prefix, Value(_test_below(test_fraction))), then=Value("test")),
        default=Value("train"),
        output_field=CharField(),
    )


def release_pairs(release: Release) -> QuerySet[Pair]:
    """The pairs ``release`` ships, per its filters, unordered."""
    filters = release.filters
    pairs = shipped_pairs(dataset=release.dataset, categories=filters.get("categories", ()))
    # No ORDER BY: the pairs' default ordering would only cost a sort.
    return pairs.order_by()


def _test_fraction(release: Release) -> float:
    return release.filters.get("test_fraction", DEFAULT_TEST_FRACTION)


def entries_insert(*, release: Release) -> tuple[str, list]:
    """The statement recording what ``release`` ships as its entries, and its parameters.

    One INSERT ... SELECT: the database copies the selection without a row passing
    through Python.
    """
    selected = release_pairs(release).annotate(entry_split=_split(_test_fraction(release)))
    sql, params = selected.values_list(
        "entry_split", "pk", "approved_revision_id"
    ).query.sql_with_params()
    return (
        f"INSERT INTO {table(ReleaseEntry)} (release_id, split, pair_id, revision_id) "  # noqa: S608
        f"SELECT %s, s.* FROM ({sql}) AS s",
        [release.pk, *params],
    )


def entries_select(*, release: Release) -> int:
    """Record what ``release`` ships as its entries, each in its split; returns how many.

    The release's files are then written from these entries (or, on PostgreSQL, from the
    same snapshot of the pairs, see exports.recording), so files and entries always agree
    even if pairs are approved or retracted during the build.

    The table's statistics are left alone: no query of the entries depends on them (the
    files' rows are looked up by key, the changelog's FULL JOIN is merged or hashed), and
    an ANALYZE reads up to 30,000 pages of the whole table, every release's entries: 40 ms
    with a few releases, 230 ms with 120 releases of up to 100k pairs.
    """
    sql, params = entries_insert(release=release)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def chunk_select(*, release: Release, after: int, limit: int) -> tuple[str, list]:
    """The next ``limit`` pairs ``release`` ships after pair id ``after``, in id order,
    every column of them, as SQL and parameters (the entries record their id and their
    approved revision)."""
    chunk = release_pairs(release).filter(pk__gt=after).order_by("pk")[:limit]
    return chunk.query.sql_with_params()


def split_sql(*, release: Release, pair: str) -> tuple[str, list]:
    """The split of each row as SQL on the pairs table aliased ``pair`` (PostgreSQL), and
    its parameters: the same expression the entries are recorded with."""
    query = Pair.objects.annotate(entry_split=_split(_test_fraction(release))).query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.compile(query.annotations["entry_split"])
    return sql.replace(f"{table(Pair)}.", f"{pair}."), params

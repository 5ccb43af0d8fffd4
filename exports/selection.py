"""Which pairs a release holds, in which split: recorded as its entries in one statement.

Which pairs ship is annotation's rule (:func:`annotation.pairs.shipped_pairs`); this
module only narrows it to a release's filters and records the result, so the files
(written from the entries, see :mod:`exports.rows`) and what the next changelog compares
against are the same rows whatever is approved or retracted during the build.
"""

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Case, CharField, Func, QuerySet, Value, When
from django.db.models.functions import Substr
from django.db.models.lookups import LessThan
from django.db.models.sql.compiler import SQLCompiler

from annotation.models import Pair
from annotation.pairs import shipped_pairs
from exports.models import Release, ReleaseEntry

Split = ReleaseEntry.Split


def release_pairs(release: Release) -> QuerySet[Pair]:
    """The pairs ``release`` ships, per its category filter, unordered (an ORDER BY would
    only cost the INSERT a sort)."""
    return shipped_pairs(dataset=release.dataset, categories=release.categories).order_by()


def _test_below(test_fraction: float) -> str:
    """The 16 hex digits under which a pair's digest prefix puts it in the test split.

    A pair is in the test split when the first 64 bits of the sha256 of its public id,
    as a fraction of 2**64, are below ``test_fraction``. The smallest such n is found by
    bisection; hex digits of equal length compare as the numbers do, so the database
    compares text.
    """
    low, high = 0, 2**64 - 1
    while low < high:
        middle = (low + high) // 2
        if middle / 2**64 >= test_fraction:
            high = middle
        else:
            low = middle + 1
    return f"{low:016x}"


class UUIDText(Func):
    """A UUID column as its hyphenated lowercase text (PostgreSQL's cast)."""

    template = "CAST(%(expressions)s AS text)"
    output_field = CharField()

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> tuple[str, list]:
        # SQLite stores the 32 hex digits bare.
        sql, params = compiler.compile(self.source_expressions[0])
        pieces = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
        hyphenated = "||'-'||".join(f"substr({sql}, {start}, {length})" for start, length in pieces)
        return f"({hyphenated})", [*params] * len(pieces)


class _SHA256Hex(Func):
    """Hex sha256 of a text's UTF-8: Django registers SHA256 on SQLite; PostgreSQL has it
    built in (Django's own SHA256 would need the pgcrypto extension there). Compared in
    byte order: SQLite's default, the "C" collation on PostgreSQL."""

    function = "SHA256"
    output_field = CharField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> tuple[str, list]:
        template = "encode(sha256(convert_to(%(expressions)s, 'UTF8')), 'hex') COLLATE \"C\""
        return self.as_sql(compiler, connection, template=template, **extra)


def split_expression(test_fraction: float) -> Case:
    """train or test, from a hash of the pair's public id: a pair keeps its split."""
    prefix = Substr(_SHA256Hex(UUIDText("public_id")), 1, 16)
    return Case(
        When(LessThan(prefix, Value(_test_below(test_fraction))), then=Value(Split.TEST.value)),
        default=Value(Split.TRAIN.value),
        output_field=CharField(),
    )


def entries_record(*, release: Release) -> int:
    """Record what ``release`` ships as its entries, each in its split; returns how many.

    One INSERT ... SELECT: the database copies the selection without a row passing
    through Python. For 100k pairs, 0.24-0.30 s, where reading them and ``bulk_create``
    in batches of 5,000 took 2.28-2.62 s (run in turn, 3 rounds).
    """
    selected = release_pairs(release).annotate(entry_split=split_expression(release.test_fraction))
    sql, params = selected.values_list(
        "entry_split", "pk", "approved_revision_id", "approved_at"
    ).query.sql_with_params()
    entries = connection.ops.quote_name(ReleaseEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entries} (release_id, split, pair_id, revision_id, approved_at) "  # noqa: S608
            f"SELECT %s, s.* FROM ({sql}) AS s",
            [release.pk, *params],
        )
        return cursor.rowcount

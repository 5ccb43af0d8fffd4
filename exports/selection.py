"""What a release ships: the one place that decides it."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import QuerySet

from annotation.models import Dataset, Pair
from exports.models import Release, ReleaseEntry

# Share of pairs in the test split unless the admin picks another: a tenth, the usual
# hold-out for a dataset of this size. databricks-dolly-15k itself ships no test split.
DEFAULT_TEST_FRACTION = 0.1


def shipped_pairs(*, dataset: Dataset, categories: Iterable[str] = ()) -> QuerySet[Pair]:
    """Pairs with an approved revision that are not retracted, optionally in ``categories``.

    An approved pair whose author submitted an improvement is back under review
    (submitted / changes requested) with its approved revision still set: it ships that
    approved revision, never the one under review. The category is the approved
    revision's, since that is the text that ships.
    """
    pairs = Pair.objects.filter(dataset=dataset, approved_revision__isnull=False).exclude(
        status=Pair.Status.RETRACTED
    )
    categories = sorted(set(categories))
    if categories:
        pairs = pairs.filter(approved_revision__category__slug__in=categories)
    return pairs


def entries_select(*, release: Release) -> int:
    """Record what ``release`` ships as its entries, all in train for now; returns how many.

    One INSERT ... SELECT: the database copies the selection without a row passing through
    Python, and the release's files are then written from these entries, so files and
    entries always agree even if pairs are approved or retracted during the build.
    """
    filters = release.filters
    pairs = shipped_pairs(dataset=release.dataset, categories=filters.get("categories", ()))
    sql, params = pairs.values_list("pk", "approved_revision_id").query.sql_with_params()
    table = connection.ops.quote_name(ReleaseEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (release_id, split, pair_id, revision_id) "  # noqa: S608
            f"SELECT %s, %s, s.* FROM ({sql}) AS s",
            [release.pk, ReleaseEntry.Split.TRAIN, *params],
        )
        count = cursor.rowcount
        # Fresh statistics, or the planner takes a million new rows for a handful and then
        # scans them all to mark each batch of the test split (seconds, then milliseconds).
        cursor.execute(f"ANALYZE {table}")
    return count

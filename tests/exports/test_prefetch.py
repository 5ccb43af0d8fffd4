"""prefetched: the same items in the same order, the reader's error raised where they are
read, and a reader that stops when its reading stops. On PostgreSQL outside a transaction
the reader is a thread with its own connection; elsewhere it reads in line."""

import threading

import pytest

from exports.prefetch import prefetched

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_item_comes_in_order():
    assert list(prefetched(lambda: iter(range(1000)), depth=3)) == list(range(1000))


def test_the_readers_error_is_raised_to_the_reading_side():
    def read():
        yield 1
        raise ValueError("the database went away")

    items = prefetched(read)
    assert next(items) == 1
    with pytest.raises(ValueError, match="went away"):
        next(items)


def test_a_reading_stopped_early_stops_the_reader():
    produced = []

    def read():
        for n in range(10_000):
            produced.append(n)
            yield n

    items = prefetched(read, depth=2)
    assert [next(items) for _ in range(5)] == [0, 1, 2, 3, 4]
    items.close()
    assert len(produced) < 20
    assert not [t for t in threading.enumerate() if t.name == "rows-ahead"]


def test_the_reader_sees_committed_rows_on_its_own_connection(dolly):
    from annotation.models import Dataset

    def read():
        yield from Dataset.objects.values_list("slug", flat=True)

    assert list(prefetched(read)) == ["dolly"]

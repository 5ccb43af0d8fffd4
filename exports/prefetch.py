"""Reading the next blocks of rows while the formats write this one.

The database computes and sends rows in its own process while Python formats them, so
on two cores the two overlap: a release of 100k rows (tests/bench/export.py's data, on
2 cores, run in turn) took 2.76-2.93 s with the rows read in line, 2.01-2.21 s with this
reader (-27%). The reader is one thread with its own connection, used only on PostgreSQL
and outside a transaction (a worker's build): a connection of its own would not see a
transaction's uncommitted rows, so a build inside one (a test's) reads in line, as does
a build on SQLite.
"""

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import connection, transaction

T = TypeVar("T")
DEPTH = 4
_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def prefetched(read: Callable[[], Iterator[T]], *, depth: int = DEPTH) -> Iterator[T]:
    """What ``read()`` yields, read up to ``depth`` items ahead on a thread of its own."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        yield from read()
        return
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            # In a transaction the cursor streams rows as the database computes them,
            # rather than computing them all first to hold them past a commit.
            with transaction.atomic():
                for item in read():
                    if not put(item):
                        return
            put(_END)
        except BaseException as error:  # noqa: BLE001 - handed to the reading thread
            put(_Failed(error))
        finally:
            connection.close()  # this thread's own

    reader = threading.Thread(target=run, name="rows-ahead", daemon=True)
    reader.start()
    try:
        while (item := ready.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        stop.set()
        reader.join()

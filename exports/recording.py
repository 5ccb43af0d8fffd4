"""Recording a release's entries beside its rows, on a connection of its own (PostgreSQL).

Inserting a release's entries before streaming its rows left a core idle for a fifth of
a build. Instead, a thread opens a REPEATABLE READ transaction on a second connection,
exports its snapshot and inserts the entries there, while the build's statements import
that snapshot and stream the pairs as it sees them: the very rows the entries record,
whatever is approved or retracted meanwhile. The thread commits once the build has
written every row, and says how many entries it recorded; the build checks that they
are as many as it wrote.

Another connection sees only what is committed, so a build inside a transaction (a
test's) records its entries first, on its own connection, as SQLite does.
"""

import threading
from concurrent.futures import Future

import psycopg
from django.db import connection, transaction

from exports.models import Release
from exports.selection import entries_insert, release_pairs


def can_record_beside() -> bool:
    return connection.vendor == "postgresql" and not connection.in_atomic_block


def snapshot_import(cursor, snapshot: str) -> None:
    """Read in ``snapshot`` for the rest of the cursor's transaction, which has not run a
    query yet (PostgreSQL allows the import only then)."""
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])


class EntriesRecorder:
    """``start()``; ``snapshot()`` waits for the snapshot to read the rows in; then
    ``commit()`` once every row is written (returns how many entries were recorded) or
    ``abort()``."""

    def __init__(self, *, release: Release) -> None:
        self._release = release
        self._insert = entries_insert(release=release)
        self._params = connection.get_connection_params()
        self._snapshot: Future[str] = Future()
        self._recorded: Future[int] = Future()
        self._verdict: Future[bool] = Future()
        self._thread = threading.Thread(target=self._run, name="release-entries", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def snapshot(self) -> str:
        return self._snapshot.result()

    def count(self) -> int:
        """How many entries there will be: the pairs the release ships, in the snapshot."""
        with transaction.atomic(), connection.cursor() as cursor:
            snapshot_import(cursor, self.snapshot())
            return release_pairs(self._release).count()

    def _run(self) -> None:
        try:
            with psycopg.connect(**self._params) as conn:
                conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                with conn.cursor() as cursor:
                    cursor.execute("SELECT pg_export_snapshot()")
                    self._snapshot.set_result(cursor.fetchone()[0])
                    cursor.execute(*self._insert)
                    count = cursor.rowcount
                # The snapshot lives as long as this transaction: until every statement
                # that reads in it has started.
                if self._verdict.result():
                    conn.commit()
                else:
                    conn.rollback()
            self._recorded.set_result(count)
        except BaseException as exc:
            for future in (self._snapshot, self._recorded):
                if not future.done():
                    future.set_exception(exc)

    def commit(self) -> int:
        self._verdict.set_result(True)
        self._thread.join()
        return self._recorded.result()

    def abort(self) -> BaseException | None:
        """Roll the entries back; returns what failed the recording, if anything did.

        That error is the one to report: once the insert fails, its transaction and the
        snapshot go, and the build's statements fail for that reason.
        """
        if not self._verdict.done():
            self._verdict.set_result(False)
        if self._thread.is_alive():
            self._thread.join()
        return self._recorded.exception() if self._recorded.done() else None

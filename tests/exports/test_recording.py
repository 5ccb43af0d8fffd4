"""Entries recorded on a second connection while the rows stream, in one snapshot.

Only outside a transaction (another connection sees committed rows only), so these tests
commit for real; the rest of the suite builds inside a test's transaction, entries first.
"""

import threading

import pytest
from django.db import connection

from annotation.submission import pair_retract
from exports import building, recording, writers
from exports.building import export, run_export
from exports.models import Release, ReleaseEntry
from exports.services import release_create
from tests.exports.conftest import approved_pair, build, read

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DATA_FILES = [
    "dolly.jsonl",
    "full.jsonl",
    "messages.jsonl",
    "alpaca.json",
    "data/train.parquet",
    "data/test.parquet",
]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("a second connection and a shared snapshot are PostgreSQL's")


@pytest.fixture
def pairs(dolly, open_qa, alice, ada):
    return [approved_pair(author=alice, category=open_qa, by=ada) for _ in range(6)]


def _entries(release: Release) -> list[tuple[int, int, str]]:
    return list(
        ReleaseEntry.objects.filter(release=release)
        .order_by("pair_id")
        .values_list("pair_id", "revision_id", "split")
    )


def _no_thread_left() -> bool:
    return not any(thread.name == "release-entries" for thread in threading.enumerate())


def test_beside_the_rows_gives_what_entries_first_gives(dolly, pairs, monkeypatch):
    assert recording.can_record_beside()
    beside = build(dolly, test_fraction=0.5)
    monkeypatch.setattr(building, "can_record_beside", lambda: False)
    first = build(dolly, test_fraction=0.5)
    assert beside.state == first.state == "ready"
    assert beside.total_count == first.total_count == len(pairs)
    assert [read(beside, name) for name in DATA_FILES] == [read(first, name) for name in DATA_FILES]
    assert _entries(beside) == [(p, r, s) for p, r, s in _entries(first)]
    assert _no_thread_left()


def test_what_changes_during_the_build_neither_ships_nor_is_recorded(
    dolly, open_qa, alice, ada, pairs, tmp_path
):
    release = release_create(dataset=dolly, by=None, test_fraction=0.1)
    exporting = export(release=release, directory=tmp_path, parquet=False)
    total = next(exporting)
    # Committed after the snapshot was taken, before a row streamed.
    late = approved_pair(author=alice, category=open_qa, by=ada)
    pair_retract(pair=pairs[0], by=ada, reason="Withdrawn by its author.")
    result = run_export(exporting, lambda written: None)

    assert result.total == total == len(pairs)
    recorded = {pair_id for pair_id, _, _ in _entries(release)}
    assert recorded == {pair.pk for pair in pairs}
    dolly_lines = (tmp_path / "dolly.jsonl").read_bytes().count(b"\n")
    full = (tmp_path / "full.jsonl").read_text()
    assert dolly_lines == len(pairs)
    assert str(pairs[0].public_id) in full and str(late.public_id) not in full


def test_a_failed_insert_fails_the_release_and_records_nothing(dolly, pairs, monkeypatch):
    def broken(*, release):
        return "INSERT INTO no_such_table VALUES (%s)", [release.pk]

    monkeypatch.setattr(recording, "entries_insert", broken)
    release = build(dolly)
    assert release.state == "failed"
    assert release.error.startswith("UndefinedTable") and "no_such_table" in release.error
    assert not ReleaseEntry.objects.exists()
    assert _no_thread_left()


def test_a_failed_build_rolls_the_entries_back(dolly, pairs, monkeypatch):
    def full_disk(self, block):
        raise OSError("No space left on device")

    monkeypatch.setattr(writers.FullWriter, "write", full_disk)
    release = build(dolly)
    assert (release.state, release.error) == ("failed", "OSError: No space left on device")
    assert not ReleaseEntry.objects.exists()
    assert _no_thread_left()

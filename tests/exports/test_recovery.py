"""A build that fails, is retried, or whose worker died never leaves a half release."""

import os

import pytest
from django.utils import timezone

from exports import attempts, building, files, publishing, rows
from exports.attempts import (
    BUSY,
    DONE,
    MAX_ATTEMPTS,
    STALE_AFTER,
    Heartbeat,
    Superseded,
    attempt_start,
    is_stale,
)
from exports.building import release_build, write_rows
from exports.formats import formats
from exports.formats.messages import Messages
from exports.formats.parquet import Parquet
from exports.models import Release, ReleaseEntry, ReleaseFile
from exports.selection import entries_record
from exports.services import release_create
from exports.tasks import build_release
from tests.exports.conftest import approved_pair, build


@pytest.fixture
def pairs(dolly, open_qa, alice, ada):
    return [approved_pair(author=alice, category=open_qa, by=ada) for _ in range(3)]


def _stored_files(media_root) -> list[str]:
    return [
        os.path.join(folder, name) for folder, _, names in os.walk(media_root) for name in names
    ]


def _queued(dolly) -> Release:
    return release_create(dataset=dolly, by=None, test_fraction=0.1)


def test_an_error_mid_build_fails_the_release_and_publishes_nothing(
    dolly, pairs, media_root, monkeypatch
):
    calls = []
    real_write = Messages.write

    def explode_on_second_row(self, block):
        calls.append(block)
        if len(calls) == 2:
            raise OSError("No space left on device")
        return real_write(self, block)

    # A row a block: the second arrives while the database is still sending the rest.
    monkeypatch.setattr(rows, "BLOCK_ROWS", 1)
    monkeypatch.setattr(Messages, "write", explode_on_second_row)
    release = build(dolly)
    assert release.state == Release.State.FAILED
    assert release.error == "OSError: No space left on device"
    assert release.version is None and release.finished_at is not None
    assert not ReleaseFile.objects.exists()
    assert not ReleaseEntry.objects.exists()
    assert _stored_files(media_root) == []


def test_a_disk_error_fails_the_release(dolly, pairs, media_root, monkeypatch):
    real_write = files.HashingFile.write

    def full_disk(self, data):
        if self.path.name == "full.jsonl":
            raise OSError("No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(files.HashingFile, "write", full_disk)
    release = build(dolly)
    assert (release.state, release.error) == ("failed", "OSError: No space left on device")
    assert not ReleaseFile.objects.exists() and not ReleaseEntry.objects.exists()
    assert _stored_files(media_root) == []


def test_an_error_while_publishing_removes_the_stored_files(dolly, pairs, media_root, monkeypatch):
    stored = []
    real_store = publishing._store

    def fail_on_fourth(prefix, written):
        if len(stored) == 3:
            raise ConnectionError("storage went away")
        stored.append(real_store(prefix, written))
        return stored[-1]

    monkeypatch.setattr(publishing, "_store", fail_on_fourth)
    release = build(dolly)
    assert release.state == Release.State.FAILED
    assert "storage went away" in release.error
    assert len(stored) == 3 and _stored_files(media_root) == []
    assert not Release.objects.filter(state=Release.State.READY).exists()


def test_a_build_directory_that_cannot_be_made_fails_the_release(dolly, pairs, monkeypatch):
    def read_only_disk(release_id, token):
        raise PermissionError("Read-only file system")

    # Before any row is read: the release must not stay "building" until it goes stale.
    monkeypatch.setattr(building, "build_directory", read_only_disk)
    release = build(dolly)
    assert (release.state, release.error) == ("failed", "PermissionError: Read-only file system")
    assert not ReleaseEntry.objects.exists()


def test_running_the_task_again_on_a_ready_release_changes_nothing(dolly, pairs):
    release = build(dolly)
    files = list(release.files.values_list("name", "sha256", "storage_path"))
    assert build_release.apply(args=[release.pk]).get() == DONE
    release.refresh_from_db()
    assert (release.state, release.version, release.attempts) == ("ready", 1, 1)
    assert list(release.files.values_list("name", "sha256", "storage_path")) == files
    assert release.entries.count() == 3


def test_a_failed_release_stays_failed(dolly, pairs):
    release = _queued(dolly)
    Release.objects.filter(pk=release.pk).update(state=Release.State.FAILED, error="boom")
    assert release_build(release_id=release.pk) == DONE
    release.refresh_from_db()
    assert (release.state, release.error, release.attempts) == ("failed", "boom", 0)


def test_a_live_build_is_not_started_twice(dolly, pairs):
    release = _queued(dolly)
    attempt = attempt_start(release_id=release.pk)
    assert release_build(release_id=release.pk) == BUSY
    assert build_release.apply(args=[release.pk]).get() == BUSY
    release.refresh_from_db()
    assert (release.state, release.attempts, release.build_token) == (
        "building",
        1,
        attempt.token,
    )


def test_a_stale_build_is_taken_over_and_rebuilt_from_scratch(dolly, pairs, media_root):
    """The worker died mid-build: entries and a file of the dead attempt are left over."""
    release = _queued(dolly)
    dead = attempt_start(release_id=release.pk)
    entries_record(release=release)
    leftover = media_root / "releases" / "dolly" / str(release.pk) / dead.token / "dolly.jsonl"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("half a file")
    Release.objects.filter(pk=release.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - timezone.timedelta(seconds=1)
    )

    assert build_release.apply(args=[release.pk]).get() == Release.State.READY
    release.refresh_from_db()
    assert (release.state, release.version, release.attempts) == ("ready", 1, 2)
    assert release.build_token != dead.token
    assert release.entries.count() == 3
    assert not leftover.exists()
    assert len(_stored_files(media_root)) == release.files.count()
    with pytest.raises(Superseded):
        Heartbeat(dead)(1, force=True)


def test_a_superseded_attempt_cannot_publish(dolly, pairs, media_root, tmp_path):
    release = _queued(dolly)
    dead = attempt_start(release_id=release.pk)
    Release.objects.filter(pk=release.pk).update(build_token="someone-else")
    (tmp_path / "work").mkdir()
    entries_record(release=release)
    opened = [format_(tmp_path / "work") for format_ in formats()]
    written = write_rows(release=release, into=opened)
    with pytest.raises(Superseded):
        publishing.publish(attempt=dead, heartbeat=Heartbeat(dead), formats=opened, written=written)
    assert _stored_files(media_root) == []
    release.refresh_from_db()
    assert release.state == "building" and release.version is None


def test_after_too_many_dead_attempts_the_release_fails(dolly, pairs):
    release = _queued(dolly)
    Release.objects.filter(pk=release.pk).update(
        state=Release.State.BUILDING,
        attempts=MAX_ATTEMPTS,
        heartbeat_at=timezone.now() - STALE_AFTER * 2,
    )
    assert release_build(release_id=release.pk) == DONE
    release.refresh_from_db()
    assert release.state == "failed" and "Gave up after 3 attempts" in release.error


def test_progress_is_recorded(dolly, pairs):
    release = _queued(dolly)
    seen = []
    built = release_build(release_id=release.pk, on_progress=lambda r: seen.append(r.rows_written))
    assert built.state == "ready"
    assert (built.rows_written, built.rows_total) == (3, 3)
    assert seen == [3]


def test_an_error_in_the_parquet_writer_fails_the_release(dolly, pairs, media_root, monkeypatch):
    def full_disk(self, block):
        raise OSError("No space left on device")

    monkeypatch.setattr(Parquet, "write", full_disk)
    release = build(dolly)
    assert (release.state, release.error) == ("failed", "OSError: No space left on device")
    assert not ReleaseFile.objects.exists() and not ReleaseEntry.objects.exists()
    assert _stored_files(media_root) == []


def test_a_file_that_cannot_be_opened_fails_the_release_and_closes_the_others(
    dolly, pairs, media_root, monkeypatch
):
    import pyarrow.parquet as pq

    lines, tables = [], []
    real_lines, real_table = files.HashingFile.__init__, pq.ParquetWriter

    def recorded(self, directory, name):
        real_lines(self, directory, name)
        lines.append(self)

    def refused(path, *args, **kwargs):
        if path.endswith("test.parquet"):
            raise PermissionError(f"Permission denied: {path}")
        tables.append(real_table(path, *args, **kwargs))
        return tables[-1]

    monkeypatch.setattr(files.HashingFile, "__init__", recorded)
    monkeypatch.setattr(pq, "ParquetWriter", refused)
    release = build(dolly)
    assert release.state == "failed" and "Permission denied" in release.error
    assert len(lines) == 4 and all(file._file.closed for file in lines)
    assert len(tables) == 1 and not tables[0].is_open
    assert not ReleaseFile.objects.exists() and not ReleaseEntry.objects.exists()
    assert _stored_files(media_root) == []


def test_publishing_beats_between_files(dolly, pairs, monkeypatch):
    """Each upload may be long: the next starts with a fresh heartbeat, not a stale one."""
    release = _queued(dolly)
    store, seen = publishing._store, []

    def slow_store(prefix: str, file) -> str:
        seen.append(is_stale(Release.objects.get(pk=release.pk)))
        # As if this upload took longer than STALE_AFTER.
        Release.objects.filter(pk=release.pk).update(heartbeat_at=timezone.now() - STALE_AFTER * 2)
        return store(prefix, file)

    monkeypatch.setattr(publishing, "_store", slow_store)
    monkeypatch.setattr(attempts, "HEARTBEAT_SECONDS", 0)
    assert release_build(release_id=release.pk).state == "ready"
    assert len(seen) == release.files.count() > 1
    assert not any(seen)

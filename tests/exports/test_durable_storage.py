"""On the local disk, every release file and the directories leading to it reach the disk
before the release is ready."""

import os
from pathlib import Path

import pytest

from exports.models import Release
from tests.exports.conftest import approved_pair, build


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to name an fd")
def test_files_and_their_directories_are_fsynced_before_the_release_is_ready(
    dolly, open_qa, alice, ada, media_root, monkeypatch
):
    approved_pair(author=alice, category=open_qa, by=ada)
    synced: list[tuple[Path, bool]] = []
    real_fsync = os.fsync

    def spy(fd):
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))
        ready = Release.objects.filter(state=Release.State.READY).exists()
        synced.append((path, ready))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    release = build(dolly)
    assert release.state == "ready"
    assert not any(ready for _, ready in synced)
    paths = {path for path, _ in synced}
    root = Path(media_root).resolve()
    for stored in release.files.values_list("storage_path", flat=True):
        file = root / stored
        assert file in paths, stored
        for directory in file.parents:
            assert directory in paths, directory
            if directory == root:
                break

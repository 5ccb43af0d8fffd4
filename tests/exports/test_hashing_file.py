"""HashingFile: what it writes, its size and sha256, and handing written pages back."""

import hashlib
import os

import pytest

from exports import writers
from exports.writers import HashingFile, Spool

CHUNKS = [b"first line\n", "ünïcode ✍\n".encode(), b"x" * 5000, b"", b"last\n"]


@pytest.mark.parametrize("spooled", [False, True])
def test_writes_every_byte_and_its_checksum(tmp_path, spooled):
    spool = Spool(depth=2) if spooled else None
    out = HashingFile(tmp_path / "data" / "f.jsonl", spool=spool)
    for chunk in CHUNKS:
        out.write(chunk)
    written = out.result("f.jsonl")
    if spool:
        spool.close()
    expected = b"".join(CHUNKS)
    assert written.path.read_bytes() == expected
    assert written.bytes == len(expected)
    assert written.sha256 == hashlib.sha256(expected).hexdigest()


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_written_pages_are_handed_back_as_the_file_grows(tmp_path, monkeypatch):
    advised = []
    real_fadvise = os.posix_fadvise

    def spy(fd, offset, length, advice):
        advised.append((offset, length, advice))
        return real_fadvise(fd, offset, length, advice)

    monkeypatch.setattr(writers, "EVICT_BYTES", 5000)
    monkeypatch.setattr(os, "posix_fadvise", spy)
    out = HashingFile(tmp_path / "f.jsonl")
    for chunk in CHUNKS:
        out.write(chunk)
    written = out.result("f.jsonl")
    # Once past 5000 bytes: everything written so far, and the file is intact.
    assert advised == [(0, 5000 + 11 + len(CHUNKS[1]), os.POSIX_FADV_DONTNEED)]
    assert written.path.read_bytes() == b"".join(CHUNKS)
    assert written.sha256 == hashlib.sha256(b"".join(CHUNKS)).hexdigest()

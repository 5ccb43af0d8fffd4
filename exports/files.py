"""A release file being written in the build's directory, its bytes hashed as they go.

Made durable only once stored (see exports.storage): an fsync here as well cost a 10k
build seconds on a busy disk, for files that a killed build throws away anyway.
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

# A file's written pages are handed back to the kernel every this many bytes. A release is
# written once and read seldom, and gigabytes of it in the page cache would push out the
# tables the database keeps there; on a VM that hands free memory back to its host,
# writing 3 GB took 6.6 s without this and 3.6 s with it. Every 4 MB rather than every
# 32 MB, the kernel reuses pages it has just freed: a 100k build (dolly, full, messages and
# alpaca written at once, 327 MB with the Parquet files that pyarrow writes itself) spent
# 0.3 s in the kernel against 0.85-1.0 s, and took 3.4 s against 4.1-4.3 s (measured in
# turn when this was chosen, commit 732b207; builds have been faster since).
EVICT_BYTES = 4 << 20


@dataclass(frozen=True)
class WrittenFile:
    name: str
    path: Path
    bytes: int
    sha256: str


class HashingFile:
    """A binary file that keeps the sha256 and size of what was written to it."""

    def __init__(self, directory: Path, name: str) -> None:
        self.name = name
        self.path = directory / name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self.path, "wb")  # noqa: SIM115 - closed by close()
        self._sha256 = hashlib.sha256()
        self.bytes = self._evicted = 0

    def write(self, data: bytes) -> None:
        self._sha256.update(data)
        self._file.write(data)
        self.bytes += len(data)
        if self.bytes - self._evicted >= EVICT_BYTES and hasattr(os, "posix_fadvise"):
            self._file.flush()
            os.posix_fadvise(self._file.fileno(), 0, self.bytes, os.POSIX_FADV_DONTNEED)
            self._evicted = self.bytes

    def close(self) -> WrittenFile:
        self._file.close()
        return WrittenFile(self.name, self.path, self.bytes, self._sha256.hexdigest())

    def abort(self) -> None:
        self._file.close()


def written_file(path: Path, name: str) -> WrittenFile:
    """A file another library wrote (Parquet), hashed once it is closed."""
    with open(path, "rb") as handle:
        sha256 = hashlib.file_digest(handle, "sha256").hexdigest()
    return WrittenFile(name, path, path.stat().st_size, sha256)

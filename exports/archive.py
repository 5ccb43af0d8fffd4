"""The whole release as one zip, streamed while it is read from storage.

Built on the fly rather than stored: it would double the release's storage and its build
time, and only admins download it. Entries carry a fixed date, so the same release always
streams the same bytes.
"""

import zipfile
from collections.abc import Iterator

from exports.models import Release
from exports.storage import release_storage

CHUNK = 1 << 20
# Parquet is compressed already; deflating it again only costs time.
STORED_SUFFIXES = (".parquet",)
FIXED_DATE = (1980, 1, 1, 0, 0, 0)


class _Pipe:
    """A write-only, unseekable sink: zipfile writes, the generator drains."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def drain(self) -> Iterator[bytes]:
        chunks, self.chunks = self.chunks, []
        yield from chunks


def archive_name(release: Release) -> str:
    return f"{release.dataset.slug}-v{release.version}"


def zip_chunks(release: Release) -> Iterator[bytes]:
    pipe = _Pipe()
    folder = archive_name(release)
    with zipfile.ZipFile(pipe, "w") as archive:
        # Sorted here, not by the database, whose collation may order "README.md" and
        # "data/..." differently: the same release zips to the same bytes anywhere.
        for file in sorted(release.files.all(), key=lambda file: file.name):
            info = zipfile.ZipInfo(f"{folder}/{file.name}", date_time=FIXED_DATE)
            info.compress_type = (
                zipfile.ZIP_STORED if file.name.endswith(STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
            )
            info.file_size = file.bytes  # lets zipfile choose ZIP64 up front for huge files
            with (
                release_storage().open(file.storage_path, "rb") as source,
                archive.open(info, "w") as target,
            ):
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield from pipe.drain()
            yield from pipe.drain()
    yield from pipe.drain()

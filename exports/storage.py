"""Where release files live: ``storages["releases"]`` (see RELEASES_* in the settings)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages


def release_storage() -> Storage:
    return storages["releases"]


def download_link(path: str, *, filename: str) -> str | None:
    """A short-lived link that downloads the stored file directly from an object store, as
    ``filename``; None for the local disk, whose files the web process streams itself."""
    storage = release_storage()
    if not hasattr(storage, "bucket_name"):
        return None
    disposition = f'attachment; filename="{filename}"'
    return _signer(storage).url(path, parameters={"ResponseContentDisposition": disposition})


_signers: dict[tuple, Storage] = {}


def _signer(storage: Storage) -> Storage:
    """The store as browsers reach it. A link is signed for its host, so when the web
    reaches the store at an address browsers cannot (compose's http://minio:9000), it is
    signed for RELEASES_PUBLIC_ENDPOINT_URL instead; signing contacts no server."""
    public = settings.RELEASES_PUBLIC_ENDPOINT_URL
    if not public or public == storage.endpoint_url:
        return storage
    options = settings.STORAGES["releases"]["OPTIONS"]
    key = (public, *sorted((name, str(value)) for name, value in options.items()))
    if key not in _signers:
        _signers[key] = type(storage)(**{**options, "endpoint_url": public})
    return _signers[key]


class DurableFileSystemStorage(FileSystemStorage):
    """The local disk, where a saved file and the directories leading to it reach the disk
    before ``save`` returns: a release is marked ready only after its files are saved, and
    a power cut must not leave a ready release with a truncated or missing file."""

    def _save(self, name: str, content: File) -> str:
        name = super()._save(name, content)
        path = Path(self.path(name))
        _fsync(path)
        root = Path(self.location).resolve()
        # A file's own fsync does not make its name durable: its directories' do.
        for directory in path.parents:
            _fsync(directory)
            if directory.resolve() == root:
                break
        return name


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

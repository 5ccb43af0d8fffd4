"""Publishing a built release: store its files, then make it ready in one transaction.

Files go through ``default_storage`` (local disk under MEDIA_ROOT unless configured
otherwise) under ``releases/<dataset>/<release id>/<attempt token>/``, a prefix no other
attempt uses. Only after every file is stored does one transaction, holding the dataset
row, assign the version, record the files and mark the release ready. If another release
of the dataset became ready meanwhile, the changelog, card and manifest are written again
against it before trying again.

The entries were recorded when the build started (the files are written from them). Until
this transaction they belong to a release that is not ready, which nothing treats as
shipped; a failed or abandoned attempt's entries are deleted with its stored files.
"""

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from annotation.audit import audit
from annotation.models import Dataset
from exports.attempts import Attempt, Superseded
from exports.card import CardFacts, card_markdown
from exports.changelog import changelog_write
from exports.models import Release, ReleaseEntry, ReleaseFile
from exports.writers import HashingFile, WrittenFile

MANIFEST = "manifest.json"
CARD = "README.md"
PUBLISH_TRIES = 5


class _MovableFile(File):
    """A local file that FileSystemStorage may move into place instead of copying."""

    def temporary_file_path(self) -> str:
        return self.name


def release_prefix(release: Release) -> str:
    return f"releases/{release.dataset.slug}/{release.pk}/"


def _store(prefix: str, written: WrittenFile) -> str:
    with open(written.path, "rb") as handle:
        return default_storage.save(prefix + written.name, _MovableFile(handle, written.path))


def _delete_tree(path: str) -> None:
    try:
        directories, files = default_storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{path}{name}")
    for name in directories:
        _delete_tree(f"{path}{name}/")
    default_storage.delete(path.rstrip("/"))


def discard_attempts(*, release: Release) -> None:
    """Remove whatever unpublished attempts of ``release`` left: entries and stored files."""
    if release.state == Release.State.READY:
        raise ValueError("A ready release is immutable.")
    ReleaseEntry.objects.filter(release=release).delete()
    _delete_tree(release_prefix(release))


def latest_ready(dataset: Dataset) -> Release | None:
    return (
        Release.objects.filter(dataset=dataset, state=Release.State.READY)
        .order_by("-version")
        .first()
    )


def manifest_bytes(
    *,
    release: Release,
    version: int,
    built_at: datetime,
    total: int,
    counts: dict,
    files: list[WrittenFile],
    previous: Release | None,
) -> bytes:
    manifest = {
        "dataset": release.dataset.slug,
        "version": f"v{version}",
        "built_at": built_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "filters": release.filters,
        "counts": {"total": total, **counts},
        "files": [
            {"name": f.name, "bytes": f.bytes, "sha256": f.sha256}
            for f in sorted(files, key=lambda f: f.name)
        ],
        "previous_version": f"v{previous.version}" if previous else None,
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _write(directory: Path, name: str, data: bytes) -> WrittenFile:
    out = HashingFile(directory / name)
    out.write(data)
    return out.result(name)


def _metadata(*, attempt: Attempt, directory: Path, export, previous: Release | None):
    """CHANGELOG.md, README.md and manifest.json for publishing as the next version."""
    release = attempt.release
    version = previous.version + 1 if previous else 1
    built_at = timezone.now()
    changelog, changes = changelog_write(
        out=HashingFile(directory / "CHANGELOG.md"),
        release=release,
        previous=previous,
        version=version,
        total=export.total,
    )
    card = _write(
        directory,
        CARD,
        card_markdown(
            CardFacts(
                dataset=release.dataset,
                version=version,
                built_at=built_at,
                total=export.total,
                counts=export.counts,
                filters=release.filters,
                notes=release.notes,
                previous_version=previous.version if previous else None,
                changes=changes,
            )
        ).encode("utf-8"),
    )
    listed = [*export.files, changelog, card]
    manifest = _write(
        directory,
        MANIFEST,
        manifest_bytes(
            release=release,
            version=version,
            built_at=built_at,
            total=export.total,
            counts=export.counts,
            files=listed,
            previous=previous,
        ),
    )
    return version, built_at, changes, [changelog, card, manifest]


def publish(*, attempt: Attempt, directory: Path, export) -> Release:
    """Store the files of ``export`` and make the release ready; returns the fresh row."""
    release = attempt.release
    prefix = f"{release_prefix(release)}{attempt.token}/"
    try:
        return _publish(attempt, directory, export, prefix)
    except BaseException:
        # A superseded or failed attempt leaves nothing behind under its prefix.
        _delete_tree(prefix)
        raise


def _publish(attempt: Attempt, directory: Path, export, prefix: str) -> Release:
    release = attempt.release
    stored = {f.name: (f, _store(prefix, f)) for f in export.files}
    for _ in range(PUBLISH_TRIES):
        previous = latest_ready(release.dataset)
        version, built_at, changes, metadata = _metadata(
            attempt=attempt, directory=directory, export=export, previous=previous
        )
        for written in metadata:
            if written.name in stored:
                default_storage.delete(stored[written.name][1])
            stored[written.name] = (written, _store(prefix, written))
        with transaction.atomic():
            Dataset.objects.select_for_update().get(pk=release.dataset_id)
            locked = Release.objects.select_for_update().get(pk=release.pk)
            if locked.state != Release.State.BUILDING or locked.build_token != attempt.token:
                raise Superseded
            if latest_ready(release.dataset) != previous:
                continue
            ReleaseFile.objects.bulk_create(
                ReleaseFile(
                    release=locked,
                    name=written.name,
                    bytes=written.bytes,
                    sha256=written.sha256,
                    storage_path=path,
                )
                for written, path in stored.values()
            )
            locked.version = version
            locked.previous = previous
            locked.state = Release.State.READY
            locked.total_count = export.total
            locked.counts = {**export.counts, "changes": asdict(changes) if changes else None}
            locked.rows_total = locked.rows_written = export.total
            locked.finished_at = built_at
            locked.save()
            audit(actor=None, verb="release.publish", obj=locked, version=f"v{version}")
            attempt.release = locked
            return locked
    raise RuntimeError("Other releases of this dataset kept publishing; try again.")

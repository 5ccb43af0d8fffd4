"""Publishing a built release: store its files, then make it ready in one transaction.

Files go through ``storages["releases"]`` under ``releases/<dataset>/<release id>/<attempt
token>/``, a prefix no other attempt uses. Only after every file is stored does one
transaction, holding the dataset row, assign the version, record the files and mark the
release ready. If another release of the dataset became ready meanwhile, every format
finishes again with the new version before trying again: those that describe the release
(stats, changelog, card, manifest) write their files anew, those of rows give back the
files they wrote.

Until then the entries belong to a release that is not ready, which nothing treats as
shipped; a failed or abandoned attempt's entries are deleted with its stored files.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from annotation.audit import audit
from annotation.models import Dataset
from exports.attempts import Attempt, Heartbeat, Superseded
from exports.files import WrittenFile
from exports.formats import Facts, Format
from exports.models import Release, ReleaseEntry, ReleaseFile
from exports.storage import release_storage

if TYPE_CHECKING:
    # exports.building imports this module.
    from exports.building import Written

PUBLISH_TRIES = 5


class _MovableFile(File):
    """A local file that FileSystemStorage may move into place instead of copying."""

    def temporary_file_path(self) -> str:
        return self.name


def release_prefix(release: Release) -> str:
    return f"releases/{release.dataset.slug}/{release.pk}/"


def _store(prefix: str, written: WrittenFile) -> str:
    with open(written.path, "rb") as handle:
        return release_storage().save(prefix + written.name, _MovableFile(handle, written.path))


def _delete_tree(path: str) -> None:
    storage = release_storage()
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in files:
        storage.delete(f"{path}{name}")
    for name in directories:
        _delete_tree(f"{path}{name}/")
    if isinstance(storage, FileSystemStorage):
        # The emptied directory; an object store has none.
        storage.delete(path.rstrip("/"))


def discard_attempts(*, release: Release) -> None:
    """Remove whatever unpublished attempts of ``release`` left: entries and stored files."""
    if release.state == Release.State.READY:
        raise ValueError("A ready release is immutable.")
    ReleaseEntry.objects.filter(release=release).delete()
    _delete_tree(release_prefix(release))


def previous_of(release: Release) -> Release | None:
    """The newest ready release of the same selection: the same dataset and categories."""
    ready = Release.objects.filter(dataset=release.dataset_id, state=Release.State.READY)
    for candidate in ready.exclude(pk=release.pk).order_by("-version").iterator():
        if candidate.categories == release.categories:
            return candidate
    return None


def _latest_version(dataset_id: int) -> int:
    ready = Release.objects.filter(dataset=dataset_id, state=Release.State.READY)
    return ready.aggregate(latest=Max("version"))["latest"] or 0


def publish(
    *, attempt: Attempt, heartbeat: Heartbeat, formats: Sequence[Format], written: "Written"
) -> Release:
    """Finish every format's files, store them and make the release ready.

    The heartbeat beats while each file is stored: uploading a large release to an object
    store can outlast STALE_AFTER, after which the build would look dead and be taken over.
    """
    prefix = f"{release_prefix(attempt.release)}{attempt.token}/"
    try:
        return _publish(attempt, heartbeat, formats, written, prefix)
    except BaseException:
        # A superseded or failed attempt leaves nothing behind under its prefix.
        _delete_tree(prefix)
        raise


def _publish(
    attempt: Attempt,
    heartbeat: Heartbeat,
    formats: Sequence[Format],
    written: "Written",
    prefix: str,
) -> Release:
    release = attempt.release
    stored: dict[str, tuple[WrittenFile, str]] = {}
    for _ in range(PUBLISH_TRIES):
        version, previous = _latest_version(release.dataset_id) + 1, previous_of(release)
        facts = Facts(
            release=release,
            version=version,
            built_at=timezone.now(),
            total=written.total,
            counts=written.counts,
            previous=previous,
        )
        for format_ in formats:
            if finished := format_.finish(facts):
                facts.files += finished
                facts.formats.append(type(format_))
        for file in facts.files:
            if file.name in stored and stored[file.name][0] != file:
                release_storage().delete(stored.pop(file.name)[1])
            if file.name not in stored:
                with heartbeat.kept_alive(written.total):
                    stored[file.name] = (file, _store(prefix, file))
        with transaction.atomic():
            Dataset.objects.select_for_update().get(pk=release.dataset_id)
            locked = Release.objects.select_for_update().get(pk=release.pk)
            if locked.state != Release.State.BUILDING or locked.build_token != attempt.token:
                raise Superseded
            moved = _latest_version(release.dataset_id) + 1 != version
            if moved or previous_of(release) != previous:
                continue
            ReleaseFile.objects.bulk_create(
                ReleaseFile(
                    release=locked,
                    name=file.name,
                    bytes=file.bytes,
                    sha256=file.sha256,
                    storage_path=path,
                )
                for file, path in stored.values()
            )
            locked.version = version
            locked.previous = previous
            locked.state = Release.State.READY
            locked.total_count = written.total
            changes = facts.changes
            locked.counts = {
                **written.counts,
                "changes": vars(changes) if changes else None,
                "left_out": written.left_out,
            }
            locked.rows_total = locked.rows_written = written.total
            locked.finished_at = facts.built_at
            locked.save()
            audit(actor=None, verb="release.publish", obj=locked, version=f"v{version}")
            attempt.release = locked
            return locked
    raise RuntimeError("Other releases of this dataset kept publishing; try again.")

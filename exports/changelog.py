"""CHANGELOG.md: what changed since the previous ready release of the same dataset.

Computed from the two releases' entries by the database (anti-joins and a join on the
(release, pair) index) and streamed id by id, so a million-row release never holds two
sets of ids in Python.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from annotation.models import Pair
from exports.models import Release, ReleaseEntry
from exports.writers import HashingFile, WrittenFile

NAME = "CHANGELOG.md"
FETCH_ROWS = 5000


@dataclass(frozen=True)
class Changes:
    added: int
    removed: int
    changed: int


def _entries(release: Release) -> QuerySet[ReleaseEntry]:
    return ReleaseEntry.objects.filter(release=release)


def added(*, release: Release, previous: Release) -> QuerySet[ReleaseEntry]:
    return _entries(release).exclude(Exists(_entries(previous).filter(pair_id=OuterRef("pair_id"))))


def removed(*, release: Release, previous: Release) -> QuerySet[ReleaseEntry]:
    return _entries(previous).exclude(Exists(_entries(release).filter(pair_id=OuterRef("pair_id"))))


def changed(*, release: Release, previous: Release) -> QuerySet[ReleaseEntry]:
    """Pairs in both whose shipped revision differs."""
    return _entries(release).filter(
        Exists(
            _entries(previous).filter(
                Q(pair_id=OuterRef("pair_id")) & ~Q(revision_id=OuterRef("revision_id"))
            )
        )
    )


def _stream(entries: QuerySet[ReleaseEntry], *fields: str):
    return entries.order_by("pair_id").values_list(*fields).iterator(chunk_size=FETCH_ROWS)


def _why_removed(status: str) -> str:
    if status == Pair.Status.RETRACTED:
        return "retracted"
    return "no longer shipped (not approved, or outside this release's filters)"


def changelog_write(
    *, out: HashingFile, release: Release, previous: Release | None, version: int, total: int
) -> tuple[WrittenFile, Changes | None]:
    """Write the changelog of ``release`` (to be ``v{version}``) into ``out``."""

    def line(text: str = "") -> None:
        out.write(f"{text}\n".encode())

    line(f"# Changelog: {release.dataset.name} v{version}")
    line()
    if previous is None:
        line(f"First release: {total} pairs.")
        return out.result(NAME), None
    changes = Changes(
        added=added(release=release, previous=previous).count(),
        removed=removed(release=release, previous=previous).count(),
        changed=changed(release=release, previous=previous).count(),
    )
    line(f"Against v{previous.version}: {previous.total_count} → {total} pairs.")
    line()
    line(f"- Added: {changes.added}")
    line(f"- Removed: {changes.removed}")
    line(f"- Changed (a different approved revision): {changes.changed}")
    if changes.added:
        line()
        line(f"## Added ({changes.added})")
        line()
        for public_id, number in _stream(
            added(release=release, previous=previous), "pair__public_id", "revision__number"
        ):
            line(f"- {public_id} (revision {number})")
    if changes.removed:
        line()
        line(f"## Removed ({changes.removed})")
        line()
        for public_id, status in _stream(
            removed(release=release, previous=previous), "pair__public_id", "pair__status"
        ):
            line(f"- {public_id}: {_why_removed(status)}")
    if changes.changed:
        line()
        line(f"## Changed ({changes.changed})")
        line()
        before = _entries(previous).filter(pair_id=OuterRef("pair_id")).values("revision__number")
        rows = changed(release=release, previous=previous).annotate(before=Subquery(before[:1]))
        for public_id, old, new in _stream(rows, "pair__public_id", "before", "revision__number"):
            line(f"- {public_id}: revision {old} → {new}")
    return out.result(NAME), changes

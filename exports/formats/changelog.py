"""CHANGELOG.md: what changed since the previous ready release of the same selection
(the same dataset and categories: a release of one category compares with the last
release of that category, not with one of every category).

Computed by the database from the two releases' entries and streamed id by id, so a
million-row release never holds two sets of ids in Python.

The two sets of entries meet in a FULL JOIN, which PostgreSQL can only merge or hash: each
release's entries are read once whatever the table's statistics say. Written as anti-joins
(NOT EXISTS), the plan depended on them, and the statistics take a release newer than the
last ANALYZE (builds leave that to autovacuum) for empty: PostgreSQL then nested a
scan of one release's entries in a scan of the other's, and the changelog of a 10k release
after a 100k one took 29 s instead of milliseconds.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

from django.db import connection, models

from annotation.models import Category, Finding, Pair, Revision
from exports.files import HashingFile, WrittenFile
from exports.formats import Facts, Format
from exports.formats.preference import Preference
from exports.models import Release, ReleaseEntry

FETCH_ROWS = 5000

ADDED, REMOVED, CHANGED = 0, 1, 2


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class Changes:
    added: int
    removed: int
    changed: int


def _differences() -> str:
    """Every pair whose entry differs between two releases (ids: new, old): the pair and both
    revisions, NULL in the release without it, and the kind of difference.

    No condition above the FULL JOIN may be strict on either side's columns, or the
    planner would turn it back into the anti-join it must not be; hence OR of IS NULL here.
    """
    entries = table(ReleaseEntry)
    return (
        "SELECT COALESCE(n.pair_id, o.pair_id) AS pair_id,"  # noqa: S608
        " n.revision_id AS new_revision, o.revision_id AS old_revision,"
        f" CASE WHEN o.pair_id IS NULL THEN {ADDED} WHEN n.pair_id IS NULL THEN {REMOVED}"
        f" ELSE {CHANGED} END AS kind"
        f" FROM (SELECT pair_id, revision_id FROM {entries} WHERE release_id = %s) n"
        f" FULL JOIN (SELECT pair_id, revision_id FROM {entries} WHERE release_id = %s) o"
        " ON o.pair_id = n.pair_id"
        " WHERE n.pair_id IS NULL OR o.pair_id IS NULL OR n.revision_id <> o.revision_id"
    )


def changes_count(*, release: Release, previous: Release) -> Changes:
    sums = (f"SUM(CASE WHEN kind = {kind} THEN 1 ELSE 0 END)" for kind in (ADDED, REMOVED, CHANGED))
    query = f"SELECT {', '.join(sums)} FROM ({_differences()}) d"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query, [release.pk, previous.pk])
        added, removed, changed = (count or 0 for count in cursor.fetchone())
    return Changes(added=added, removed=removed, changed=changed)


@dataclass(frozen=True)
class Difference:
    kind: int
    public_id: UUID
    old: int | None  # revision numbers, None in the release without the pair
    new: int | None
    status: str  # the pair's, now
    dataset_id: int  # the pair's, now
    category: str | None  # the slug of its approved revision's category, now
    held: bool  # its approved revision has a finding nobody confirmed, now


def changes_stream(*, release: Release, previous: Release) -> Iterator[Difference]:
    """Every difference: the added first, then the removed, then the changed, each in pair
    order."""
    public_id = Pair._meta.get_field("public_id")
    query = (
        # MATERIALIZED: planned alone, so the joins below cannot reach into the FULL JOIN.
        f"WITH d AS MATERIALIZED ({_differences()})"  # noqa: S608
        " SELECT d.kind, p.public_id, o.number, n.number, p.status, p.dataset_id, c.slug,"
        f" EXISTS (SELECT 1 FROM {table(Finding)} f"
        "  WHERE f.revision_id = p.approved_revision_id AND f.confirmed_at IS NULL)"
        " FROM d"
        f" JOIN {table(Pair)} p ON p.id = d.pair_id"
        f" LEFT JOIN {table(Revision)} n ON n.id = d.new_revision"
        f" LEFT JOIN {table(Revision)} o ON o.id = d.old_revision"
        f" LEFT JOIN {table(Revision)} a ON a.id = p.approved_revision_id"
        f" LEFT JOIN {table(Category)} c ON c.id = a.category_id"
        " ORDER BY d.kind, d.pair_id"
    )
    with connection.chunked_cursor() as cursor:
        cursor.execute(query, [release.pk, previous.pk])
        while rows := cursor.fetchmany(FETCH_ROWS):
            for kind, uuid, old, new, status, dataset_id, category, held in rows:
                uuid = public_id.to_python(uuid)
                yield Difference(kind, uuid, old, new, status, dataset_id, category, bool(held))


def _why_removed(difference: Difference, release: Release) -> str:
    """Why the pair no longer ships, by the rule of annotation.pairs.shipped_pairs."""
    if difference.status == Pair.Status.RETRACTED:
        return "retracted"
    if difference.dataset_id != release.dataset_id:
        return "moved to another dataset"
    if difference.category is None:
        return "no longer approved"
    if release.categories and difference.category not in release.categories:
        return f"its approved text is now in {difference.category}"
    if difference.held:
        return "left out until someone confirms a finding in its text (personal data, a secret)"
    return "no longer shipped"


class Changelog(Format):
    """Sets ``facts.changes`` for the card."""

    name = "CHANGELOG.md"
    about = "changes since the previous release of the same selection."

    def finish(self, facts: Facts) -> list[WrittenFile]:
        out = HashingFile(self.directory, self.name)
        try:
            facts.changes = _write(out, facts)
        except BaseException:
            out.abort()
            raise
        return [out.close()]


def _write(out: HashingFile, facts: Facts) -> Changes | None:
    release, previous, version = facts.release, facts.previous, facts.version

    def line(text: str = "") -> None:
        out.write(f"{text}\n".encode())

    line(f"# Changelog: {release.dataset.name} v{version}")
    line()
    if chosen := release.categories:
        line(f"Categories: {', '.join(chosen)}.")
        line()
    if Preference in facts.formats:
        line(f"With {Preference.name}: a preference pair from every accepted edit.")
        line()
    if previous is None:
        line(f"First release: {_pairs(facts.total)}.")
        return None
    changes = changes_count(release=release, previous=previous)
    line(f"Against v{previous.version}: {previous.total_count} → {_pairs(facts.total)}.")
    line()
    line(f"- Added: {changes.added}")
    line(f"- Removed: {changes.removed}")
    line(f"- Changed (a different approved revision): {changes.changed}")
    headings = {
        kind: f"{title} ({count})"
        for kind, title, count in (
            (ADDED, "Added", changes.added),
            (REMOVED, "Removed", changes.removed),
            (CHANGED, "Changed", changes.changed),
        )
        if count
    }
    section = None
    differences = changes_stream(release=release, previous=previous) if headings else ()
    for difference in differences:
        kind, public_id = difference.kind, difference.public_id
        if kind != section:
            section = kind
            line()
            line(f"## {headings[kind]}")
            line()
        if kind == ADDED:
            line(f"- {public_id} (revision {difference.new})")
        elif kind == REMOVED:
            line(f"- {public_id}: {_why_removed(difference, release)}")
        else:
            line(f"- {public_id}: revision {difference.old} → {difference.new}")
    return changes


def _pairs(count: int) -> str:
    return f"{count} pair" if count == 1 else f"{count} pairs"

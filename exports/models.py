from django.conf import settings
from django.db import models
from django.db.models import Q

from annotation.models import Dataset, Pair, Revision

# Share of pairs in the test split unless the admin picks another: a tenth, the usual
# hold-out for a dataset of this size. databricks-dolly-15k itself ships no test split.
DEFAULT_TEST_FRACTION = 0.1


class Release(models.Model):
    """One build of a dataset's approved pairs. Immutable once ready.

    The version (1, 2, ...; shown as v1, v2) is assigned in the transaction that makes the
    release ready, under a lock on the dataset row, as one more than the newest ready
    version. A queued, building or failed release has no version, so a failed or abandoned
    build never leaves a gap and two builds can never publish the same version (the unique
    constraint is the backstop).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    dataset = models.ForeignKey(Dataset, on_delete=models.PROTECT, related_name="releases")
    version = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    # {"categories": [slug, ...] (empty: all), "test_fraction": 0.1}
    filters = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    total_count = models.PositiveIntegerField(default=0)
    # {"categories": {slug: n}, "splits": {"train": n, "test": n}, "changes": {"added": n,
    # "removed": n, "changed": n} or None (a first release), "left_out": [{"id": public
    # id, "kinds": [...]}, ...] (at most exports.building.LEFT_OUT_LISTED,
    # then {"more": true})}
    counts = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Recovery: each attempt gets a fresh token; only the holder of the current token may
    # report progress or publish, so a builder that was given up on cannot publish late.
    attempts = models.PositiveSmallIntegerField(default=0)
    build_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="release_unique_version"),
            models.CheckConstraint(
                condition=Q(state="ready", version__isnull=False)
                | (~Q(state="ready") & Q(version__isnull=True)),
                name="release_version_iff_ready",
            ),
        ]
        indexes = [models.Index(fields=["dataset", "state", "version"])]

    def __str__(self) -> str:
        return f"{self.dataset.slug} {self.label}"

    @property
    def label(self) -> str:
        return f"v{self.version}" if self.version else f"#{self.pk}"

    @property
    def ref(self) -> str:
        """What URLs name it by: the version once ready, the id before."""
        return f"v{self.version}" if self.version else str(self.pk)

    @property
    def categories(self) -> list[str]:
        """The category slugs the release is limited to, sorted; empty: every category."""
        return sorted(self.filters.get("categories") or [])

    @property
    def test_fraction(self) -> float:
        return self.filters.get("test_fraction", DEFAULT_TEST_FRACTION)

    @property
    def in_progress(self) -> bool:
        return self.state in IN_PROGRESS

    @property
    def percent(self) -> int:
        if self.state == self.State.READY:
            return 100
        return min(100, int(100 * self.rows_written / self.rows_total)) if self.rows_total else 0


# A release some builder is on, or will be.
IN_PROGRESS = (Release.State.QUEUED, Release.State.BUILDING)


class ReleaseFile(models.Model):
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="files")
    # The name inside the release, e.g. "dolly.jsonl" or "data/train.parquet".
    name = models.CharField(max_length=200)
    bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # Where storages["releases"] keeps it; never derived from a URL.
    storage_path = models.CharField(max_length=500)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="release_file_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.release_id}:{self.name}"


class ReleaseEntry(models.Model):
    """Which revision of which pair a release ships, and in which split."""

    class Split(models.TextChoices):
        TRAIN = "train", "Train"
        TEST = "test", "Test"

    # (release, pair) is the key and the only index: a million-row release writes its
    # entries with one INSERT ... SELECT, and every lookup (a release's entries in pair
    # order, a pair in the previous release) goes by release first. No database-level
    # foreign keys either: releases, pairs and revisions are never deleted (PROTECT), and
    # a deferred check per row and key would cost several times the insert itself.
    pk = models.CompositePrimaryKey("release", "pair")
    release = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
        db_constraint=False,
    )
    pair = models.ForeignKey(
        Pair, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    revision = models.ForeignKey(
        Revision, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    split = models.CharField(max_length=5, choices=Split.choices)
    # The approval of that revision, recorded with it: the files give this time and the
    # reviews given until it, so a pair approved again during the build (an improvement)
    # does not ship its old text with the new approval's time and reviews. Empty on
    # entries recorded before it was.
    approved_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.release_id}:{self.pair_id}@{self.revision_id}"

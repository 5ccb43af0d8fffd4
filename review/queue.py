"""The review queue: which submitted pair a reviewer gets next.

The lease on it follows the rules of review.leases (one per reviewer, by the database).
Handing out the next pair locks candidate Pair rows with ``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL, so two reviewers asking at the same moment never lock the same
row. SQLite runs every transaction IMMEDIATE, which serializes the same steps.

Started pairs (:class:`InProgress`) are offered before new ones; both lookups walk an
index in order and stop at the first eligible row, so the cost does not grow with the
backlog.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from annotation.models import Dataset, Pair
from annotation.pairs import written_by
from review.leases import Kind, lease_held, lease_next, leases_active
from review.models import InProgress, Lease, Review

S = Pair.Status


def _reviewed_by(reviewer: User) -> QuerySet[Review]:
    return Review.objects.filter(
        revision=OuterRef("current_revision"), reviewer=reviewer, round=OuterRef("review_round")
    )


def reviewable(reviewer: User, now: datetime | None = None) -> QuerySet[Pair]:
    """Submitted pairs this reviewer may take: not written by them, not reviewed by them in this
    round, not leased to anyone."""
    now = now or timezone.now()
    return (
        Pair.objects.filter(status=S.SUBMITTED)
        .exclude(written_by(reviewer))
        .exclude(Exists(leases_active(now).filter(pair=OuterRef("pk"))))
        .exclude(Exists(_reviewed_by(reviewer)))
    )


def _lock_first(queryset: QuerySet[Pair]) -> Pair | None:
    return queryset.select_for_update(skip_locked=True, of=("self",)).first()


def _next_started(candidates: QuerySet[Pair]) -> Pair | None:
    # Not matched on revision and round: rows are removed whenever a pair leaves review
    # through this app, and comparing columns across the join hides from the planner that
    # walking review_in_progress_age in order finds a row at once.
    started = candidates.filter(review_in_progress__isnull=False)
    return _lock_first(started.order_by("review_in_progress__submitted_at"))


def _next_oldest(candidates: QuerySet[Pair]) -> Pair | None:
    # The partial index pair_review_queue is (dataset, submitted_at): walking it in order
    # needs the dataset fixed, so ask each dataset for its oldest and keep the oldest.
    found = []
    for dataset_id in Dataset.objects.values_list("pk", flat=True):
        pair = _lock_first(candidates.filter(dataset_id=dataset_id).order_by("submitted_at"))
        if pair is not None:
            found.append(pair)
    return min(found, key=lambda pair: pair.submitted_at, default=None)


def _still_reviewable(lease: Lease) -> bool:
    """The held pair still waits for this reviewer's decision."""
    pair = lease.pair
    return (
        pair.status == S.SUBMITTED
        and not Review.objects.filter(
            revision_id=pair.current_revision_id, reviewer=lease.holder_id, round=pair.review_round
        ).exists()
    )


def _next(reviewer: User, now: datetime, given_back: Collection[int]) -> Pair | None:
    candidates = reviewable(reviewer, now)
    if given_back:
        others = candidates.exclude(pk__in=given_back)
        if found := _next_started(others) or _next_oldest(others):
            return found
    return _next_started(candidates) or _next_oldest(candidates)


def pair_take_next(*, reviewer: User, given_back: Collection[int] = ()) -> Lease | None:
    """Lease the next pair to ``reviewer`` (or renew the one they hold); None if none.

    The pairs in ``given_back`` (ids the reviewer gave back unread) come last: only when
    nothing else waits for them."""
    return lease_next(
        holder=reviewer,
        kind=Kind.REVIEW,
        still_good=_still_reviewable,
        find=lambda now: _next(reviewer, now, given_back),
    )


def in_progress_prune() -> int:
    """Forget started pairs that moved on without a verdict here (withdrawn, retracted)."""
    current = Pair.objects.filter(
        pk=OuterRef("pair_id"),
        status=S.SUBMITTED,
        current_revision=OuterRef("revision_id"),
        review_round=OuterRef("round"),
    )
    stale = InProgress.objects.exclude(Exists(current))
    # Look before deleting: on SQLite every delete takes the database's write lock.
    if not stale.exists():
        return 0
    deleted, _ = stale.delete()
    return deleted


# Counting a queue costs as much as the queue is long; past this many, "more than" will do.
COUNT_CAP = 1000


@dataclass(frozen=True)
class QueueSummary:
    # Both counted up to COUNT_CAP + 1.
    waiting: int
    started: int
    reviewed_today: dict[str, int]
    held: Lease | None

    @property
    def waiting_shown(self) -> str:
        return f"{COUNT_CAP:,}+" if self.waiting > COUNT_CAP else str(self.waiting)

    @property
    def reviewed_today_total(self) -> int:
        return sum(self.reviewed_today.values())


def start_of_today(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def queue_summary(*, reviewer: User) -> QueueSummary:
    now = timezone.now()
    waiting = reviewable(reviewer, now)
    reviewed_today = dict.fromkeys(Review.Decision.values, 0)
    today = Review.objects.filter(reviewer=reviewer, created_at__gte=start_of_today(now))
    for row in today.order_by().values("decision").annotate(count=Count("pk")):
        reviewed_today[row["decision"]] = row["count"]
    started = waiting.filter(review_in_progress__isnull=False)
    return QueueSummary(
        waiting=waiting[: COUNT_CAP + 1].count(),
        started=started[: COUNT_CAP + 1].count(),
        reviewed_today=reviewed_today,
        held=lease_held(holder=reviewer, kind=Kind.REVIEW),
    )

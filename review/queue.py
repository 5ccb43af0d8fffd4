"""The review queue: which submitted pair a reviewer gets next, and the lease on it.

A reviewer holds at most one :class:`Claim` at a time. Handing out the next pair locks
candidate Pair rows with ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two
reviewers asking at the same moment never lock the same row, and re-reads the claim
under that lock before writing it (``Claim.pair`` is one-to-one as the last word).
SQLite runs every transaction IMMEDIATE, which serializes the same steps.

Started pairs (:class:`InProgress`) are offered before new ones; both lookups walk an
index in order and stop at the first eligible row, so the cost does not grow with the
backlog.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from annotation.models import Dataset, Pair
from review.models import Claim, InProgress, Review

S = Pair.Status

# A candidate can turn out taken between the lookup and the lock (another reviewer
# committed a claim); each retry sees that claim, so a few tries always suffice.
MAX_TRIES = 5


class ClaimLost(Exception):
    """The reviewer does not hold an unexpired claim on this pair."""


class NotClaimed(ClaimLost):
    """The reviewer never held this pair, or it has been leased to someone else since."""


class ClaimExpired(ClaimLost):
    """The reviewer's lease ran out; the pair is back in the queue for anyone."""


def lease_until(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=settings.HANDWRITTEN_CLAIM_MINUTES)


def _active_claims(now: datetime) -> QuerySet[Claim]:
    return Claim.objects.filter(pair=OuterRef("pk"), expires_at__gt=now)


def _reviewed_by(reviewer) -> QuerySet[Review]:
    return Review.objects.filter(
        revision=OuterRef("current_revision"), reviewer=reviewer, round=OuterRef("review_round")
    )


def reviewable(reviewer, now: datetime | None = None) -> QuerySet[Pair]:
    """Submitted pairs this reviewer may take: not their own, not reviewed by them in this
    round, not leased to anyone."""
    now = now or timezone.now()
    return (
        Pair.objects.filter(status=S.SUBMITTED)
        .exclude(author=reviewer)
        .exclude(Exists(_active_claims(now)))
        .exclude(Exists(_reviewed_by(reviewer)))
    )


def _lock_first(queryset: QuerySet[Pair]) -> Pair | None:
    return queryset.select_for_update(skip_locked=True, of=("self",)).first()


def _next_started(reviewer, now: datetime) -> Pair | None:
    # Not matched on revision and round: rows are removed whenever a pair leaves review
    # through this app, and comparing columns across the join hides from the planner that
    # walking review_in_progress_age in order finds a row at once.
    started = reviewable(reviewer, now).filter(review_in_progress__isnull=False)
    return _lock_first(started.order_by("review_in_progress__submitted_at"))


def _next_oldest(reviewer, now: datetime) -> Pair | None:
    # The partial index pair_review_queue is (dataset, submitted_at): walking it in order
    # needs the dataset fixed, so ask each dataset for its oldest and keep the oldest.
    found = []
    for dataset_id in Dataset.objects.values_list("pk", flat=True):
        pair = _lock_first(
            reviewable(reviewer, now).filter(dataset_id=dataset_id).order_by("submitted_at")
        )
        if pair is not None:
            found.append(pair)
    return min(found, key=lambda pair: pair.submitted_at, default=None)


def _held(reviewer, now: datetime) -> Claim | None:
    """The reviewer's unexpired claim on a pair they can still review; drops any other."""
    for claim in Claim.objects.filter(reviewer=reviewer).select_related("pair"):
        pair = claim.pair
        if (
            claim.expires_at > now
            and pair.status == S.SUBMITTED
            and not Review.objects.filter(
                revision_id=pair.current_revision_id, reviewer=reviewer, round=pair.review_round
            ).exists()
        ):
            return claim
        claim.delete()
    return None


def claim_next(*, reviewer) -> Claim | None:
    """Lease the next pair to ``reviewer`` (or renew the one they hold); None if none."""
    now = timezone.now()
    with transaction.atomic():
        claim = _held(reviewer, now)
        if claim is not None:
            claim.expires_at = lease_until(now)
            claim.save(update_fields=["expires_at"])
            return claim
        for _ in range(MAX_TRIES):
            pair = _next_started(reviewer, now) or _next_oldest(reviewer, now)
            if pair is None:
                return None
            # The lookup read a snapshot from before it took the row lock: a claim another
            # reviewer committed in between shows up only now. (The pair's own status is
            # re-checked by the lock itself.)
            if not Claim.objects.filter(pair=pair, expires_at__gt=now).exists():
                return _lease(pair, reviewer, now)
    return None


def _lease(pair: Pair, reviewer, now: datetime) -> Claim:
    # An expired claim may still sit on the pair; the pair's row lock makes this exclusive.
    Claim.objects.filter(pair=pair).delete()
    return Claim.objects.create(
        pair=pair, reviewer=reviewer, claimed_at=now, expires_at=lease_until(now)
    )


def claim_get(*, pair: Pair, reviewer) -> Claim:
    """The reviewer's unexpired claim on ``pair``; raises NotClaimed or ClaimExpired."""
    claim = Claim.objects.filter(pair=pair, reviewer=reviewer).first()
    if claim is None:
        raise NotClaimed("You do not hold this pair.")
    if claim.expires_at <= timezone.now():
        raise ClaimExpired("Your lease on this pair has expired; it went back to the queue.")
    return claim


def claim_renew(*, pair: Pair, reviewer) -> Claim:
    """Extend an unexpired lease (a heartbeat while the page is open); raises ClaimLost."""
    now = timezone.now()
    renewed = Claim.objects.filter(pair=pair, reviewer=reviewer, expires_at__gt=now).update(
        expires_at=lease_until(now)
    )
    if not renewed:
        claim_get(pair=pair, reviewer=reviewer)  # raises the precise reason
    return Claim.objects.get(pair=pair)


def claim_release(*, pair: Pair, reviewer) -> bool:
    """Give a pair back to the queue unreviewed. True if a claim was released."""
    deleted, _ = Claim.objects.filter(pair=pair, reviewer=reviewer).delete()
    return bool(deleted)


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


@dataclass(frozen=True)
class QueueSummary:
    waiting: int
    started: int
    reviewed_today: dict[str, int]
    held: Claim | None

    @property
    def reviewed_today_total(self) -> int:
        return sum(self.reviewed_today.values())


def start_of_today(now: datetime) -> datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def queue_summary(*, reviewer) -> QueueSummary:
    now = timezone.now()
    waiting = reviewable(reviewer, now)
    reviewed_today = dict.fromkeys(Review.Decision.values, 0)
    for decision in Review.objects.filter(
        reviewer=reviewer, created_at__gte=start_of_today(now)
    ).values_list("decision", flat=True):
        reviewed_today[decision] += 1
    held = Claim.objects.filter(reviewer=reviewer, expires_at__gt=now).select_related("pair")
    return QueueSummary(
        waiting=waiting.count(),
        started=waiting.filter(review_in_progress__isnull=False).count(),
        reviewed_today=reviewed_today,
        held=held.first(),
    )

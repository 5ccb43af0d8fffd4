"""Who wrote the approved pairs: the leaderboard, and each contributor's own progress."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from annotation.models import Category, Dataset, Pair
from annotation.pairs import approved_work
from review.insights import collection_goal

S = Pair.Status
# Waiting for a verdict: in review, or back with the author to revise.
WAITING = (S.SUBMITTED, S.CHANGES_REQUESTED)


def week_start(now: datetime | None = None) -> datetime:
    """Monday 00:00 of the current week, in the site's time zone."""
    now = timezone.localtime(now or timezone.now())
    monday = now - timedelta(days=now.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def leaderboard(
    *, dataset: Dataset, since: datetime | None = None, category: Category | None = None
) -> QuerySet:
    """Authors by approved pairs, most first: rows of author_id, username, approved and
    hidden (the author opted out of the leaderboard: counted, but not named)."""
    pairs = Pair.objects.filter(approved_work(), dataset=dataset)
    if since is not None:
        pairs = pairs.filter(approved_at__gte=since)
    if category is not None:
        pairs = pairs.filter(category=category)
    return (
        pairs.values(
            "author_id",
            "author__username",
            # People without a profile never opted out.
            hidden=Coalesce("author__profile__leaderboard_opt_out", Value(False)),
        )
        .annotate(approved=Count("pk"))
        .order_by("-approved", "author__username")
    )


@dataclass(frozen=True)
class Progress:
    approved: int
    waiting: int
    rejected: int
    goal: int | None
    collection_approved: int

    @property
    def approval_rate(self) -> float | None:
        """Approved among the pairs that got a verdict."""
        decided = self.approved + self.rejected
        return self.approved / decided if decided else None

    @property
    def goal_part(self) -> float | None:
        """The contributor's approved pairs as a share of the collection's goal."""
        return self.approved / self.goal if self.goal else None

    @property
    def collection_part(self) -> float | None:
        return self.approved / self.collection_approved if self.collection_approved else None


def contributor_progress(*, dataset: Dataset, user: User) -> Progress:
    counts = Pair.objects.filter(dataset=dataset).aggregate(
        approved=Count("pk", filter=Q(author=user) & approved_work()),
        waiting=Count("pk", filter=Q(author=user, status__in=WAITING)),
        rejected=Count("pk", filter=Q(author=user, status=S.REJECTED)),
        collection=Count("pk", filter=approved_work()),
    )
    return Progress(
        approved=counts["approved"],
        waiting=counts["waiting"],
        rejected=counts["rejected"],
        goal=collection_goal(Category.objects.filter(dataset=dataset)),
        collection_approved=counts["collection"],
    )

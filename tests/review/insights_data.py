"""Reviews written straight to the table, for the insights' read-only aggregations.

The review services decide as soon as consensus is reached, so they cannot give a pair
the disagreeing reviews an agreement test needs; these helpers write exactly the rows a
test describes.
"""

from datetime import datetime

from django.contrib.auth.models import User

from annotation.models import Pair
from review.models import Review
from tests.factories import make_user


def review(pair: Pair, reviewer: User, decision: str, *, at: datetime | None = None, **extra):
    reason = extra.pop("reason", "other" if decision == Review.Decision.REJECT else "")
    made = Review.objects.create(
        pair=pair,
        revision=pair.current_revision,
        reviewer=reviewer,
        round=pair.review_round,
        decision=decision,
        reason=reason,
        **extra,
    )
    if at is not None:
        Review.objects.filter(pk=made.pk).update(created_at=at)
    return made


def reviewers(count: int, prefix: str = "judge") -> list[User]:
    return [make_user(f"{prefix}{i}", "reviewer") for i in range(count)]

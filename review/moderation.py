"""Admin moderation of pairs: reopening rejected ones, retracting approved ones."""

from django.db import transaction

from annotation.models import Pair
from annotation.submission import pair_reopen, pair_retract
from annotation.workflow import lock
from review.leases import Kind, lease_end
from review.models import InProgress
from review.outcomes import edits_stale_mark


def _forget_review_state(pair: Pair, by) -> None:
    """Leases, started-pair rows and pending edits belong to the round that just ended."""
    lease_end(kind=Kind.REVIEW, item=pair)
    InProgress.objects.filter(pair=pair).delete()
    edits_stale_mark(pair=lock(pair), by=by)


def moderation_reopen(*, pair: Pair, by, reason: str = "") -> Pair:
    """Put a rejected pair back in the review queue for a new round of reviews."""
    with transaction.atomic():
        pair = pair_reopen(pair=pair, by=by, reason=reason)
        _forget_review_state(pair, by)
    return pair


def moderation_retract(*, pair: Pair, by, reason: str) -> Pair:
    """Take an approved pair out of future releases (and out of review, if an improvement
    of it was waiting)."""
    with transaction.atomic():
        pair = pair_retract(pair=pair, by=by, reason=reason)
        _forget_review_state(pair, by)
    return pair

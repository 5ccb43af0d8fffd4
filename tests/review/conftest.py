"""Helpers for review tests: pairs in the queue, leases, decisions through the services."""

import pytest
from django.utils import timezone

from annotation.models import Pair
from review.decisions import EditText, review_decide
from review.models import Claim
from review.queue import lease_until
from tests.factories import make_pair


def lease(pair: Pair, reviewer, *, expired: bool = False) -> Claim:
    """Give ``reviewer`` the claim on ``pair`` directly (claim_next picks its own pair)."""
    now = timezone.now()
    until = now - timezone.timedelta(minutes=1) if expired else lease_until(now)
    claim, _ = Claim.objects.update_or_create(
        pair=pair, defaults={"reviewer": reviewer, "claimed_at": now, "expires_at": until}
    )
    return claim


def decide(pair: Pair, reviewer, decision: str, **kwargs):
    """Lease the pair to ``reviewer`` and record ``decision`` on its current revision."""
    pair.refresh_from_db()
    lease(pair, reviewer)
    return review_decide(
        pair=pair,
        reviewer=reviewer,
        revision_number=pair.current_revision.number,
        decision=decision,
        **kwargs,
    )


def edited(pair: Pair, **changes) -> EditText:
    revision = pair.current_revision
    text = {
        "instruction": revision.instruction,
        "context": revision.context,
        "response": revision.response,
        "source_url": revision.source_url,
    }
    text.update(changes)
    return EditText(**text)


@pytest.fixture
def submitted(alice, open_qa) -> Pair:
    return make_pair(author=alice, category=open_qa)

"""Helpers for review tests: pairs in the queue, leases, decisions through the services."""

import pytest
from django.utils import timezone

from annotation.models import Pair
from review.decisions import EditText, review_decide
from review.leases import Kind, lease_until
from review.models import EditProposal, Lease
from tests.factories import make_pair, resubmit


def lease(pair: Pair, reviewer, *, expired: bool = False) -> Lease:
    """Give ``reviewer`` the lease on ``pair`` directly (pair_take_next picks its own pair),
    in place of any other review lease they held."""
    return _lease(Kind.REVIEW, pair, reviewer, expired=expired)


def lease_edit(
    proposal: EditProposal, reviewer, *, expired: bool = False, minutes: float | None = None
) -> Lease:
    """Give ``reviewer`` the lease on ``proposal`` directly."""
    return _lease(Kind.EDIT, proposal, reviewer, expired=expired, minutes=minutes)


def _lease(kind, item, holder, *, expired: bool, minutes: float | None = None) -> Lease:
    now = timezone.now()
    until = lease_until(now)
    if expired:
        until = now - timezone.timedelta(minutes=1)
    elif minutes is not None:
        until = now + timezone.timedelta(minutes=minutes)
    field = "pair" if kind == Kind.REVIEW else "proposal"
    Lease.objects.filter(holder=holder, kind=kind).delete()
    Lease.objects.filter(**{field: item}).delete()
    return Lease.objects.create(
        kind=kind, holder=holder, taken_at=now, expires_at=until, **{field: item}
    )


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


def changes_rounds(pair: Pair, reviewer, numbers) -> Pair:
    """For each number, ``reviewer`` asks for changes and the author submits a revision."""
    for number in numbers:
        decide(pair, reviewer, "request_changes", comment=f"Round {number}: say more.")
        pair = resubmit(pair, response=f"Revision {number} of the answer, with more detail.")
    return pair

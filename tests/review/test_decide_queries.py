"""A decision over HTTP costs a bounded number of statements, whatever came before it."""

import pytest
from django.urls import reverse

from annotation.models import Pair
from review.models import InProgress
from tests.review.conftest import changes_rounds, lease

# Session, user and roles included (3 with the session read from the database; before
# the lock read the category and revision and a started pair was one upsert: 23 and 23):
# the review loop's figures in the README depend on these staying small.
NEEDS_MORE = 15
APPROVED = 20


def _decide(client, pair: Pair, reviewer, cap: int, assert_max) -> int:
    pair.refresh_from_db()
    lease(pair, reviewer)
    url = reverse("review:decide", args=[pair.public_id])
    data = {"decision": "approve", "revision": pair.current_revision.number}
    with assert_max(cap) as captured:
        assert client.post(url, data).status_code == 302
    return len(captured.captured_queries)


@pytest.mark.parametrize("rounds", [0, 4], ids=["first-revision", "after-four-rounds"])
def test_a_decision_costs_the_same_statements_however_long_the_history(
    as_bob, as_rita, bob, rita, submitted, rounds, django_assert_max_num_queries
):
    pair = changes_rounds(submitted, rita, range(rounds)) if rounds else submitted
    first = _decide(as_bob, pair, bob, NEEDS_MORE, django_assert_max_num_queries)
    assert InProgress.objects.filter(pair=pair).exists()
    second = _decide(as_rita, pair, rita, APPROVED, django_assert_max_num_queries)
    pair.refresh_from_db()
    assert pair.status == Pair.Status.APPROVED
    assert not InProgress.objects.filter(pair=pair).exists()
    assert (first, second) == (NEEDS_MORE, APPROVED), "fewer now: lower the caps"

"""The moderation record of one pair costs the same queries for a short history or a long one."""

from django.test import override_settings
from django.urls import reverse

from annotation.models import Pair
from annotation.roles import REVIEWER
from annotation.workflow import S
from review.edits import edit_decline
from review.moderation import moderation_reopen
from tests.factories import make_pair, make_user, resubmit
from tests.review.conftest import decide, edited, lease_edit


def _url(pair: Pair) -> str:
    return reverse("review:moderate_pair", args=[pair.public_id])


def _cycle(pair: Pair, proposer, decider, n: int) -> Pair:
    """``proposer`` proposes an edit that ``decider`` declines; ``decider`` then asks for
    changes and the author submits a new revision."""
    decide(pair, proposer, "approve_with_edit", edit=edited(pair, response=f"Edited answer {n}."))
    proposal = pair.edit_proposals.get(status="pending")
    lease_edit(proposal, decider)
    edit_decline(proposal=proposal, by=decider, comment=f"Edit {n} is not better.")
    decide(pair, decider, "request_changes", comment=f"Round {n}: add an example.")
    return resubmit(pair, response=f"Revision {n + 1} of the answer, now with an example.")


def _rejected_and_reopened(pair: Pair, reviewers, admin) -> Pair:
    for reviewer in reviewers:
        decide(pair, reviewer, "reject", reason="factually_wrong", comment="Not true.")
    pair.refresh_from_db()
    assert pair.status == S.REJECTED
    return moderation_reopen(pair=pair, by=admin, reason="The facts were checked again.")


@override_settings(HANDWRITTEN_PAGE_SIZE=5)
def test_the_pair_record_costs_the_same_queries_for_a_short_history_or_a_long_one(
    as_ada, alice, bob, rita, ada, open_qa, django_assert_max_num_queries
):
    pair = make_pair(author=alice, category=open_qa)
    pair = _cycle(pair, bob, rita, 1)
    pair = _rejected_and_reopened(pair, [bob, rita], ada)
    assert as_ada.get(_url(pair)).status_code == 200  # warm the caches
    queries = [{}, {"events": 2}]
    small = []
    for query in queries:
        with django_assert_max_num_queries(20) as captured:
            response = as_ada.get(_url(pair), query)
        assert response.status_code == 200
        small.append(len(captured.captured_queries))
    assert len(response.context["reviews"]) == 4

    reviewers = [make_user(f"judge{n}", REVIEWER) for n in range(6)]
    for n in range(6):
        pair = _cycle(pair, reviewers[n], reviewers[(n + 1) % 6], n + 2)
    pair = _rejected_and_reopened(pair, reviewers[:2], ada)
    for query, cost in zip(queries, small, strict=True):
        with django_assert_max_num_queries(cost):
            response = as_ada.get(_url(pair), query)
        assert response.status_code == 200
    context = response.context
    assert len(context["revisions"]) == 8
    assert len(context["reviews"]) == 4 + 6 * 2 + 2
    assert len(context["proposals"]) == 7
    assert context["events"].paginator.num_pages > 5

"""Taking the next pair or edit costs the same queries for a short queue or a long one."""

import pytest
from django.urls import reverse

from annotation.models import Pair
from annotation.roles import REVIEWER
from annotation.seeding import dataset_seed_dolly
from review.models import EditProposal, Lease
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, edited, lease, lease_edit

NEXT = reverse("review:next")
EDIT_NEXT = reverse("review:edit_next")


def _queue(author, categories, others, reviewer, count: int, *, started: bool = True) -> None:
    """``count`` rounds of: new pairs in each category, a started one (another reviewer
    approved it) unless told, one ``reviewer`` already approved, one leased to someone
    else, and one of ``reviewer``'s own."""
    for _ in range(count):
        for category in categories:
            make_pair(author=author, category=category)
        if started:
            decide(make_pair(author=author, category=categories[0]), others[0], "approve")
        decide(make_pair(author=author, category=categories[0]), reviewer, "approve")
        lease(make_pair(author=author, category=categories[-1]), others[1])
        make_pair(author=reviewer, category=categories[0])


def _take(client, url: str, cap: int, assert_max):
    """POST "next" with the reviewer holding nothing; returns the query count."""
    Lease.objects.filter(holder__username="bob").delete()
    with assert_max(cap) as captured:
        response = client.post(url)
    assert response.status_code == 302, response.content[:300]
    return len(captured.captured_queries), response


@pytest.mark.parametrize("started", [True, False], ids=["started-first", "oldest-new"])
def test_review_next_costs_the_same_queries_for_a_short_queue_or_a_long_one(
    as_bob, alice, bob, rita, open_qa, closed_qa, started, django_assert_max_num_queries
):
    others = [rita, make_user("vic", REVIEWER)]
    _queue(alice, [open_qa, closed_qa], others, bob, 1, started=started)
    _take(as_bob, NEXT, 50, django_assert_max_num_queries)  # warm the caches
    take, _ = _take(as_bob, NEXT, 30, django_assert_max_num_queries)
    with django_assert_max_num_queries(30) as captured:  # renewing the lease held
        assert as_bob.post(NEXT).status_code == 302
    renew = len(captured.captured_queries)

    _queue(alice, [open_qa, closed_qa], others, bob, 8, started=started)
    _, response = _take(as_bob, NEXT, take, django_assert_max_num_queries)
    held = Lease.objects.get(holder=bob)
    assert response.url == reverse("review:pair", args=[held.pair.public_id])
    # Started pairs come first, else the oldest submitted.
    assert held.pair.reviews.exists() == started and held.pair.author == alice
    with django_assert_max_num_queries(renew):
        assert as_bob.post(NEXT).status_code == 302
    assert Lease.objects.get(holder=bob).pk == held.pk


def test_review_next_costs_one_indexed_lookup_more_per_dataset(
    as_bob, alice, bob, open_qa, django_assert_max_num_queries
):
    # By design (review.queue._next_oldest): the review-queue index is (dataset,
    # submitted_at), so each dataset is asked for its oldest pair, one indexed lookup
    # each. A company has a few datasets; the pairs in them cost nothing more.
    make_pair(author=alice, category=open_qa)
    _take(as_bob, NEXT, 50, django_assert_max_num_queries)  # warm the caches
    take, _ = _take(as_bob, NEXT, 30, django_assert_max_num_queries)
    for n in range(5):
        dataset = dataset_seed_dolly(slug=f"more-{n}", name=f"More {n}")
        for _ in range(3):
            make_pair(author=alice, category=dataset.categories.get(slug="open_qa"))
    _take(as_bob, NEXT, take + 5, django_assert_max_num_queries)


def _edits(author, category, proposers, reviewer, count: int, start: int) -> None:
    """``count`` rounds of: an edit by each proposer, an edit on ``reviewer``'s own pair,
    an edit by ``reviewer`` and an edit leased to another reviewer."""
    for n in range(start, start + count):
        for proposer in proposers:
            pair = make_pair(author=author, category=category)
            decide(pair, proposer, "approve_with_edit", edit=edited(pair, response=f"Edit {n}."))
        own = make_pair(author=reviewer, category=category)
        decide(own, proposers[0], "approve_with_edit", edit=edited(own, response=f"Own {n}."))
        mine = make_pair(author=author, category=category)
        decide(mine, reviewer, "approve_with_edit", edit=edited(mine, response=f"Mine {n}."))
        taken = make_pair(author=author, category=category)
        decide(taken, proposers[0], "approve_with_edit", edit=edited(taken, response=f"T {n}."))
        lease_edit(EditProposal.objects.get(pair=taken), proposers[1])


def test_edit_next_costs_the_same_queries_for_a_short_queue_or_a_long_one(
    as_bob, alice, bob, rita, open_qa, django_assert_max_num_queries
):
    proposers = [rita, make_user("vic", REVIEWER)]
    _edits(alice, open_qa, proposers, bob, 1, start=0)
    _take(as_bob, EDIT_NEXT, 50, django_assert_max_num_queries)  # warm the caches
    take, _ = _take(as_bob, EDIT_NEXT, 30, django_assert_max_num_queries)
    with django_assert_max_num_queries(30) as captured:  # renewing the lease held
        assert as_bob.post(EDIT_NEXT).status_code == 302
    renew = len(captured.captured_queries)

    _edits(alice, open_qa, proposers, bob, 8, start=1)
    assert EditProposal.objects.count() == 9 * 5
    _, response = _take(as_bob, EDIT_NEXT, take, django_assert_max_num_queries)
    held = Lease.objects.get(holder=bob)
    assert response.url == reverse("review:edit", args=[held.proposal.public_id])
    assert held.proposal.proposer != bob and held.proposal.pair.author != bob
    with django_assert_max_num_queries(renew):
        assert as_bob.post(EDIT_NEXT).status_code == 302
    assert Lease.objects.get(holder=bob).pk == held.pk
    assert Pair.objects.filter(edit_proposals__isnull=False).count() == 45

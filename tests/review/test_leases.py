"""review.leases: one lease per person and kind, the same rules for pairs and edits."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from review.edits import edit_take_next
from review.leases import Kind, LeaseExpired, NotHeld, lease_get, lease_until
from review.models import EditProposal, Lease
from review.queue import pair_take_next
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, edited, lease


def test_the_database_refuses_a_second_review_lease_for_one_person(bob, alice, open_qa):
    first, second = (make_pair(author=alice, category=open_qa) for _ in range(2))
    lease(first, bob)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lease.objects.create(
            kind=Kind.REVIEW, holder=bob, pair=second, taken_at=now, expires_at=lease_until(now)
        )


def test_a_lease_holds_one_item_of_its_own_kind(bob, submitted):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lease.objects.create(
            kind=Kind.EDIT, holder=bob, pair=submitted, taken_at=now, expires_at=lease_until(now)
        )


def test_take_next_twice_gives_the_same_pair_and_one_lease(bob, alice, open_qa):
    for _ in range(3):
        make_pair(author=alice, category=open_qa)
    first = pair_take_next(reviewer=bob)
    again = pair_take_next(reviewer=bob)
    assert again.pk == first.pk and again.pair == first.pair
    assert Lease.objects.filter(holder=bob).count() == 1


def test_an_expired_lease_is_replaced_by_the_next_one(bob, rita, alice, open_qa):
    first = make_pair(author=alice, category=open_qa)
    held = lease(first, bob, expired=True)
    with pytest.raises(LeaseExpired):
        lease_get(holder=bob, kind=Kind.REVIEW, item=first)
    # The expired lease is nobody's: rita gets the pair, and bob's row is gone.
    assert pair_take_next(reviewer=rita).pair == first
    assert not Lease.objects.filter(pk=held.pk).exists()
    with pytest.raises(NotHeld):
        lease_get(holder=bob, kind=Kind.REVIEW, item=first)


def test_a_review_lease_and_an_edit_lease_are_held_side_by_side(alice, bob, rita, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    decide(pair, bob, "approve_with_edit", edit=edited(pair, response="A better response here."))
    other = make_pair(author=alice, category=open_qa)
    assert pair_take_next(reviewer=rita).pair in (pair, other)
    assert edit_take_next(reviewer=rita).proposal == EditProposal.objects.get()
    assert sorted(Lease.objects.filter(holder=rita).values_list("kind", flat=True)) == [
        "edit",
        "review",
    ]


def test_take_next_edit_twice_gives_the_same_edit(alice, bob, rita, open_qa):
    dan = make_user("dan2", "reviewer")
    for _ in range(2):
        pair = make_pair(author=alice, category=open_qa)
        decide(pair, bob, "approve_with_edit", edit=edited(pair, response="A better response."))
    first = edit_take_next(reviewer=rita)
    assert edit_take_next(reviewer=rita).proposal == first.proposal
    assert Lease.objects.filter(holder=rita, kind=Kind.EDIT).count() == 1
    # The other edit is still there for someone else.
    assert edit_take_next(reviewer=dan).proposal != first.proposal

"""review.queue: which pair "Review next" hands out, and the lease on it."""

import pytest
from django.utils import timezone

from annotation.drafts import DraftText, draft_save
from annotation.models import Pair
from annotation.submission import pair_submit, pair_withdraw
from annotation.workflow import S
from review.leases import Kind, LeaseExpired, NotHeld, lease_get, lease_release, lease_renew
from review.models import InProgress, Lease
from review.queue import (
    in_progress_prune,
    pair_take_next,
    queue_summary,
)
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, lease


def age(pair: Pair, minutes: int) -> Pair:
    Pair.objects.filter(pk=pair.pk).update(
        submitted_at=timezone.now() - timezone.timedelta(minutes=minutes)
    )
    pair.refresh_from_db()
    return pair


def test_oldest_first(alice, bob, open_qa):
    newer = age(make_pair(author=alice, category=open_qa), 5)
    older = age(make_pair(author=alice, category=open_qa), 50)
    claim = pair_take_next(reviewer=bob)
    assert claim.pair == older
    assert claim.holder == bob
    assert claim.expires_at > timezone.now() + timezone.timedelta(minutes=14)
    assert newer.pk != claim.pair_id


def test_started_pairs_come_before_older_new_ones(alice, bob, rita, open_qa):
    oldest = age(make_pair(author=alice, category=open_qa), 60)
    started = age(make_pair(author=alice, category=open_qa), 10)
    decide(started, rita, "approve")
    assert InProgress.objects.filter(pair=started).exists()
    assert pair_take_next(reviewer=bob).pair == started
    lease_release(holder=bob, kind=Kind.REVIEW, item=started)
    # rita already reviewed the started one, so she gets the oldest.
    assert pair_take_next(reviewer=rita).pair == oldest


def test_never_own_pair(bob, open_qa):
    make_pair(author=bob, category=open_qa)
    assert pair_take_next(reviewer=bob) is None


def test_never_a_revision_already_reviewed(alice, bob, submitted):
    decide(submitted, bob, "approve")
    assert pair_take_next(reviewer=bob) is None


def test_never_a_pair_leased_to_someone_else(alice, bob, rita, submitted):
    assert pair_take_next(reviewer=bob).pair == submitted
    assert pair_take_next(reviewer=rita) is None


def test_an_expired_lease_returns_the_pair_to_the_queue(alice, bob, rita, submitted):
    lease(submitted, bob, expired=True)
    claim = pair_take_next(reviewer=rita)
    assert claim.pair == submitted and claim.holder == rita
    assert Lease.objects.filter(pair=submitted).count() == 1
    with pytest.raises(NotHeld):
        lease_get(holder=bob, kind=Kind.REVIEW, item=submitted)


def test_next_returns_the_claim_already_held(alice, bob, open_qa):
    age(make_pair(author=alice, category=open_qa), 30)
    first = pair_take_next(reviewer=bob)
    age(make_pair(author=alice, category=open_qa), 60)
    again = pair_take_next(reviewer=bob)
    assert again.pk == first.pk and again.pair == first.pair
    assert Lease.objects.filter(holder=bob).count() == 1


def test_a_held_claim_on_a_pair_that_left_review_is_dropped(alice, bob, open_qa):
    gone = make_pair(author=alice, category=open_qa)
    waiting = make_pair(author=alice, category=open_qa)
    lease(gone, bob)
    pair_withdraw(pair=gone, by=alice)
    assert pair_take_next(reviewer=bob).pair == waiting
    assert not Lease.objects.filter(pair=gone).exists()


def test_renew_extends_an_unexpired_lease(alice, bob, submitted):
    claim = lease(submitted, bob)
    Lease.objects.filter(pk=claim.pk).update(
        expires_at=timezone.now() + timezone.timedelta(minutes=1)
    )
    renewed = lease_renew(holder=bob, kind=Kind.REVIEW, item=submitted)
    assert renewed.expires_at > timezone.now() + timezone.timedelta(minutes=14)


def test_renew_does_not_revive_an_expired_lease(alice, bob, submitted):
    lease(submitted, bob, expired=True)
    with pytest.raises(LeaseExpired):
        lease_renew(holder=bob, kind=Kind.REVIEW, item=submitted)
    with pytest.raises(NotHeld):
        lease_renew(holder=make_user("eve"), kind=Kind.REVIEW, item=submitted)


def test_release_hands_the_pair_back(alice, bob, rita, submitted):
    pair_take_next(reviewer=bob)
    assert lease_release(holder=bob, kind=Kind.REVIEW, item=submitted)
    assert not lease_release(holder=bob, kind=Kind.REVIEW, item=submitted)
    assert pair_take_next(reviewer=rita).pair == submitted


def test_release_leaves_other_reviewers_claims_alone(alice, bob, rita, submitted):
    lease(submitted, rita)
    assert not lease_release(holder=bob, kind=Kind.REVIEW, item=submitted)
    assert Lease.objects.get(pair=submitted).holder == rita


def test_a_resubmitted_pair_reenters_the_queue_for_its_earlier_reviewers(alice, bob, submitted):
    decide(submitted, bob, "request_changes", comment="Add an example.")
    assert pair_take_next(reviewer=bob) is None
    draft = submitted.draft
    draft_save(
        pair=submitted,
        by=alice,
        text=DraftText(instruction=draft.instruction, response="A fuller answer, with an example."),
        base_version=draft.version,
    )
    pair_submit(pair=submitted, by=alice)
    claim = pair_take_next(reviewer=bob)
    assert claim.pair == submitted
    assert claim.pair.current_revision.number == 2


def test_improvement_of_an_approved_pair_is_in_the_queue(alice, ada, bob, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    draft = pair.draft
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(instruction=draft.instruction, response="An improved answer, clearer."),
        base_version=draft.version,
    )
    pair_submit(pair=pair, by=alice)
    assert pair_take_next(reviewer=bob).pair == pair


def test_prune_forgets_started_pairs_that_left_review(alice, bob, rita, open_qa):
    kept = make_pair(author=alice, category=open_qa)
    gone = make_pair(author=alice, category=open_qa)
    decide(kept, bob, "approve")
    decide(gone, bob, "approve")
    pair_withdraw(pair=gone, by=alice)
    assert in_progress_prune() == 1
    assert list(InProgress.objects.values_list("pair_id", flat=True)) == [kept.pk]


def test_summary_counts_what_the_reviewer_can_take(alice, bob, rita, open_qa):
    make_pair(author=alice, category=open_qa)
    started = make_pair(author=alice, category=open_qa)
    leased = make_pair(author=alice, category=open_qa)
    make_pair(author=bob, category=open_qa)
    decide(started, rita, "approve")
    reviewed = make_pair(author=alice, category=open_qa)
    decide(reviewed, bob, "reject", reason="duplicate")
    lease(leased, rita)
    summary = queue_summary(reviewer=bob)
    assert summary.waiting == 2
    assert summary.started == 1
    assert summary.reviewed_today == {
        "approve": 0,
        "approve_with_edit": 0,
        "request_changes": 0,
        "reject": 1,
    }
    assert summary.held is None


def test_pairs_given_back_are_offered_only_when_nothing_else_waits(bob, alice, open_qa):
    older = make_pair(author=alice, category=open_qa)
    newer = make_pair(author=alice, category=open_qa)
    assert pair_take_next(reviewer=bob, given_back=[older.pk]).pair == newer
    Lease.objects.all().delete()
    assert pair_take_next(reviewer=bob, given_back=[older.pk, newer.pk]).pair == older

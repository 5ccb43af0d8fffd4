"""review.edits: the edit queue's leases, accepting, declining and stale edits."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from annotation.models import AuditEvent, Revision
from annotation.roles import REVIEWER
from annotation.submission import pair_withdraw
from annotation.workflow import S
from review.consensus import Verdict
from review.edits import (
    EditStale,
    edit_accept,
    edit_decline,
    edit_take_next,
    edits_reviewable,
)
from review.leases import Kind, LeaseExpired, NotHeld, lease_release, lease_renew
from review.models import EditProposal, Lease, Review
from review.queue import pair_take_next
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, edited, lease_edit

BETTER = "A corrected, complete and hand-written response to the question."


@pytest.fixture
def proposal(bob, submitted) -> EditProposal:
    decide(
        submitted,
        bob,
        "approve_with_edit",
        comment="Fixed a fact.",
        edit=edited(submitted, response=BETTER),
    )
    return EditProposal.objects.get()


def test_next_edit_is_never_the_proposers_nor_the_authors(alice, bob, rita, proposal):
    alice.groups.add(Group.objects.get(name=REVIEWER))
    assert edit_take_next(reviewer=bob) is None
    assert edit_take_next(reviewer=alice) is None
    lease = edit_take_next(reviewer=rita)
    assert lease.proposal == proposal
    assert lease.holder == rita
    assert lease.expires_at > timezone.now() + timezone.timedelta(minutes=14)


def test_a_leased_edit_is_not_handed_to_another(rita, proposal):
    dan = make_user("dan2", "reviewer")
    edit_take_next(reviewer=rita)
    assert edit_take_next(reviewer=dan) is None
    assert edit_take_next(reviewer=rita).proposal == proposal


def test_an_expired_edit_lease_returns_it_to_the_queue(rita, proposal):
    dan = make_user("dan2", "reviewer")
    edit_take_next(reviewer=rita)
    Lease.objects.filter(proposal=proposal).update(
        expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
    with pytest.raises(LeaseExpired):
        lease_renew(holder=rita, kind=Kind.EDIT, item=proposal)
    assert edit_take_next(reviewer=dan).proposal == proposal
    with pytest.raises(NotHeld):
        edit_accept(proposal=proposal, by=rita)


def test_release_and_renew(rita, proposal):
    edit_take_next(reviewer=rita)
    assert lease_renew(holder=rita, kind=Kind.EDIT, item=proposal).holder == rita
    assert lease_release(holder=rita, kind=Kind.EDIT, item=proposal)
    assert not Lease.objects.filter(proposal=proposal).exists()


def test_accept_makes_a_revision_that_counts_as_two_approvals(
    alice, bob, rita, submitted, proposal
):
    base = submitted.current_revision
    edit_take_next(reviewer=rita)
    verdict = edit_accept(proposal=proposal, by=rita, comment="Good catch.")
    assert verdict == Verdict.APPROVED
    submitted.refresh_from_db()
    proposal.refresh_from_db()
    revision = submitted.current_revision
    assert revision.number == base.number + 1
    assert revision.kind == Revision.Kind.ACCEPTED_EDIT
    assert revision.author == bob
    assert revision.response == BETTER
    assert submitted.status == S.APPROVED
    assert submitted.approved_revision == revision
    assert proposal.status == EditProposal.Status.ACCEPTED
    assert proposal.result_revision == revision and proposal.decided_by == rita
    assert not Lease.objects.filter(proposal=proposal).exists()
    assert sorted(
        Review.objects.filter(revision=revision).values_list("reviewer__username", "decision")
    ) == [("bob", "approve"), ("rita", "approve")]
    # The author's draft follows the accepted text.
    assert submitted.draft.response == BETTER
    assert AuditEvent.objects.filter(verb="edit.accept", data__revision=2).exists()


def test_accept_with_more_reviews_required_waits_on_the_new_revision(
    rita, open_qa, submitted, proposal
):
    open_qa.reviews_required = 3
    open_qa.save()
    edit_take_next(reviewer=rita)
    assert edit_accept(proposal=proposal, by=rita) == Verdict.NEEDS_MORE
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert submitted.review_in_progress.revision == submitted.current_revision


def test_accept_twice_is_one_revision(rita, submitted, proposal):
    edit_take_next(reviewer=rita)
    edit_accept(proposal=proposal, by=rita)
    assert edit_accept(proposal=proposal, by=rita) is None
    assert submitted.revisions.count() == 2


def test_nobody_accepts_their_own_edit_or_one_on_their_own_pair(alice, bob, submitted, proposal):
    lease_edit(proposal, bob, minutes=5)
    with pytest.raises(PermissionDenied):
        edit_accept(proposal=proposal, by=bob)
    with pytest.raises(PermissionDenied):
        edit_accept(proposal=proposal, by=alice)
    with pytest.raises(PermissionDenied):
        edit_decline(proposal=proposal, by=bob, comment="No.")
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.PENDING
    assert submitted.revisions.count() == 1


def test_decline_keeps_the_pair_in_the_review_queue(bob, rita, submitted, proposal):
    edit_take_next(reviewer=rita)
    assert edit_decline(proposal=proposal, by=rita, comment="Changes the meaning.")
    proposal.refresh_from_db()
    submitted.refresh_from_db()
    assert proposal.status == EditProposal.Status.DECLINED
    assert proposal.decision_comment == "Changes the meaning."
    assert submitted.status == S.SUBMITTED
    assert AuditEvent.objects.filter(verb="edit.decline").exists()
    # bob already reviewed this revision; rita may still review it.
    assert pair_take_next(reviewer=bob) is None
    assert pair_take_next(reviewer=rita).pair == submitted


def test_decline_needs_a_comment(rita, proposal):
    edit_take_next(reviewer=rita)
    with pytest.raises(ValidationError, match="Say why you decline this edit."):
        edit_decline(proposal=proposal, by=rita, comment=" ")


def test_an_edit_on_a_pair_that_moved_on_is_stale(alice, rita, submitted, proposal):
    edit_take_next(reviewer=rita)
    pair_withdraw(pair=submitted, by=alice)
    with pytest.raises(EditStale):
        edit_accept(proposal=proposal, by=rita)
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.STALE
    assert submitted.revisions.count() == 1
    assert AuditEvent.objects.filter(verb="edit.stale").exists()


def test_a_verdict_on_the_base_makes_pending_edits_stale(rita, submitted, proposal):
    dan = make_user("dan2", "reviewer")
    decide(submitted, rita, "approve")
    decide(submitted, dan, "approve")
    submitted.refresh_from_db()
    proposal.refresh_from_db()
    assert submitted.status == S.APPROVED
    assert proposal.status == EditProposal.Status.STALE
    assert not edits_reviewable(make_user("eve", "reviewer")).exists()


def test_an_edit_that_no_longer_passes_the_checks_is_not_applied(
    alice, bob, rita, open_qa, submitted
):
    question = "Which new question did the reviewer write for this pair instead?"
    decide(submitted, bob, "approve_with_edit", edit=edited(submitted, instruction=question))
    proposal = EditProposal.objects.get()
    # Meanwhile another pair took the edit's instruction.
    make_pair(author=alice, category=open_qa, instruction=question)
    edit_take_next(reviewer=rita)
    with pytest.raises(ValidationError) as raised:
        edit_accept(proposal=proposal, by=rita)
    assert "instruction" in raised.value.message_dict
    proposal.refresh_from_db()
    assert proposal.status == EditProposal.Status.PENDING
    assert submitted.revisions.count() == 1

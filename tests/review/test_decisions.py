"""review.decisions.review_decide: every decision, consensus applied, refusals."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotation.drafts import DraftText, draft_save
from annotation.feedback import pair_feedback
from annotation.models import AuditEvent
from annotation.submission import pair_reopen, pair_submit
from annotation.workflow import S
from review.consensus import Verdict
from review.decisions import PairChanged, Scores, review_decide
from review.leases import LeaseExpired, NotHeld
from review.models import EditProposal, InProgress, Lease, Review
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, edited, lease


def verbs(pair) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(pair.public_id))
        .order_by("pk")
        .values_list("verb", flat=True)
    )


def test_one_approval_waits_for_a_second(bob, submitted):
    result = decide(submitted, bob, "approve", scores=Scores(helpfulness=4, writing=5))
    submitted.refresh_from_db()
    assert result.verdict == Verdict.NEEDS_MORE
    assert submitted.status == S.SUBMITTED
    assert result.review.helpfulness == 4 and result.review.correctness is None
    assert not Lease.objects.filter(pair=submitted).exists()
    assert InProgress.objects.get(pair=submitted).revision == submitted.current_revision
    assert "review.approve" in verbs(submitted)


def test_two_approvals_approve_the_reviewed_revision(bob, rita, submitted):
    decide(submitted, bob, "approve")
    result = decide(submitted, rita, "approve")
    submitted.refresh_from_db()
    assert result.verdict == Verdict.APPROVED
    assert submitted.status == S.APPROVED
    assert submitted.approved_revision == submitted.current_revision
    assert submitted.approved_at is not None
    assert not InProgress.objects.filter(pair=submitted).exists()
    assert verbs(submitted)[-2:] == ["review.approve", "pair.approve"]


def test_request_changes_goes_back_to_the_author_at_once(bob, submitted):
    result = decide(submitted, bob, "request_changes", comment="Name the source.")
    submitted.refresh_from_db()
    assert result.verdict == Verdict.CHANGES_REQUESTED
    assert submitted.status == S.CHANGES_REQUESTED
    feedback = pair_feedback(pair=submitted)
    assert feedback[0].what == "Changes requested"
    assert feedback[0].comment == "Name the source."
    assert feedback[0].revision == 1


def test_request_changes_needs_a_comment(bob, submitted):
    with pytest.raises(ValidationError) as raised:
        decide(submitted, bob, "request_changes")
    assert "comment" in raised.value.message_dict
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert not Review.objects.exists()


def test_two_rejections_reject_with_the_reason_for_the_author(bob, rita, submitted):
    decide(submitted, bob, "reject", reason="factually_wrong")
    result = decide(submitted, rita, "reject", reason="other", comment="Off topic.")
    submitted.refresh_from_db()
    assert result.verdict == Verdict.REJECTED
    assert submitted.status == S.REJECTED
    reasons = [item.reason for item in pair_feedback(pair=submitted) if item.what == "Rejected"]
    assert reasons == ["Other", "Factually wrong"]


@pytest.mark.parametrize(
    ("reason", "comment", "field"), [("", "", "reason"), ("other", "", "comment")]
)
def test_reject_needs_a_reason_and_other_needs_a_comment(bob, submitted, reason, comment, field):
    with pytest.raises(ValidationError) as raised:
        decide(submitted, bob, "reject", reason=reason, comment=comment)
    assert field in raised.value.message_dict
    assert not Review.objects.exists()


def test_a_split_vote_asks_for_one_more_review(bob, rita, submitted):
    dan = make_user("dan2", "reviewer")
    decide(submitted, bob, "approve")
    assert decide(submitted, rita, "reject", reason="duplicate").verdict == Verdict.NEEDS_MORE
    assert decide(submitted, dan, "approve").verdict == Verdict.NEEDS_MORE
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    assert InProgress.objects.filter(pair=submitted).exists()


def test_approve_with_edit_records_a_proposal_and_does_not_approve(bob, rita, submitted):
    text = edited(submitted, response="A corrected, complete and hand-written response.")
    result = decide(submitted, bob, "approve_with_edit", comment="Fixed a fact.", edit=text)
    assert result.verdict == Verdict.NEEDS_MORE
    proposal = EditProposal.objects.get()
    assert proposal.review == result.review
    assert proposal.base_revision == submitted.current_revision
    assert proposal.proposer == bob and proposal.status == EditProposal.Status.PENDING
    assert proposal.response == "A corrected, complete and hand-written response."
    # One plain approval is still not enough: the edit approved other text.
    assert decide(submitted, rita, "approve").verdict == Verdict.NEEDS_MORE


def test_approve_with_edit_needs_a_change(bob, submitted):
    with pytest.raises(ValidationError):
        decide(submitted, bob, "approve_with_edit", edit=edited(submitted))
    assert not EditProposal.objects.exists()


def test_approve_with_edit_must_pass_the_submit_checks(bob, submitted):
    with pytest.raises(ValidationError) as raised:
        decide(submitted, bob, "approve_with_edit", edit=edited(submitted, instruction="Short"))
    assert "instruction" in raised.value.message_dict
    assert not Review.objects.exists() and not EditProposal.objects.exists()


def test_a_rejected_improvement_leaves_the_approved_text_in_place(alice, ada, bob, rita, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    approved = pair.approved_revision
    draft = pair.draft
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(instruction=draft.instruction, response="A rewritten answer, worse."),
        base_version=draft.version,
    )
    pair_submit(pair=pair, by=alice)
    decide(pair, bob, "reject", reason="factually_wrong")
    result = decide(pair, rita, "reject", reason="factually_wrong")
    pair.refresh_from_db()
    assert result.verdict == Verdict.REJECTED
    assert pair.status == S.APPROVED
    assert pair.approved_revision == approved
    assert pair.current_revision == approved
    assert pair.revisions.count() == 2


def test_an_approved_improvement_becomes_the_approved_revision(alice, ada, bob, rita, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    draft = pair.draft
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(instruction=draft.instruction, response="A clearer answer, improved."),
        base_version=draft.version,
    )
    improved = pair_submit(pair=pair, by=alice)
    decide(pair, bob, "approve")
    decide(pair, rita, "approve")
    pair.refresh_from_db()
    assert pair.status == S.APPROVED
    assert pair.approved_revision == improved


def test_a_repeated_decision_is_recorded_once(bob, submitted):
    first = decide(submitted, bob, "approve")
    again = review_decide(pair=submitted, reviewer=bob, revision_number=1, decision="approve")
    assert again.repeated and again.review == first.review
    assert Review.objects.count() == 1
    assert verbs(submitted).count("review.approve") == 1


def test_the_author_cannot_review_their_own_pair(alice, submitted):
    lease(submitted, alice)
    with pytest.raises(PermissionDenied):
        review_decide(pair=submitted, reviewer=alice, revision_number=1, decision="approve")
    assert not Review.objects.exists()


def test_no_decision_without_a_claim(bob, rita, submitted):
    with pytest.raises(NotHeld):
        review_decide(pair=submitted, reviewer=bob, revision_number=1, decision="approve")
    lease(submitted, rita)
    with pytest.raises(NotHeld):
        review_decide(pair=submitted, reviewer=bob, revision_number=1, decision="approve")
    assert not Review.objects.exists()


def test_no_decision_on_an_expired_claim(bob, submitted):
    lease(submitted, bob, expired=True)
    with pytest.raises(LeaseExpired):
        review_decide(pair=submitted, reviewer=bob, revision_number=1, decision="approve")
    assert not Review.objects.exists()


def test_a_decision_on_a_revision_that_is_no_longer_current_is_refused(bob, rita, submitted):
    lease(submitted, bob)
    with pytest.raises(PairChanged):
        review_decide(pair=submitted, reviewer=bob, revision_number=7, decision="approve")
    assert not Review.objects.exists()
    assert not Lease.objects.filter(pair=submitted).exists()


def test_reviews_of_an_earlier_round_do_not_count(bob, rita, ada, submitted):
    decide(submitted, bob, "reject", reason="duplicate")
    decide(submitted, rita, "reject", reason="duplicate")
    pair_reopen(pair=submitted, by=ada)
    submitted.refresh_from_db()
    assert submitted.review_round == 1
    result = decide(submitted, bob, "approve")
    assert result.verdict == Verdict.NEEDS_MORE
    assert result.review.round == 1
    assert decide(submitted, rita, "approve").verdict == Verdict.APPROVED

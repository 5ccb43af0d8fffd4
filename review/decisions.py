"""A reviewer's decision on the revision they hold a lease on, and their confirmation of its
findings."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from annotation.audit import audit
from annotation.checks import check_pair
from annotation.flags import finding_confirm
from annotation.models import Finding, Pair, Revision
from annotation.pairs import is_written_by
from annotation.workflow import S, lock
from review.consensus import Verdict
from review.leases import Kind, lease_get, lease_release
from review.models import EditProposal, Review
from review.outcomes import consensus_apply

D = Review.Decision


class PairChanged(Exception):
    """The pair is no longer the revision the reviewer read (decided or revised meanwhile)."""


@dataclass(frozen=True)
class Scores:
    helpfulness: int | None = None
    correctness: int | None = None
    writing: int | None = None


@dataclass(frozen=True)
class EditText:
    instruction: str
    context: str
    response: str
    source_url: str = ""

    def same_as(self, revision: Revision) -> bool:
        return (
            self.instruction == revision.instruction
            and self.context == revision.context
            and self.response == revision.response
            and self.source_url == revision.source_url
        )


@dataclass(frozen=True)
class Decided:
    review: Review
    # None when this exact review was already recorded (a repeated POST): nothing changed.
    verdict: Verdict | None

    @property
    def repeated(self) -> bool:
        return self.verdict is None


def _validate(
    *,
    pair: Pair,
    revision: Revision,
    decision: str,
    comment: str,
    reason: str,
    edit: EditText | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if decision == D.REQUEST_CHANGES and not comment:
        errors["comment"] = ["Tell the author what to change."]
    if decision == D.REJECT and not reason:
        errors["reason"] = ["Choose a reason."]
    if decision == D.REJECT and reason == Review.Reason.OTHER and not comment:
        errors["comment"] = ["Explain the reason in a comment."]
    if decision == D.APPROVE_WITH_EDIT:
        if edit is None or edit.same_as(revision):
            errors["__all__"] = ["Edit the text before approving it with an edit."]
        else:
            result = check_pair(
                category=pair.category,
                pair=pair,
                instruction=edit.instruction,
                context=edit.context,
                response=edit.response,
                source_url=edit.source_url,
            )
            errors.update(result.errors)
    if errors:
        raise ValidationError(errors)


def review_decide(
    *,
    pair: Pair,
    reviewer: User,
    revision_number: int,
    decision: str,
    comment: str = "",
    reason: str = "",
    scores: Scores | None = None,
    edit: EditText | None = None,
) -> Decided:
    """Record ``reviewer``'s decision on revision ``revision_number`` and apply consensus.

    Idempotent: the same reviewer deciding the same revision again (a double click, a
    retried POST) gets the review already recorded back, and nothing changes.
    Raises PermissionDenied for the pair's author, LeaseLost without an unexpired lease,
    PairChanged when the revision is no longer the one under review, and ValidationError
    (by field) for a decision that lacks what it needs.
    """
    if is_written_by(pair=pair, user=reviewer):
        raise PermissionDenied("Nobody reviews their own pair.")
    with transaction.atomic():
        # The category and the revision are read by the decision and its verdict.
        locked = lock(pair, related=("category", "current_revision"))
        existing = Review.objects.filter(
            pair=locked,
            revision__number=revision_number,
            reviewer=reviewer,
            round=locked.review_round,
        ).first()
        if existing is not None:
            return Decided(review=existing, verdict=None)
        lease_get(holder=reviewer, kind=Kind.REVIEW, item=locked)
        revision = locked.current_revision
        if locked.status == S.SUBMITTED and revision.number == revision_number:
            return _record(
                pair=locked,
                revision=revision,
                reviewer=reviewer,
                decision=decision,
                comment=comment,
                reason=reason,
                scores=scores or Scores(),
                edit=edit,
            )
    # Outside the transaction, so that raising does not undo the release.
    lease_release(holder=reviewer, kind=Kind.REVIEW, item=pair)
    raise PairChanged("This pair changed while you were reading it; nothing was recorded.")


def _record(
    *,
    pair: Pair,
    revision: Revision,
    reviewer: User,
    decision: str,
    comment: str,
    reason: str,
    scores: Scores,
    edit: EditText | None,
) -> Decided:
    _validate(
        pair=pair, revision=revision, decision=decision, comment=comment, reason=reason, edit=edit
    )
    review = Review.objects.create(
        pair=pair,
        revision=revision,
        reviewer=reviewer,
        round=pair.review_round,
        decision=decision,
        reason=reason if decision == D.REJECT else "",
        comment=comment,
        helpfulness=scores.helpfulness,
        correctness=scores.correctness,
        writing=scores.writing,
    )
    extra = {}
    if decision == D.APPROVE_WITH_EDIT:
        proposal = EditProposal.objects.create(
            pair=pair,
            base_revision=revision,
            proposer=reviewer,
            review=review,
            instruction=edit.instruction,
            context=edit.context,
            source_url=edit.source_url,
            response=edit.response,
            comment=comment,
        )
        extra["edit"] = str(proposal.public_id)
    audit(
        actor=reviewer,
        verb=f"review.{decision}",
        obj=pair,
        revision=revision.number,
        comment=comment,
        reason=review.reason,
        reason_label=review.get_reason_display() if review.reason else "",
        **extra,
    )
    lease_release(holder=reviewer, kind=Kind.REVIEW, item=pair)
    verdict = consensus_apply(pair=pair, revision=revision, by=reviewer)
    return Decided(review=review, verdict=verdict)


def review_finding_confirm(*, pair: Pair, finding: Finding, by: User) -> Finding:
    """``by`` confirms a finding of the revision they review fictional or public.

    Only while they hold the pair's review lease, as for a decision: a confirmation
    decides whether the text may ship, and the answer shows the text around the finding,
    so a reviewer must not reach other pairs' findings by their ids. Raises LeaseLost
    without an unexpired lease, and PermissionDenied as ``finding_confirm`` does (the
    finding is not of the revision under review, or the pair is their own).
    """
    # The lease first: to someone who does not hold the pair, every id answers alike.
    lease_get(holder=by, kind=Kind.REVIEW, item=pair)
    if finding.revision_id != pair.current_revision_id:
        raise PermissionDenied("That finding is not on the revision under review.")
    return finding_confirm(finding=finding, by=by)

"""The edit queue: a reviewer's proposed text, accepted or declined by another reviewer.

An accepted edit becomes a new revision written by its proposer, and counts as an
approval by both the proposer and the reviewer who accepted it. Leases work like review
claims, kept on the proposal itself (``claimed_by`` / ``claim_expires_at``).
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from annotation.audit import audit
from annotation.checks import check_pair
from annotation.flags import findings_record
from annotation.models import Pair, Revision
from annotation.submission import revision_create
from annotation.workflow import S, lock
from review.consensus import Verdict
from review.models import EditProposal, Review
from review.outcomes import consensus_apply, edits_stale_mark
from review.queue import ClaimExpired, NotClaimed, lease_until, start_of_today

P = EditProposal.Status


class EditStale(Exception):
    """The pair moved on (new revision, or decided) since the edit was proposed."""


def edits_reviewable(reviewer, now: datetime | None = None) -> QuerySet[EditProposal]:
    """Pending edits ``reviewer`` may decide: not their own, not on their own pairs, not
    leased to someone else, and still against the revision under review."""
    now = now or timezone.now()
    return (
        EditProposal.objects.filter(
            status=P.PENDING,
            pair__status=S.SUBMITTED,
            pair__current_revision=F("base_revision"),
        )
        .exclude(proposer=reviewer)
        .exclude(pair__author=reviewer)
        .exclude(Q(claim_expires_at__gt=now) & ~Q(claimed_by=reviewer))
    )


def edit_claim_next(*, reviewer) -> EditProposal | None:
    """Lease the oldest edit ``reviewer`` may decide (or renew the one they hold)."""
    now = timezone.now()
    with transaction.atomic():
        mine = (
            edits_reviewable(reviewer, now)
            .filter(claimed_by=reviewer, claim_expires_at__gt=now)
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        proposal = (
            mine
            or edits_reviewable(reviewer, now)
            .order_by("created_at")
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if proposal is None:
            return None
        EditProposal.objects.filter(claimed_by=reviewer).exclude(pk=proposal.pk).update(
            claimed_by=None, claim_expires_at=None
        )
        proposal.claimed_by = reviewer
        proposal.claim_expires_at = lease_until(now)
        proposal.save(update_fields=["claimed_by", "claim_expires_at"])
    return proposal


def edit_claim_check(*, proposal: EditProposal, reviewer) -> None:
    """Raises NotClaimed or ClaimExpired unless ``reviewer`` holds an unexpired lease."""
    if proposal.claimed_by_id != reviewer.pk:
        raise NotClaimed("You do not hold this edit.")
    if proposal.claim_expires_at is None or proposal.claim_expires_at <= timezone.now():
        raise ClaimExpired("Your lease on this edit has expired; it went back to the queue.")


def edit_claim_renew(*, proposal: EditProposal, reviewer) -> EditProposal:
    now = timezone.now()
    renewed = EditProposal.objects.filter(
        pk=proposal.pk, status=P.PENDING, claimed_by=reviewer, claim_expires_at__gt=now
    ).update(claim_expires_at=lease_until(now))
    proposal.refresh_from_db()
    if not renewed:
        edit_claim_check(proposal=proposal, reviewer=reviewer)
    return proposal


def edit_claim_release(*, proposal: EditProposal, reviewer) -> bool:
    released = EditProposal.objects.filter(pk=proposal.pk, claimed_by=reviewer).update(
        claimed_by=None, claim_expires_at=None
    )
    return bool(released)


def _lock_for_decision(proposal: EditProposal, reviewer) -> tuple[Pair, EditProposal]:
    """Lock the pair, then the proposal; refuse anyone who may not decide it."""
    if reviewer.pk in (proposal.proposer_id, proposal.pair.author_id):
        raise PermissionDenied("Nobody decides their own edit, or an edit of their own pair.")
    pair = lock(proposal.pair)
    return pair, EditProposal.objects.select_for_update().get(pk=proposal.pk)


def _close(proposal: EditProposal, *, status: str, by, comment: str) -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_comment = comment
    proposal.claimed_by = None
    proposal.claim_expires_at = None
    proposal.save()


def edit_accept(*, proposal: EditProposal, by, comment: str = "") -> Verdict | None:
    """Make the edit the pair's new revision and count two approvals of it.

    Returns the consensus verdict, or None when the proposal was already decided (a
    repeated POST). Raises EditStale (and marks the proposal stale) when the pair has
    moved on, ValidationError when the text no longer passes the submit checks (for
    example its instruction now duplicates another pair's), PermissionDenied for the
    proposer or the pair's author, ClaimLost without an unexpired lease.
    """
    with transaction.atomic():
        pair, locked = _lock_for_decision(proposal, by)
        if locked.status != P.PENDING:
            return None
        edit_claim_check(proposal=locked, reviewer=by)
        applies = pair.status == S.SUBMITTED and pair.current_revision_id == locked.base_revision_id
        if applies:
            return _apply(pair=pair, proposal=locked, by=by, comment=comment)
        edits_stale_mark(pair=pair, by=by)
    # Raised once the transaction has committed the proposal as stale.
    raise EditStale("The pair changed since this edit was proposed, so it was not applied.")


def _apply(*, pair: Pair, proposal: EditProposal, by, comment: str) -> Verdict:
    checked = check_pair(
        category=pair.category,
        pair=pair,
        instruction=proposal.instruction,
        context=proposal.context,
        response=proposal.response,
        source_url=proposal.source_url,
    )
    checked.raise_if_errors()
    revision = revision_create(
        pair=pair,
        by=proposal.proposer,
        kind=Revision.Kind.ACCEPTED_EDIT,
        instruction=proposal.instruction,
        context=proposal.context,
        response=proposal.response,
        source_url=proposal.source_url,
    )
    # Nobody confirmed the edit's personal data: until someone does, it does not ship.
    findings_record(revision=revision, found=checked.findings)
    for reviewer, said in ((proposal.proposer, proposal.comment), (by, comment)):
        Review.objects.create(
            pair=pair,
            revision=revision,
            reviewer=reviewer,
            round=pair.review_round,
            decision=Review.Decision.APPROVE,
            comment=said,
        )
    proposal.result_revision = revision
    _close(proposal, status=P.ACCEPTED, by=by, comment=comment)
    audit(
        actor=by,
        verb="edit.accept",
        obj=pair,
        revision=revision.number,
        base_revision=proposal.base_revision.number,
        comment=comment,
        edit=str(proposal.public_id),
    )
    return consensus_apply(pair=pair, revision=revision, by=by)


def edit_decline(*, proposal: EditProposal, by, comment: str) -> bool:
    """Decline the edit; the pair stays in the review queue. False if already decided."""
    if not comment.strip():
        raise ValueError("Say why the edit is declined.")
    with transaction.atomic():
        pair, locked = _lock_for_decision(proposal, by)
        if locked.status != P.PENDING:
            return False
        edit_claim_check(proposal=locked, reviewer=by)
        _close(locked, status=P.DECLINED, by=by, comment=comment.strip())
        audit(
            actor=by,
            verb="edit.decline",
            obj=pair,
            revision=locked.base_revision.number,
            comment=comment.strip(),
            edit=str(locked.public_id),
        )
    return True


def edits_decided_today(*, reviewer) -> int:
    return EditProposal.objects.filter(
        decided_by=reviewer, decided_at__gte=start_of_today(timezone.now())
    ).count()

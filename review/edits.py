"""The edit queue: a reviewer's proposed text, accepted or declined by another reviewer.

An accepted edit becomes a new revision written by its proposer, and counts as an
approval by both the proposer and the reviewer who accepted it. The lease on an edit
follows the same rules as the lease on a pair (review.leases).
"""

from collections.abc import Collection
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from annotation.audit import audit
from annotation.checks import check_pair
from annotation.flags import findings_record
from annotation.models import Pair, Revision
from annotation.pairs import is_written_by, written_by
from annotation.submission import duplicate_guard, revision_create
from annotation.workflow import S, lock
from review.consensus import Verdict
from review.leases import Kind, lease_end, lease_get, lease_held, lease_next, leases_active
from review.models import EditProposal, Lease, Review
from review.outcomes import consensus_apply, edits_stale_mark
from review.queue import start_of_today

P = EditProposal.Status


class EditStale(Exception):
    """The pair moved on (new revision, or decided) since the edit was proposed."""


def edits_reviewable(reviewer: User | int, now: datetime | None = None) -> QuerySet[EditProposal]:
    """Pending edits ``reviewer`` may decide: not their own, not on their own pairs, not
    leased to someone else, and still against the revision under review."""
    now = now or timezone.now()
    leased_to_another = leases_active(now).filter(proposal=OuterRef("pk")).exclude(holder=reviewer)
    return (
        EditProposal.objects.filter(
            status=P.PENDING,
            pair__status=S.SUBMITTED,
            pair__current_revision=F("base_revision"),
        )
        .exclude(proposer=reviewer)
        .exclude(written_by(reviewer, through="pair__"))
        .exclude(Exists(leased_to_another))
    )


def _still_decidable(lease: Lease) -> bool:
    return edits_reviewable(lease.holder_id).filter(pk=lease.proposal_id).exists()


def _oldest(candidates: QuerySet[EditProposal]) -> EditProposal | None:
    oldest_first = candidates.order_by("created_at")
    return oldest_first.select_for_update(skip_locked=True, of=("self",)).first()


def _next_edit(reviewer: User, now: datetime, given_back: Collection[int]) -> EditProposal | None:
    candidates = edits_reviewable(reviewer, now)
    if given_back and (found := _oldest(candidates.exclude(pk__in=given_back))):
        return found
    return _oldest(candidates)


def edit_take_next(*, reviewer: User, given_back: Collection[int] = ()) -> Lease | None:
    """Lease the oldest edit ``reviewer`` may decide (or renew the one they hold); the
    edits in ``given_back`` (ids the reviewer gave back unread) come last."""
    return lease_next(
        holder=reviewer,
        kind=Kind.EDIT,
        still_good=_still_decidable,
        find=lambda now: _next_edit(reviewer, now, given_back),
    )


def edit_held(*, reviewer: User) -> Lease | None:
    """The lease ``reviewer`` holds on an edit they may still decide, or None."""
    lease = lease_held(holder=reviewer, kind=Kind.EDIT)
    return lease if lease is not None and _still_decidable(lease) else None


def may_decide(*, proposal: EditProposal, reviewer: User) -> bool:
    """Nobody decides their own edit, or an edit of their own pair (the rule that
    :func:`edits_reviewable` states as a query)."""
    return proposal.proposer_id != reviewer.pk and not is_written_by(
        pair=proposal.pair, user=reviewer
    )


def _lock_for_decision(proposal: EditProposal, reviewer: User) -> tuple[Pair, EditProposal]:
    """Lock the pair, then the proposal; refuse anyone who may not decide it."""
    if not may_decide(proposal=proposal, reviewer=reviewer):
        raise PermissionDenied("Nobody decides their own edit, or an edit of their own pair.")
    pair = lock(proposal.pair)
    return pair, EditProposal.objects.select_for_update().get(pk=proposal.pk)


def _close(proposal: EditProposal, *, status: str, by: User, comment: str) -> None:
    proposal.status = status
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_comment = comment
    proposal.save()
    lease_end(kind=Kind.EDIT, item=proposal)


def edit_accept(*, proposal: EditProposal, by: User, comment: str = "") -> Verdict | None:
    """Make the edit the pair's new revision and count two approvals of it.

    Returns the consensus verdict, or None when the proposal was already decided (a
    repeated POST). Raises EditStale (and marks the proposal stale) when the pair has
    moved on, ValidationError when the text no longer passes the submit checks (for
    example its instruction now duplicates another pair's), PermissionDenied for the
    proposer or the pair's author, LeaseLost without an unexpired lease.
    """
    # The checks run before the write; a duplicate submitted meanwhile is caught by the
    # database and answered as the checks would, not as a server error.
    with duplicate_guard(), transaction.atomic():
        pair, locked = _lock_for_decision(proposal, by)
        if locked.status != P.PENDING:
            return None
        lease_get(holder=by, kind=Kind.EDIT, item=locked)
        applies = pair.status == S.SUBMITTED and pair.current_revision_id == locked.base_revision_id
        if applies:
            return _apply(pair=pair, proposal=locked, by=by, comment=comment)
        edits_stale_mark(pair=pair, by=by)
    # Raised once the transaction has committed the proposal as stale.
    raise EditStale("The pair changed since this edit was proposed, so it was not applied.")


def _apply(*, pair: Pair, proposal: EditProposal, by: User, comment: str) -> Verdict:
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


def edit_decline(*, proposal: EditProposal, by: User, comment: str) -> bool:
    """Decline the edit; the pair stays in the review queue. False if already decided."""
    if not comment.strip():
        raise ValidationError({"comment": "Say why you decline this edit."})
    # The checks run before the write; a duplicate submitted meanwhile is caught by the
    # database and answered as the checks would, not as a server error.
    with duplicate_guard(), transaction.atomic():
        pair, locked = _lock_for_decision(proposal, by)
        if locked.status != P.PENDING:
            return False
        lease_get(holder=by, kind=Kind.EDIT, item=locked)
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


def edits_decided_today(*, reviewer: User) -> int:
    return EditProposal.objects.filter(
        decided_by=reviewer, decided_at__gte=start_of_today(timezone.now())
    ).count()

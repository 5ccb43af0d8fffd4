"""Carrying out a consensus verdict on a pair. Shared by review decisions and accepted edits."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.utils import timezone

from annotation.audit import audit
from annotation.models import AuditEvent, Pair, Revision
from annotation.workflow import S, transition
from review.consensus import Verdict, verdict_for
from review.leases import Kind, lease_end
from review.models import EditProposal, InProgress, Review

# The audit verb of a pair's approval, with the revision approved in its data: the one
# record that a revision was approved once, since a later approval replaces it on the pair.
APPROVED_VERB = "pair.approve"
REJECTED_VERB = "pair.reject"
IMPROVEMENT_REJECTED_VERB = "pair.improvement_reject"


def round_reviews(*, pair: Pair, revision: Revision) -> list[Review]:
    """The reviews that count: this revision's, in the pair's current round."""
    return list(Review.objects.filter(revision=revision, round=pair.review_round))


def consensus_apply(*, pair: Pair, revision: Revision, by: User) -> Verdict:
    """Tally the reviews of ``revision`` on the locked ``pair`` and act on the verdict.

    Callers hold the pair's lock inside ``transaction.atomic``.
    """
    verdict = verdict_for(
        category=pair.category, reviews=round_reviews(pair=pair, revision=revision)
    )
    data = {"revision": revision.number}
    if verdict == Verdict.NEEDS_MORE:
        # One upsert: update_or_create took six statements (two of them savepoints).
        started = InProgress(
            pair=pair,
            revision=revision,
            round=pair.review_round,
            submitted_at=pair.submitted_at or timezone.now(),
        )
        InProgress.objects.bulk_create(
            [started],
            update_conflicts=True,
            unique_fields=["pair"],
            update_fields=["revision", "round", "submitted_at"],
        )
    elif verdict == Verdict.APPROVED:
        pair = transition(
            pair=pair,
            to=S.APPROVED,
            by=by,
            verb=APPROVED_VERB,
            fields={"approved_revision": revision, "approved_at": timezone.now()},
            data=data,
        )
    elif verdict == Verdict.REJECTED and pair.approved_revision_id is not None:
        # A rejected improvement: the approved text stays and keeps shipping; the rejected
        # revision stays in the history.
        pair = transition(
            pair=pair,
            to=S.APPROVED,
            by=by,
            verb=IMPROVEMENT_REJECTED_VERB,
            fields={"current_revision_id": pair.approved_revision_id},
            data=data,
        )
    elif verdict == Verdict.REJECTED:
        pair = transition(pair=pair, to=S.REJECTED, by=by, verb=REJECTED_VERB, data=data)
    else:
        pair = transition(
            pair=pair, to=S.CHANGES_REQUESTED, by=by, verb="pair.request_changes", data=data
        )
    if verdict != Verdict.NEEDS_MORE:
        InProgress.objects.filter(pair=pair).delete()
    # ``pair`` is the row as transition() left it (or unchanged): fresh, and locked.
    edits_stale_mark(pair=pair, by=by)
    return verdict


def approvals_of(*, pair_public_ids: Iterable[str]) -> set[tuple[str, int]]:
    """(pair public id, revision number) of every approval these pairs had."""
    events = AuditEvent.objects.filter(
        verb=APPROVED_VERB, object_type="pair", object_id__in=list(pair_public_ids)
    )
    return {(pair, data.get("revision")) for pair, data in events.values_list("object_id", "data")}


def edits_stale_mark(*, pair: Pair, by: User) -> int:
    """Close pending edits that can no longer apply: the pair left review or has newer
    text. Callers hold the pair's lock."""
    pending = EditProposal.objects.filter(pair=pair, status=EditProposal.Status.PENDING)
    if pair.status == S.SUBMITTED:
        pending = pending.exclude(base_revision_id=pair.current_revision_id)
    stale = list(pending.select_for_update())
    for proposal in stale:
        proposal.status = EditProposal.Status.STALE
        proposal.decided_at = timezone.now()
        proposal.save(update_fields=["status", "decided_at"])
        lease_end(kind=Kind.EDIT, item=proposal)
        audit(
            actor=by,
            verb="edit.stale",
            obj=pair,
            revision=proposal.base_revision.number,
            edit=str(proposal.public_id),
        )
    return len(stale)

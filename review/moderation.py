"""Admin moderation of pairs: reopening rejected ones, retracting approved ones, moving
them and noting on them, one at a time or in bulk."""

from functools import partial

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from annotation.audit import audit
from annotation.models import Category, Pair
from annotation.roles import is_admin
from annotation.submission import (
    pair_move,
    pair_note_add,
    pair_reopen,
    pair_retract,
    pairs_reopen,
    pairs_retract,
)
from annotation.workflow import IllegalTransition
from review.leases import Kind, lease_end, leases_end
from review.models import BulkAction, EditProposal, InProgress
from review.outcomes import edits_stale_mark

K = BulkAction.Kind
# Larger selections run on the worker, with progress on the page; smaller ones are done
# before the response, which is quicker than a round trip through the queue.
BULK_INLINE_MAX = 200
# Pairs per transaction: a chunk's changes commit together with the progress, or not at
# all, so no pair is ever half-changed and a redelivered task neither repeats nor skips.
BULK_CHUNK = 200
# Refusals kept for the result page; all of them are counted.
REFUSALS_KEPT = 500
# What each kind of bulk action needs besides the pairs, by the bulk form's field name and
# with the words the form marks that field with: the one statement of the rule.
BULK_NEEDS: dict[str, dict[str, str]] = {
    K.RETRACT: {"text": "Say why these pairs are retracted."},
    K.REOPEN: {},
    K.MOVE: {"category": "Choose the category to move the pairs to."},
    K.NOTE: {"text": "Write the note."},
}


# The actions that cannot be undone: the bulk form asks for them to be confirmed. Its box
# says "retract for good": another action here would need wording of its own.
BULK_CONFIRMED = (K.RETRACT,)


def bulk_fields_used() -> dict[str, list[str]]:
    """The bulk form's fields that only some kinds of action use, with those kinds: the
    page shows such a field only while one of them is chosen (static/js/bulk-fields.js).

    The category is read off :data:`BULK_NEEDS`, so the page and the server's refusals
    cannot disagree. The text is not here: it is the optional reason of a reopening too.
    The confirmation is asked for the actions of :data:`BULK_CONFIRMED`.
    """
    return {
        "category": [kind for kind, needs in BULK_NEEDS.items() if "category" in needs],
        "retract_confirmed": list(BULK_CONFIRMED),
    }


def bulk_action_missing(*, kind: str, text: str, category: Category | None) -> dict[str, str]:
    """What a bulk action of ``kind`` still lacks, as {field name: what to do}."""
    given = {"text": text.strip(), "category": category}
    return {name: say for name, say in BULK_NEEDS.get(kind, {}).items() if not given[name]}


def _forget_review_state(pair: Pair, by: User) -> None:
    """Leases, started-pair rows and pending edits belong to the round that just ended.

    ``pair`` is the row a transition just returned: read and locked in the surrounding
    transaction, so it is not locked and read again (a bulk action does this per pair).
    """
    lease_end(kind=Kind.REVIEW, item=pair)
    InProgress.objects.filter(pair=pair).delete()
    edits_stale_mark(pair=pair, by=by)


def moderation_reopen(*, pair: Pair, by: User, reason: str = "") -> Pair:
    """Put a rejected pair back in the review queue for a new round of reviews."""
    with transaction.atomic():
        pair = pair_reopen(pair=pair, by=by, reason=reason)
        _forget_review_state(pair, by)
    return pair


def moderation_retract(*, pair: Pair, by: User, reason: str) -> Pair:
    """Take an approved pair out of future releases (and out of review, if an improvement
    of it was waiting)."""
    with transaction.atomic():
        pair = pair_retract(pair=pair, by=by, reason=reason)
        _forget_review_state(pair, by)
    return pair


def bulk_action_create(
    *, by: User, kind: str, pair_ids: list[int], text: str = "", category: Category | None = None
) -> BulkAction:
    """Record what an admin asked for, on which pairs; :func:`bulk_action_run` does it."""
    if not is_admin(by):
        raise PermissionDenied("Only admins act on pairs in bulk.")
    text = text.strip()
    if missing := bulk_action_missing(kind=kind, text=text, category=category):
        raise ValueError(" ".join(missing.values()))
    if not pair_ids:
        raise ValueError("Select at least one pair.")
    with transaction.atomic():
        bulk = BulkAction.objects.create(
            kind=kind,
            by=by,
            text=text,
            category=category if kind == K.MOVE else None,
            pair_ids=list(pair_ids),
            total=len(pair_ids),
        )
        audit(actor=by, verb="bulk.start", obj=bulk, kind=kind, total=bulk.total, text=text)
    return bulk


def bulk_action_start(
    *,
    by: User,
    kind: str,
    pairs: QuerySet[Pair],
    text: str = "",
    category: Category | None = None,
) -> BulkAction:
    """Fix the selection (the pairs as they are now) and carry the action out.

    Up to :data:`BULK_INLINE_MAX` pairs are done before this returns; more are handed to
    the worker once the action is committed (it must find the row, and never act on a
    rolled-back one), and the result page follows its progress.
    """
    # Imported here: the task module imports this one.
    from review.tasks import bulk_action_apply

    with transaction.atomic():
        bulk = bulk_action_create(
            by=by,
            kind=kind,
            pair_ids=list(pairs.order_by("pk").values_list("pk", flat=True)),
            text=text,
            category=category,
        )
        if bulk.total > BULK_INLINE_MAX:
            transaction.on_commit(partial(bulk_action_apply.delay, bulk.pk))
    if bulk.total > BULK_INLINE_MAX:
        return bulk
    return bulk_action_run(bulk_id=bulk.pk)


def _apply(bulk: BulkAction, pair: Pair) -> None:
    if bulk.kind == K.RETRACT:
        moderation_retract(pair=pair, by=bulk.by, reason=bulk.text)
    elif bulk.kind == K.REOPEN:
        moderation_reopen(pair=pair, by=bulk.by, reason=bulk.text)
    elif bulk.kind == K.MOVE:
        pair_move(pair=pair, by=bulk.by, category=bulk.category)
    else:
        pair_note_add(pair=pair, by=bulk.by, text=bulk.text)


def bulk_action_run(*, bulk_id: int) -> BulkAction:
    """Apply a bulk action to the pairs it has not dealt with yet, pair by pair.

    A refusal (the workflow's, or a permission taken away meanwhile) is recorded with its
    reason and the next pair is tried. Progress is committed with each chunk of pairs, so
    the page can show it and a redelivered task resumes rather than repeats.
    """
    ids = BulkAction.objects.values_list("pair_ids", flat=True).get(pk=bulk_id)
    try:
        while True:
            with transaction.atomic():
                bulk = (
                    BulkAction.objects.select_for_update(of=("self",))
                    .select_related("by", "category")
                    .defer("pair_ids")
                    .get(pk=bulk_id)
                )
                if not bulk.in_progress:
                    return bulk
                chunk = ids[bulk.position : bulk.position + BULK_CHUNK]
                if not chunk:
                    return _finish(bulk)
                _apply_chunk(bulk, chunk)
                bulk.state = BulkAction.State.RUNNING
                bulk.save(
                    update_fields=["position", "done", "done_ids", "refused", "refusals", "state"]
                )
    except Exception as exc:
        BulkAction.objects.filter(pk=bulk_id).update(
            state=BulkAction.State.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise


def _apply_chunk(bulk: BulkAction, chunk: list[int]) -> None:
    if bulk.kind in (K.RETRACT, K.REOPEN):
        _transition_chunk(bulk, chunk)
        return
    # Moves and notes, one pair at a time, each in a savepoint of its own.
    pairs = Pair.objects.select_related("category", "dataset", "current_revision").in_bulk(chunk)
    for pk in chunk:
        pair = pairs.get(pk)
        try:
            if pair is None:
                raise LookupError("it no longer exists")
            _apply(bulk, pair)
        except (IllegalTransition, PermissionDenied, ValueError, LookupError) as exc:
            bulk.refused += 1
            if len(bulk.refusals) < REFUSALS_KEPT:
                bulk.refusals.append(_refusal(pair, pk, exc))
        else:
            bulk.done += 1
            bulk.done_ids.append(pk)
        bulk.position += 1


def _transition_chunk(bulk: BulkAction, chunk: list[int]) -> None:
    """Retract or reopen a chunk through the workflow's transition_many: every pair checked
    on its own by the same rules as one at a time, the legal moves made together."""
    many = pairs_retract if bulk.kind == K.RETRACT else pairs_reopen
    try:
        moved, refused = many(pair_ids=chunk, by=bulk.by, reason=bulk.text)
    except (PermissionDenied, ValueError) as exc:
        moved, refused = [], [(pk, None, str(exc)) for pk in chunk]
    _forget_review_state_many(moved, bulk.by)
    bulk.done += len(moved)
    bulk.done_ids.extend(pair.pk for pair in moved)
    bulk.refused += len(refused)
    bulk.position += len(chunk)
    room = REFUSALS_KEPT - len(bulk.refusals)
    if refused and room > 0:
        shown = refused[:room]
        texts = dict(
            Pair.objects.filter(pk__in=[pk for pk, _, _ in shown]).values_list(
                "pk", "current_revision__instruction"
            )
        )
        for pk, pair, why in shown:
            bulk.refusals.append(
                {
                    "pair": str(pair.public_id) if pair else "",
                    "instruction": (texts.get(pk) or "(draft)")[:120] if pair else f"pair #{pk}",
                    "why": why,
                }
            )


def _forget_review_state_many(pairs: list[Pair], by: User) -> None:
    """:func:`_forget_review_state` for the pairs a chunk moved (locked, in its transaction)."""
    ids = [pair.pk for pair in pairs]
    if not ids:
        return
    leases_end(kind=Kind.REVIEW, items=ids)
    InProgress.objects.filter(pair_id__in=ids).delete()
    pending = EditProposal.objects.filter(pair_id__in=ids, status=EditProposal.Status.PENDING)
    for pair in Pair.objects.filter(pk__in=pending.values("pair_id")):
        edits_stale_mark(pair=pair, by=by)


def _refusal(pair: Pair | None, pk: int, exc: Exception) -> dict[str, str]:
    why = str(exc.args[0]) if isinstance(exc, LookupError) else str(exc)
    if pair is None:
        return {"pair": "", "instruction": f"pair #{pk}", "why": f"Not done: {why}."}
    revision = pair.current_revision
    return {
        "pair": str(pair.public_id),
        "instruction": revision.instruction[:120] if revision else "(draft)",
        "why": why,
    }


def _finish(bulk: BulkAction) -> BulkAction:
    bulk.state = BulkAction.State.DONE
    bulk.finished_at = timezone.now()
    bulk.save(update_fields=["state", "finished_at"])
    audit(actor=bulk.by, verb="bulk.finish", obj=bulk, done=bulk.done, refused=bulk.refused)
    return bulk

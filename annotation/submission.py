"""Submitting, withdrawing and re-writing pairs: everything that makes a Revision."""

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from annotation.audit import audit
from annotation.checks import DUPLICATE_MESSAGE, check_pair, duplicate_keys, is_duplicate_error
from annotation.drafts import DraftConflict
from annotation.flags import findings_record, unconfirmed_messages
from annotation.licence import licence_accepted
from annotation.models import (
    LIVE_STATUSES,
    Assignment,
    Category,
    Dataset,
    Draft,
    Finding,
    Pair,
    Revision,
    content_hash,
)
from annotation.normalisation import instruction_key, normalise, unify_newlines
from annotation.roles import is_admin
from annotation.similar import lsh_bands
from annotation.workflow import (
    MOVED,
    REOPEN,
    RETRACT,
    IllegalTransition,
    Refusal,
    S,
    check_movable,
    lock,
    transition,
    transition_many,
)
from people.accounts import SYSTEM_USERNAMES


class NothingChanged(Exception):
    pass


def revision_create(
    *,
    pair: Pair,
    by: User,
    kind: str,
    instruction: str,
    context: str,
    response: str,
    source_url: str = "",
    signals: Draft | Revision | None = None,
    warnings: list[str] | None = None,
) -> Revision:
    """Append a revision to a locked pair and point ``current_revision`` at it.

    Callers hold the pair's lock (inside ``transaction.atomic``) and move its status.
    Accepted edits go through here too; the author's draft then follows the new text so
    later edits start from what was accepted. Line endings are stored as ``\n`` whoever
    sent the text. The pair takes the instruction's key, which the database keeps unique
    among live pairs: callers that may race turn the IntegrityError into a refusal
    (``duplicate_guard``).
    """
    instruction, context, response = (
        unify_newlines(instruction),
        unify_newlines(context),
        unify_newlines(response),
    )
    number = (pair.revisions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    revision = Revision.objects.create(
        pair=pair,
        number=number,
        kind=kind,
        author=by,
        category=pair.category,
        instruction=instruction,
        context=context,
        source_url=source_url,
        response=response,
        content_hash=content_hash(
            instruction=instruction,
            context=context,
            response=response,
            category_slug=pair.category.slug,
        ),
        instruction_key=instruction_key(instruction),
        active_seconds=signals.active_seconds if signals else 0,
        typed_chars=signals.typed_chars if signals else 0,
        pasted_chars=signals.pasted_chars if signals else 0,
        warnings=warnings or [],
    )
    pair.current_revision = revision
    pair.instruction_key = revision.instruction_key
    pair.instruction_normalised = normalise(instruction)
    pair.instruction_bands = lsh_bands(pair.instruction_normalised)
    pair.save(
        update_fields=[
            "current_revision",
            "instruction_key",
            "instruction_normalised",
            "instruction_bands",
            "updated_at",
        ]
    )
    if kind == Revision.Kind.ACCEPTED_EDIT:
        Draft.objects.filter(pair=pair).update(
            instruction=instruction,
            context=context,
            response=response,
            source_url=source_url,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    return revision


def pair_submit(
    *, pair: Pair, by: User, base_version: int | None = None, confirmed: Collection[str] = ()
) -> Revision:
    """Turn the author's draft into a new immutable revision and queue it for review.

    Idempotent: submitting text that is already the submitted revision (a double click,
    a retried request) returns that revision instead of making a second one.
    Personal data in the text must be confirmed fictional or public by the writer:
    ``confirmed`` holds the tokens (annotation.flags.finding_token) of those ticked, and
    the confirmations are recorded with the revision.
    Raises ValidationError with per-field messages when a check fails, PermissionDenied
    for anyone but the author, IllegalTransition for a pair that cannot be submitted.
    """
    if pair.author_id != by.pk:
        raise PermissionDenied("Only the author submits a pair.")
    with duplicate_guard(), transaction.atomic():
        locked = lock(pair)
        draft = Draft.objects.select_for_update().get(pair=locked)
        text = {
            "instruction": unify_newlines(draft.instruction.strip()),
            "context": unify_newlines(draft.context.strip()),
            "response": unify_newlines(draft.response.strip()),
            "source_url": draft.source_url.strip(),
        }
        current = locked.current_revision
        if current is not None and locked.status == S.SUBMITTED and _same_text(current, text):
            return current
        if base_version is not None and draft.version != base_version:
            raise DraftConflict(draft)
        if current is not None and _same_text(current, text):
            raise NothingChanged("Nothing changed since the last submitted revision.")
        result = check_pair(
            category=locked.category,
            pair=locked,
            typed_chars=draft.typed_chars,
            pasted_chars=draft.pasted_chars,
            **text,
        )
        for name, message in unconfirmed_messages(
            pair=locked, found=result.findings, text_fields=text, confirmed=confirmed
        ):
            result.error(name, message)
        result.raise_if_errors()
        kind = Revision.Kind.ORIGINAL if current is None else Revision.Kind.AUTHOR_REVISION
        revision = revision_create(
            pair=locked, by=by, kind=kind, signals=draft, warnings=result.warnings, **text
        )
        # The draft's counts went into this revision; the next one counts its own writing.
        Draft.objects.filter(pk=draft.pk).update(active_seconds=0, typed_chars=0, pasted_chars=0)
        findings_record(revision=revision, found=result.findings, confirmed_by=by)
        locked = transition(
            pair=locked,
            to=S.SUBMITTED,
            by=by,
            verb="pair.submit",
            fields={"submitted_at": timezone.now()},
            data={"revision": revision.number},
        )
        if locked.assignment_id:
            Assignment.objects.filter(
                pk=locked.assignment_id, outcome=Assignment.Outcome.OPEN
            ).update(outcome=Assignment.Outcome.WRITTEN, closed_at=timezone.now())
    return revision


@contextmanager
def duplicate_guard() -> Iterator[None]:
    """Turn the database's duplicate refusal into the same error the checks give.

    The checks run first and catch every duplicate but one written by a concurrent
    request between the check and the write; the unique constraint catches that one.
    Wrap the whole ``transaction.atomic()`` block, so the failed transaction is over.
    """
    try:
        yield
    except IntegrityError as error:
        if not is_duplicate_error(error):
            raise
        raise ValidationError({"instruction": [DUPLICATE_MESSAGE]}) from error


def _same_text(revision: Revision, text: dict[str, str]) -> bool:
    return all(getattr(revision, name) == value for name, value in text.items())


def pair_withdraw(*, pair: Pair, by: User) -> Pair:
    """The author takes back a pair that is not approved; it leaves every queue."""
    if pair.author_id != by.pk:
        raise PermissionDenied("Only the author withdraws a pair.")
    return transition(pair=pair, to=S.WITHDRAWN, by=by, verb="pair.withdraw")


def pair_retract(*, pair: Pair, by: User, reason: str) -> Pair:
    """An admin takes an approved pair out of future releases. Nothing is deleted."""
    if not is_admin(by):
        raise PermissionDenied("Only admins retract pairs.")
    if not reason.strip():
        raise ValueError("A retraction needs a reason.")
    return transition(
        pair=pair,
        to=S.RETRACTED,
        by=by,
        verb="pair.retract",
        data={"reason": reason.strip()},
        action=RETRACT,
    )


def pair_reopen(*, pair: Pair, by: User, reason: str = "") -> Pair:
    """An admin puts a rejected pair back in the review queue; earlier votes stop counting."""
    if not is_admin(by):
        raise PermissionDenied("Only admins reopen pairs.")
    with transaction.atomic():
        locked = lock(pair)
        # While it was rejected, another pair may have taken its instruction.
        if locked.instruction_key and duplicate_keys(
            dataset_id=locked.dataset_id, keys=[locked.instruction_key], exclude=locked
        ):
            raise IllegalTransition(
                locked, S.SUBMITTED, "its instruction is now another live pair's in the dataset"
            )
        return transition(
            pair=locked,
            to=S.SUBMITTED,
            by=by,
            verb="pair.reopen",
            fields={"review_round": locked.review_round + 1, "submitted_at": timezone.now()},
            data={"reason": reason.strip()},
            action=REOPEN,
        )


def pairs_retract(
    *, pair_ids: list[int], by: User, reason: str
) -> tuple[list[Pair], list[Refusal]]:
    """:func:`pair_retract` for many pairs in one go (see workflow.transition_many)."""
    if not is_admin(by):
        raise PermissionDenied("Only admins retract pairs.")
    if not reason.strip():
        raise ValueError("A retraction needs a reason.")
    return transition_many(
        pair_ids=pair_ids,
        action=RETRACT,
        by=by,
        verb="pair.retract",
        data={"reason": reason.strip()},
    )


def pairs_reopen(
    *, pair_ids: list[int], by: User, reason: str = ""
) -> tuple[list[Pair], list[Refusal]]:
    """:func:`pair_reopen` for many pairs in one go (see workflow.transition_many)."""
    if not is_admin(by):
        raise PermissionDenied("Only admins reopen pairs.")
    return transition_many(
        pair_ids=pair_ids,
        action=REOPEN,
        by=by,
        verb="pair.reopen",
        fields={"review_round": F("review_round") + 1, "submitted_at": timezone.now()},
        data={"reason": reason.strip()},
    )


def pair_move(*, pair: Pair, by: User, category: Category) -> Pair:
    """An admin moves a pair to another category (and with it, maybe another dataset).

    The category ships with the revision, and revisions never change: the approved and
    the current text are copied into revisions of kind "moved" under the new category,
    so the next release ships the pair where it now belongs. Raises IllegalTransition for
    a pair under review or closed, or whose text breaks the new category's context rule.
    """
    if not is_admin(by):
        raise PermissionDenied("Only admins move pairs.")
    with transaction.atomic():
        locked = lock(pair)
        check_movable(locked)
        if locked.category_id == category.pk:
            raise IllegalTransition(
                locked, locked.status, f"it is already in {category.name}", action=MOVED
            )
        moving_dataset = category.dataset_id != locked.dataset_id
        if (
            moving_dataset
            and locked.status in LIVE_STATUSES
            and duplicate_keys(
                dataset_id=category.dataset_id, keys=[locked.instruction_key], exclude=locked
            )
        ):
            raise IllegalTransition(
                locked,
                locked.status,
                f"{category.dataset.name} already has a live pair with this instruction",
                action=MOVED,
            )
        if moving_dataset and not _may_publish_in(locked.author, category.dataset):
            raise IllegalTransition(
                locked,
                locked.status,
                f"its author has not accepted the licence of {category.dataset.name}",
                action=MOVED,
            )
        before = {"dataset": locked.dataset.slug, "category": locked.category.slug}
        approved, current = locked.approved_revision, locked.current_revision
        if current is not None:
            _context_fits(locked, current, category)
        locked.category, locked.dataset_id = category, category.dataset_id
        if approved is not None:
            locked.approved_revision = _moved_copy(locked, approved, by)
        if current is not None and current.pk != getattr(approved, "pk", None):
            _moved_copy(locked, current, by)
        locked.save()
        after = {"dataset": category.dataset.slug, "category": category.slug}
        audit(actor=by, verb="pair.move", obj=locked, before=before, after=after)
    return locked


def _may_publish_in(author: User, dataset: Dataset) -> bool:
    # A person's text ships under a licence they accepted; imported text was the
    # importing admin's call and carries no acceptance.
    return author.username in SYSTEM_USERNAMES or licence_accepted(user=author, dataset=dataset)


def _context_fits(pair: Pair, revision: Revision, category: Category) -> None:
    policy, has_context = category.context_policy, bool(revision.context.strip())
    if policy == Category.ContextPolicy.REQUIRED and not has_context:
        why = f"{category.name} needs a context passage and this pair has none"
    elif policy == Category.ContextPolicy.NONE and has_context:
        why = f"{category.name} takes no context and this pair has one"
    else:
        return
    raise IllegalTransition(pair, pair.status, why, action=MOVED)


def _moved_copy(pair: Pair, revision: Revision, by: User) -> Revision:
    """The same text under the pair's new category, with what was recorded of the text:
    how it was written, and its findings as confirmed or not (an unconfirmed finding must
    keep holding the pair out of releases after a move)."""
    copy = revision_create(
        pair=pair,
        by=by,
        kind=Revision.Kind.MOVED,
        instruction=revision.instruction,
        context=revision.context,
        response=revision.response,
        source_url=revision.source_url,
        warnings=revision.warnings,
        signals=revision,
    )
    Finding.objects.bulk_create(
        Finding(
            revision=copy,
            field=finding.field,
            kind=finding.kind,
            category=finding.category,
            start=finding.start,
            end=finding.end,
            confirmed_by_id=finding.confirmed_by_id,
            confirmed_at=finding.confirmed_at,
        )
        for finding in revision.findings.all()
    )
    return copy


def pair_note_add(*, pair: Pair, by: User, text: str) -> None:
    """An admin's note on a pair, kept in its audit trail."""
    if not is_admin(by):
        raise PermissionDenied("Only admins add notes to pairs.")
    if not text.strip():
        raise ValueError("A note needs some text.")
    audit(actor=by, verb="pair.note", obj=pair, note=text.strip())

"""Drafts: the author's autosaved working text. Nothing typed is lost."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from annotation.audit import audit
from annotation.checks import text_problem
from annotation.models import Assignment, Draft, OpenPrompt, Pair
from annotation.workflow import EDITABLE, lock

# An autosave may not claim more active time than could have passed between two saves.
MAX_ACTIVE_SECONDS_PER_SAVE = 300
# What the counters hold at most (a PostgreSQL integer): a crafted request's figures, added
# save after save, would otherwise overflow the column and break every later save.
MAX_SIGNAL_TOTAL = 2**31 - 1


def _added(total: int, claimed: int, most: int) -> int:
    return min(total + max(0, min(claimed, most)), MAX_SIGNAL_TOTAL)


class DraftConflict(Exception):
    """The draft changed elsewhere (another tab) since this text was loaded."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        super().__init__(
            "This draft was changed in another tab or window. Your text here is kept; "
            "copy what you need, then reload to see the other version."
        )


class NotEditable(Exception):
    pass


@dataclass(frozen=True)
class DraftText:
    instruction: str = ""
    context: str = ""
    source_url: str = ""
    response: str = ""


def pair_start(*, assignment: Assignment, by: User, prompt: OpenPrompt | None = None) -> Pair:
    """Create the draft pair for an open assignment (idempotent per assignment)."""
    if assignment.contributor_id != by.pk:
        raise NotEditable("This assignment belongs to someone else.")
    with transaction.atomic():
        existing = Pair.objects.filter(assignment=assignment).first()
        if existing is not None:
            return existing
        pair = Pair.objects.create(
            dataset_id=assignment.category.dataset_id,
            category=assignment.category,
            author=by,
            assignment=assignment,
            prompt=prompt,
        )
        Draft.objects.create(
            pair=pair,
            instruction=prompt.instruction if prompt else "",
            context=prompt.context if prompt else "",
            source_url=prompt.source_url if prompt else "",
        )
        audit(actor=by, verb="pair.start", obj=pair, category=assignment.category.slug)
    return pair


def draft_save(
    *,
    pair: Pair,
    by: User,
    text: DraftText,
    base_version: int,
    active_seconds: int = 0,
    typed_chars: int = 0,
    pasted_chars: int = 0,
) -> Draft:
    """Save the author's text if ``base_version`` is still current; returns the new draft.

    Raises DraftConflict when another save came first, NotEditable when the pair is not the
    author's or is in a state that takes no edits. Invalid characters are refused here too
    (they could never be submitted), but length and policy checks wait for submit so that
    half-written text always saves.
    """
    if pair.author_id != by.pk:
        raise NotEditable("Only the author edits a pair's draft.")
    for value in (text.instruction, text.context, text.response, text.source_url):
        problem = text_problem(value)
        if problem:
            raise NotEditable(problem)
    with transaction.atomic():
        locked = lock(pair)
        if locked.status not in EDITABLE:
            raise NotEditable(f"A {locked.get_status_display().lower()} pair takes no edits.")
        draft = Draft.objects.select_for_update().get(pair=locked)
        if draft.version != base_version:
            raise DraftConflict(draft)
        draft.instruction = text.instruction
        draft.context = text.context
        draft.source_url = text.source_url
        draft.response = text.response
        draft.active_seconds = _added(
            draft.active_seconds, active_seconds, MAX_ACTIVE_SECONDS_PER_SAVE
        )
        # The browser counts characters entered since the last save; no save enters more
        # than the text it saves, which bounds what a crafted request can claim.
        saved = sum(map(len, (text.instruction, text.context, text.response, text.source_url)))
        draft.typed_chars = _added(draft.typed_chars, typed_chars, saved)
        draft.pasted_chars = _added(draft.pasted_chars, pasted_chars, saved)
        draft.version += 1
        draft.updated_at = timezone.now()
        draft.save()
    return draft

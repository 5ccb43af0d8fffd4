"""The editor's two writes: autosave of the working text, and save-then-submit."""

from collections.abc import Collection
from dataclasses import dataclass, fields

from django.contrib.auth.models import User

from annotation.drafts import DraftText, draft_save
from annotation.models import Draft, Pair, Revision
from annotation.submission import pair_submit
from annotation.workflow import EDITABLE


@dataclass(frozen=True)
class Signals:
    """How the text came about, counted in the browser since the last save."""

    active_seconds: int = 0
    typed_chars: int = 0
    pasted_chars: int = 0

    def __bool__(self) -> bool:
        return any((self.active_seconds, self.typed_chars, self.pasted_chars))


def _same_text(draft: Draft, text: DraftText) -> bool:
    return all(getattr(draft, f.name) == getattr(text, f.name) for f in fields(DraftText))


def draft_autosave(
    *, pair: Pair, by: User, text: DraftText, base_version: int, signals: Signals
) -> Draft:
    """Save the editor's text (see draft_save); unchanged text with no signals is a no-op.

    Unchanged text cannot overwrite anything, so it is saved on top of whatever version is
    current instead of raising a conflict.
    """
    draft = Draft.objects.get(pair=pair)
    if _same_text(draft, text):
        if not signals or pair.status not in EDITABLE:
            return draft
        base_version = draft.version
    return draft_save(
        pair=pair,
        by=by,
        text=text,
        base_version=base_version,
        active_seconds=signals.active_seconds,
        typed_chars=signals.typed_chars,
        pasted_chars=signals.pasted_chars,
    )


def pair_save_and_submit(
    *,
    pair: Pair,
    by: User,
    text: DraftText,
    base_version: int,
    signals: Signals,
    confirmed: Collection[str] = (),
) -> Revision:
    """Save the posted text first (a form without JS never autosaved), then submit it.

    A repeated submit of the same text (double click, retried request) saves nothing and
    gets the same revision back from the idempotent pair_submit. ``confirmed``: the
    findings the writer ticked as fictional or public (see pair_submit).
    """
    draft_autosave(pair=pair, by=by, text=text, base_version=base_version, signals=signals)
    return pair_submit(pair=pair, by=by, confirmed=confirmed)

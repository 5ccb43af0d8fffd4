"""Typed, pasted and active time belong to the revision they produced, not to the pair:
a revision's figures count only the writing done since the one before."""

from annotation.drafts import DraftText, draft_save
from annotation.models import Draft
from annotation.submission import pair_submit
from annotation.workflow import S
from tests.factories import make_pair


def test_a_resubmitted_revision_counts_only_its_own_writing(alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.CHANGES_REQUESTED, by=ada)
    first = pair.current_revision
    assert first.typed_chars > 0
    draft = Draft.objects.get(pair=pair)
    text = DraftText(
        instruction=first.instruction, context=first.context, response=first.response + " More."
    )

    draft_save(
        pair=pair,
        by=alice,
        text=text,
        base_version=draft.version,
        active_seconds=30,
        typed_chars=6,
        pasted_chars=2,
    )
    second = pair_submit(pair=pair, by=alice)

    assert (second.typed_chars, second.pasted_chars, second.active_seconds) == (6, 2, 30)
    first.refresh_from_db()
    assert first.typed_chars > 6  # the first revision keeps its own figures

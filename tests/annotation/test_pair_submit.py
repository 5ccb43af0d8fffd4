import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from annotation.drafts import DraftConflict, DraftText, NotEditable, draft_save
from annotation.models import AuditEvent, Revision
from annotation.submission import NothingChanged, pair_submit, pair_withdraw
from annotation.workflow import S
from tests.factories import make_pair


def test_submit_makes_an_immutable_original_revision(alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    revision = pair_submit(pair=pair, by=alice)
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    assert pair.current_revision == revision
    assert pair.approved_revision is None
    assert pair.submitted_at is not None
    assert revision.kind == Revision.Kind.ORIGINAL and revision.number == 1
    assert revision.instruction == pair.draft.instruction
    assert len(revision.content_hash) == 64
    assert AuditEvent.objects.filter(verb="pair.submit", object_id=str(pair.public_id)).exists()
    revision.response = "changed"
    with pytest.raises(ValueError, match="immutable"):
        revision.save()


def test_double_submit_creates_one_revision(alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    first = pair_submit(pair=pair, by=alice)
    second = pair_submit(pair=pair, by=alice)
    assert first == second
    assert pair.revisions.count() == 1


def test_only_the_author_submits(alice, dan, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    with pytest.raises(PermissionDenied):
        pair_submit(pair=pair, by=dan)
    pair.refresh_from_db()
    assert pair.status == S.DRAFT


def test_failed_checks_keep_the_draft_and_make_no_revision(alice, closed_qa):
    pair = make_pair(author=alice, category=closed_qa, status=S.DRAFT, context="")
    with pytest.raises(ValidationError) as raised:
        pair_submit(pair=pair, by=alice)
    assert "context" in raised.value.message_dict
    pair.refresh_from_db()
    assert pair.status == S.DRAFT
    assert pair.revisions.count() == 0
    assert pair.draft.instruction


def test_resubmit_after_changes_requested_makes_an_author_revision(alice, ada, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.CHANGES_REQUESTED, by=ada)
    draft = pair.draft
    with pytest.raises(NothingChanged):
        pair_submit(pair=pair, by=alice)
    draft_save(
        pair=pair,
        by=alice,
        text=DraftText(instruction=draft.instruction, response="A better, fuller answer."),
        base_version=draft.version,
    )
    revision = pair_submit(pair=pair, by=alice)
    pair.refresh_from_db()
    assert revision.kind == Revision.Kind.AUTHOR_REVISION and revision.number == 2
    assert pair.status == S.SUBMITTED


def test_draft_save_refuses_a_stale_version_and_keeps_the_newer_text(alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    version = pair.draft.version
    draft_save(pair=pair, by=alice, text=DraftText(instruction="tab one"), base_version=version)
    with pytest.raises(DraftConflict):
        draft_save(pair=pair, by=alice, text=DraftText(instruction="tab two"), base_version=version)
    pair.draft.refresh_from_db()
    assert pair.draft.instruction == "tab one"


def test_draft_save_is_for_the_author_only(alice, dan, open_qa):
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    with pytest.raises(NotEditable):
        draft_save(pair=pair, by=dan, text=DraftText(instruction="x"), base_version=1)


def test_withdraw(alice, dan, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    with pytest.raises(PermissionDenied):
        pair_withdraw(pair=pair, by=dan)
    pair_withdraw(pair=pair, by=alice)
    pair.refresh_from_db()
    assert pair.status == S.WITHDRAWN

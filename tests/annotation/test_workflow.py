import pytest
from django.contrib.auth.models import User

from annotation.models import AuditEvent, Pair
from annotation.workflow import LEGAL, IllegalTransition, S, is_legal, transition
from tests.factories import make_pair

ALL = [s.value for s in S]


def _pair_in(status: str, *, author: User, category, approved: bool = False) -> Pair:
    pair = make_pair(author=author, category=category, status=S.SUBMITTED)
    fields = {"status": status}
    if approved:
        fields["approved_revision_id"] = pair.current_revision_id
    Pair.objects.filter(pk=pair.pk).update(**fields)
    pair.refresh_from_db()
    return pair


LEGAL_MOVES = [
    (S.DRAFT, S.SUBMITTED, False),
    (S.DRAFT, S.WITHDRAWN, False),
    (S.SUBMITTED, S.APPROVED, False),
    (S.SUBMITTED, S.CHANGES_REQUESTED, False),
    (S.SUBMITTED, S.REJECTED, False),
    (S.SUBMITTED, S.WITHDRAWN, False),
    (S.SUBMITTED, S.RETRACTED, True),
    (S.CHANGES_REQUESTED, S.SUBMITTED, False),
    (S.CHANGES_REQUESTED, S.WITHDRAWN, False),
    (S.CHANGES_REQUESTED, S.RETRACTED, True),
    (S.APPROVED, S.SUBMITTED, True),
    (S.APPROVED, S.RETRACTED, True),
    (S.REJECTED, S.SUBMITTED, False),
]


@pytest.mark.parametrize("before,after,approved", LEGAL_MOVES)
def test_legal_transition_changes_status_and_audits(before, after, approved, alice, ada, open_qa):
    pair = _pair_in(before, author=alice, category=open_qa, approved=approved)
    moved = transition(pair=pair, to=after, by=ada, verb="test.move")
    pair.refresh_from_db()
    assert pair.status == moved.status == after
    event = AuditEvent.objects.filter(verb="test.move", object_id=str(pair.public_id)).get()
    assert event.actor == ada
    assert event.data == {"before": before, "after": after}


ILLEGAL_MOVES = [(before, after) for before in ALL for after in ALL if after not in LEGAL[before]]


@pytest.mark.parametrize("before,after", ILLEGAL_MOVES)
def test_illegal_transition_is_refused_and_changes_nothing(before, after, alice, ada, open_qa):
    pair = _pair_in(before, author=alice, category=open_qa)
    with pytest.raises(IllegalTransition):
        transition(pair=pair, to=after, by=ada, verb="test.move")
    pair.refresh_from_db()
    assert pair.status == before
    assert not AuditEvent.objects.filter(verb="test.move").exists()


def test_retract_needs_an_approved_revision(alice, ada, open_qa):
    pair = _pair_in(S.SUBMITTED, author=alice, category=open_qa)
    assert not is_legal(pair=pair, to=S.RETRACTED)
    with pytest.raises(IllegalTransition, match="never approved"):
        transition(pair=pair, to=S.RETRACTED, by=ada, verb="test.move")


def test_a_pair_with_an_approved_revision_is_not_withdrawn(alice, open_qa):
    pair = _pair_in(S.CHANGES_REQUESTED, author=alice, category=open_qa, approved=True)
    with pytest.raises(IllegalTransition, match="retracted, not withdrawn"):
        transition(pair=pair, to=S.WITHDRAWN, by=alice, verb="test.move")


def test_transition_reads_the_status_under_the_lock_not_the_stale_object(alice, ada, open_qa):
    pair = _pair_in(S.SUBMITTED, author=alice, category=open_qa)
    stale = Pair.objects.get(pk=pair.pk)
    transition(pair=pair, to=S.REJECTED, by=ada, verb="test.move")
    # ``stale`` still says submitted; the move must be judged on the row, which is rejected.
    with pytest.raises(IllegalTransition):
        transition(pair=stale, to=S.APPROVED, by=ada, verb="test.move2")
    pair.refresh_from_db()
    assert pair.status == S.REJECTED


def test_transition_many_checks_each_pair_like_transition(alice, ada, open_qa):
    from annotation.workflow import REOPEN, transition_many

    rejected = _pair_in(S.REJECTED, author=alice, category=open_qa)
    draft = _pair_in(S.DRAFT, author=alice, category=open_qa)
    with pytest.raises(IllegalTransition) as single:
        transition(pair=draft, to=S.SUBMITTED, by=ada, verb="x", action=REOPEN)
    moved, refused = transition_many(
        pair_ids=[rejected.pk, draft.pk, 10**9], action=REOPEN, by=ada, verb="pair.reopen"
    )
    assert [p.pk for p in moved] == [rejected.pk]
    assert [(pk, why) for pk, _, why in refused] == [
        (draft.pk, str(single.value)),
        (10**9, "Not done: it no longer exists."),
    ]
    rejected.refresh_from_db()
    draft.refresh_from_db()
    assert rejected.status == S.SUBMITTED and draft.status == S.DRAFT
    event = AuditEvent.objects.get(verb="pair.reopen")
    assert event.object_id == str(rejected.public_id) and event.actor == ada

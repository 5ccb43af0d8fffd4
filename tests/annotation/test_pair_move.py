"""pair_move: a moved pair keeps what was recorded of its text, and a move into another
dataset keeps the shipping rules: licence, findings."""

import pytest

from annotation.licence import licence_accept
from annotation.models import Category, Dataset, Finding
from annotation.pairs import shipped_pairs
from annotation.submission import pair_move
from annotation.workflow import IllegalTransition, S
from tests.factories import make_pair


@pytest.fixture
def support(db) -> Category:
    dataset = Dataset.objects.create(name="Support answers", slug="support")
    return Category.objects.create(dataset=dataset, slug="open_qa", name="Open QA")


def _finding(revision, **confirmed) -> Finding:
    return Finding.objects.create(
        revision=revision,
        field="response",
        kind="email",
        category=Finding.Category.PERSONAL,
        start=0,
        end=5,
        **confirmed,
    )


def test_an_unconfirmed_finding_keeps_a_moved_pair_out_of_releases(alice, ada, open_qa, dolly):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    _finding(pair.approved_revision)
    general = dolly.categories.get(slug="general_qa")

    pair_move(pair=pair, by=ada, category=general)

    pair.refresh_from_db()
    assert pair.approved_revision.category == general
    assert not shipped_pairs(dataset=dolly).filter(pk=pair.pk).exists()
    copied = pair.approved_revision.findings.get()
    assert (copied.kind, copied.start, copied.end, copied.confirmed_at) == ("email", 0, 5, None)


def test_a_confirmed_finding_stays_confirmed_and_how_it_was_written_is_kept(
    alice, ada, open_qa, dolly
):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    first = pair.approved_revision
    confirmed = _finding(first, confirmed_by=alice, confirmed_at=first.created_at)
    general = dolly.categories.get(slug="general_qa")

    pair_move(pair=pair, by=ada, category=general)

    pair.refresh_from_db()
    moved = pair.approved_revision
    assert moved.pk != first.pk
    assert (moved.typed_chars, moved.pasted_chars, moved.active_seconds) == (
        first.typed_chars,
        first.pasted_chars,
        first.active_seconds,
    )
    assert moved.typed_chars > 0
    copied = moved.findings.get()
    assert (copied.confirmed_by, copied.confirmed_at) == (alice, confirmed.confirmed_at)
    assert shipped_pairs(dataset=dolly).filter(pk=pair.pk).exists()


def test_a_move_into_another_dataset_ships_there(alice, ada, open_qa, dolly, support):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)
    licence_accept(user=alice, dataset=support.dataset)

    pair_move(pair=pair, by=ada, category=support)

    pair.refresh_from_db()
    assert (pair.dataset, pair.category) == (support.dataset, support)
    assert shipped_pairs(dataset=support.dataset).filter(pk=pair.pk).exists()
    assert not shipped_pairs(dataset=dolly).filter(pk=pair.pk).exists()


def test_a_move_into_a_dataset_whose_licence_the_author_never_accepted_is_refused(
    alice, ada, open_qa, support
):
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED, by=ada)

    with pytest.raises(IllegalTransition, match="has not accepted the licence of Support"):
        pair_move(pair=pair, by=ada, category=support)

    pair.refresh_from_db()
    assert pair.category == open_qa

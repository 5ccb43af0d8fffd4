"""CHANGELOG.md against the previous ready release: added, removed, changed."""

from annotation.licence import licence_accept
from annotation.models import Category, Dataset, Finding, Revision
from annotation.submission import pair_move, pair_retract
from tests.exports.conftest import approve, approved_pair, build, improve, read


def _changelog(release) -> str:
    return read(release, "CHANGELOG.md").decode("utf-8")


def test_first_release_has_no_previous(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly)
    assert _changelog(release) == "# Changelog: Dolly v1\n\nFirst release: 1 pair.\n"
    assert release.counts["changes"] is None


def test_added_removed_and_changed(dolly, open_qa, alice, ada):
    kept = approved_pair(author=alice, category=open_qa, by=ada)
    retracted = approved_pair(author=alice, category=open_qa, by=ada)
    revised = approved_pair(author=alice, category=open_qa, by=ada)
    pending = approved_pair(author=alice, category=open_qa, by=ada)
    build(dolly)

    pair_retract(pair=retracted, by=ada, reason="Contains personal data.")
    approve(improve(revised, response="A clearer answer, approved."), by=ada)
    improve(pending, response="Still under review: the approved text keeps shipping.")
    added = approved_pair(author=alice, category=open_qa, by=ada)
    second = build(dolly)

    text = _changelog(second)
    assert "Against v1: 4 → 4 pairs." in text
    assert "- Added: 1\n- Removed: 1\n- Changed (a different approved revision): 1\n" in text
    assert f"## Added (1)\n\n- {added.public_id} (revision 1)\n" in text
    assert f"## Removed (1)\n\n- {retracted.public_id}: retracted\n" in text
    assert f"## Changed (1)\n\n- {revised.public_id}: revision 1 → 2\n" in text
    for untouched in (kept, pending):
        assert str(untouched.public_id) not in text
    assert second.counts["changes"] == {"added": 1, "removed": 1, "changed": 1}


def test_a_filtered_release_compares_with_the_previous_of_its_own_selection(
    dolly, open_qa, closed_qa, alice, ada
):
    first_open = approved_pair(author=alice, category=open_qa, by=ada)
    approved_pair(author=alice, category=closed_qa, by=ada)
    build(dolly)  # v1, every category
    first = build(dolly, categories=["open_qa"])  # v2
    text = _changelog(first)
    # Not "closed_qa removed" against v1: nothing of its own selection came before.
    assert first.previous is None and first.counts["changes"] is None
    assert text == "# Changelog: Dolly v2\n\nCategories: open_qa.\n\nFirst release: 1 pair.\n"
    build(dolly)  # v3, every category
    added = approved_pair(author=alice, category=open_qa, by=ada)
    second = build(dolly, categories=["open_qa"])  # v4
    assert (second.version, second.previous) == (4, first)
    assert second.counts["changes"] == {"added": 1, "removed": 0, "changed": 0}
    text = _changelog(second)
    assert "Against v2: 1 → 2 pairs." in text and f"- {added.public_id} (revision 1)" in text
    assert str(first_open.public_id) not in text
    assert (
        "**A filtered release**: only the categories open_qa." in read(second, "README.md").decode()
    )


def test_the_previous_is_the_last_ready_release(dolly, open_qa, alice, ada, monkeypatch):
    from exports.formats.alpaca import Alpaca

    approved_pair(author=alice, category=open_qa, by=ada)
    first = build(dolly)

    def broken(self, block):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Alpaca, "write", broken)
    assert build(dolly).state == "failed"
    monkeypatch.undo()
    third = build(dolly)
    assert third.previous == first and third.version == 2
    assert "Against v1" in _changelog(third)


def test_only_added_pairs(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    build(dolly)
    added = approved_pair(author=alice, category=open_qa, by=ada)
    text = _changelog(build(dolly))
    assert text.endswith(
        "- Added: 1\n- Removed: 0\n- Changed (a different approved revision): 0\n"
        f"\n## Added (1)\n\n- {added.public_id} (revision 1)\n"
    )


def test_nothing_changed(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    build(dolly)
    text = _changelog(build(dolly))
    assert text.endswith("- Added: 0\n- Removed: 0\n- Changed (a different approved revision): 0\n")


def test_a_removed_pair_says_why_it_no_longer_ships(dolly, open_qa, closed_qa, alice, ada):
    moved = approved_pair(author=alice, category=open_qa, by=ada)
    flagged = approved_pair(
        author=alice, category=open_qa, by=ada, response="Write to jane.doe@example.org."
    )
    approved_pair(author=alice, category=open_qa, by=ada)  # still ships
    build(dolly, categories=["open_qa"])

    Revision.objects.filter(pk=moved.approved_revision_id).update(category=closed_qa)
    Finding.objects.create(
        revision=flagged.approved_revision,
        field="response",
        kind="email",
        category=Finding.Category.PERSONAL,
        start=9,
        end=29,
    )
    text = _changelog(build(dolly, categories=["open_qa"]))

    assert f"- {moved.public_id}: its approved text is now in closed_qa\n" in text
    assert f"- {flagged.public_id}: left out until someone confirms a finding" in text
    assert "no longer approved" not in text


def test_a_pair_moved_to_another_dataset_says_so(dolly, open_qa, alice, ada):
    moved = approved_pair(author=alice, category=open_qa, by=ada)
    approved_pair(author=alice, category=open_qa, by=ada)
    build(dolly)
    support = Dataset.objects.create(name="Support answers", slug="support")
    faq = Category.objects.create(dataset=support, slug="faq", name="FAQ")
    licence_accept(user=alice, dataset=support)
    pair_move(pair=moved, by=ada, category=faq)

    text = _changelog(build(dolly))

    assert f"- {moved.public_id}: moved to another dataset\n" in text

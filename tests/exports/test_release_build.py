"""What a release ships, its manifest and card, and that the same state gives the same files."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from annotation.pairs import shipped_pairs
from annotation.submission import pair_retract
from annotation.workflow import S
from exports.models import Release
from review.models import Review
from tests.exports.conftest import (
    approve,
    approved_pair,
    build,
    improve,
    place_in_splits,
    read,
    split_of,
)
from tests.factories import make_pair

DATA_FILES = [
    "alpaca.json",
    "data/test.parquet",
    "data/train.parquet",
    "dolly.jsonl",
    "full.jsonl",
    "messages.jsonl",
    "stats.json",
]


def _responses(release: Release) -> list[str]:
    return [json.loads(line)["response"] for line in read(release, "dolly.jsonl").splitlines()]


def test_only_approved_revisions_of_unretracted_pairs_ship(dolly, open_qa, alice, ada):
    shipped = approved_pair(author=alice, category=open_qa, by=ada, response="Approved text.")
    improved = approved_pair(author=alice, category=open_qa, by=ada, response="First approved.")
    improve(improved, response="A better answer that nobody has reviewed yet.")
    retracted = approved_pair(author=alice, category=open_qa, by=ada, response="Taken back.")
    pair_retract(pair=retracted, by=ada, reason="Copied from a website.")
    make_pair(author=alice, category=open_qa, status=S.SUBMITTED, response="Unreviewed.")
    make_pair(author=alice, category=open_qa, status=S.DRAFT, response="Draft.")

    release = build(dolly)

    assert improved.status == S.SUBMITTED
    assert _responses(release) == ["Approved text.", "First approved."]
    assert set(release.entries.values_list("pair_id", flat=True)) == {shipped.pk, improved.pk}
    assert set(shipped_pairs(dataset=dolly)) == {shipped, improved}


def test_category_filter(dolly, open_qa, closed_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada, response="Open.")
    approved_pair(author=alice, category=closed_qa, by=ada, response="Closed.")
    release = build(dolly, categories=["closed_qa"])
    assert _responses(release) == ["Closed."]
    assert release.filters == {"categories": ["closed_qa"], "test_fraction": 0.1}
    assert release.counts["categories"] == {"closed_qa": 1}


def test_manifest_lists_every_file_with_its_checksum(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly, notes="First cut.")
    manifest = json.loads(read(release, "manifest.json"))
    names = sorted(release.files.exclude(name="manifest.json").values_list("name", flat=True))
    assert [f["name"] for f in manifest["files"]] == names
    assert names == sorted([*DATA_FILES, "CHANGELOG.md", "README.md"])
    for entry in manifest["files"]:
        data = read(release, entry["name"])
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        stored = release.files.get(name=entry["name"])
        assert (stored.bytes, stored.sha256) == (entry["bytes"], entry["sha256"])
    assert manifest["version"] == "v1" and manifest["previous_version"] is None
    assert manifest["counts"]["total"] == 1
    assert manifest["filters"] == release.filters


def test_dataset_card_front_matter(dolly, open_qa, closed_qa, alice, ada):
    for _ in range(3):
        approved_pair(author=alice, category=open_qa, by=ada)
    approved_pair(author=alice, category=closed_qa, by=ada)
    place_in_splits(dolly, ["train", "test", "train", "train"], 0.5)
    card = read(build(dolly, notes="Hand-picked notes.", test_fraction=0.5), "README.md")
    front, body = card.decode().split("---\n", 2)[1:]
    assert "license: cc-by-sa-3.0\n" in front
    assert "language:\n- en\n" in front
    assert "task_categories:\n- question-answering\n- text-generation\n" in front
    assert "size_categories:\n- n<1K\n" in front
    assert 'pretty_name: "Dolly v1"\n' in front
    assert "- split: train\n    path: data/train.parquet\n" in front
    assert "- split: test\n    path: data/test.parquet\n" in front
    rule = "2 of a kind, up to 4 after split votes"
    assert f"| open_qa | 3 | {rule} |" in body and f"| closed_qa | 1 | {rule} |" in body
    assert "Hand-picked notes." in body and "CC BY-SA 3.0" in body


def test_the_card_lists_every_other_file_of_the_release(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly, test_fraction=0.25)
    card = read(release, "README.md").decode()
    listed = card.split("## Files\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    names = [name for line in listed for name in line.split(": ", 1)[0][2:].split(", ")]
    stored = release.files.exclude(name="README.md").values_list("name", flat=True)
    assert sorted(name.strip("`") for name in names) == sorted(stored)
    assert " test; test fraction 0.25)." in card


def test_same_state_gives_byte_identical_data_files(dolly, open_qa, closed_qa, alice, bob, ada):
    for category in (open_qa, closed_qa, open_qa):
        approved_pair(author=alice, category=category, by=ada, reviewers=[bob])
    first, second = build(dolly, test_fraction=0.5), build(dolly, test_fraction=0.5)
    for name in DATA_FILES:
        assert first.files.get(name=name).sha256 == second.files.get(name=name).sha256, name
        assert read(first, name) == read(second, name)
    assert first.files.get(name="README.md").sha256 != second.files.get(name="README.md").sha256


def test_splits_come_from_the_pair_id_and_stay_across_releases(dolly, open_qa, alice, ada):
    pairs = [approved_pair(author=alice, category=open_qa, by=ada) for _ in range(6)]
    first = build(dolly, test_fraction=0.5)
    pairs.append(approved_pair(author=alice, category=open_qa, by=ada))
    second = build(dolly, test_fraction=0.5)
    for release in (first, second):
        for entry in release.entries.select_related("pair"):
            assert entry.split == split_of(str(entry.pair.public_id), 0.5)
    before = dict(first.entries.values_list("pair_id", "split"))
    after = dict(second.entries.values_list("pair_id", "split"))
    assert {k: after[k] for k in before} == before and len(after) == len(pairs)


def test_versions_are_monotonic_and_link_their_previous(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    releases = [build(dolly) for _ in range(3)]
    assert [r.version for r in releases] == [1, 2, 3]
    assert [r.previous for r in releases] == [None, releases[0], releases[1]]
    assert json.loads(read(releases[2], "manifest.json"))["previous_version"] == "v2"


def test_a_version_is_taken_once_per_dataset(dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    build(dolly)
    with pytest.raises(IntegrityError), transaction.atomic():
        Release.objects.create(dataset=dolly, version=1, state=Release.State.READY)


def test_a_release_published_meanwhile_becomes_the_previous(
    dolly, open_qa, alice, ada, monkeypatch
):
    """Two builds overlap: the one that publishes second is v2 and diffs against v1."""
    from exports.formats.changelog import Changelog

    approved_pair(author=alice, category=open_qa, by=ada)
    real_finish = Changelog.finish
    other = []

    def finish_while_another_publishes(self, facts):
        if not other:
            other.append(None)
            other[0] = build(dolly)
        return real_finish(self, facts)

    monkeypatch.setattr(Changelog, "finish", finish_while_another_publishes)
    late = build(dolly)
    assert (other[0].version, late.version) == (1, 2)
    assert late.previous == other[0]
    assert json.loads(read(late, "manifest.json"))["version"] == "v2"
    assert "Against v1" in read(late, "CHANGELOG.md").decode()


def test_a_ready_release_cannot_be_restarted(dolly, open_qa, alice, ada):
    from exports.services import ReleaseImmutable, release_restart

    approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly)
    with pytest.raises(ReleaseImmutable):
        release_restart(release=release, by=ada)


def test_reviews_after_approval_do_not_count(dolly, open_qa, alice, bob, rita, ada):
    pair = approved_pair(author=alice, category=open_qa, by=ada, reviewers=[bob])
    improve(pair, response="Improved, under review now.")
    approve(pair, by=ada, reviewers=[rita])  # approves the improvement
    pair.refresh_from_db()
    # A review given after that approval (of a later round) is not the shipped text's.
    later = Review.objects.create(
        pair=pair, revision=pair.approved_revision, reviewer=bob, round=9, decision="reject"
    )
    Review.objects.filter(pk=later.pk).update(created_at=pair.approved_at + timedelta(hours=1))
    first = json.loads(read(build(dolly), "full.jsonl"))
    assert first["review_count"] == 2 and first["revision"] == 2
    assert "reject" not in {review["decision"] for review in first["reviews"]}


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.37, 0.9])
def test_the_database_splits_by_the_hash_threshold(dolly, open_qa, alice, ada, fraction):
    # The split is computed in SQL when entries are recorded; it must agree with the
    # rule computed independently for every pair and fraction, on SQLite and PostgreSQL.
    for _ in range(40):
        approved_pair(author=alice, category=open_qa, by=ada)
    release = build(dolly, test_fraction=fraction)
    entries = list(release.entries.select_related("pair"))
    assert len(entries) == 40
    for entry in entries:
        assert entry.split == split_of(str(entry.pair.public_id), fraction)

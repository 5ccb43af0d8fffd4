"""Review scores in a release: full.jsonl carries each review, stats.json sums them up."""

import json

import pytest

from annotation.models import Pair
from exports.pseudonyms import Pseudonyms
from review.consensus import Verdict
from review.decisions import Scores
from tests.exports.conftest import build, read
from tests.factories import make_pair
from tests.review.conftest import decide

S = Pair.Status


def _approved(pair: Pair, *reviews) -> Pair:
    """``pair`` approved through the review service, one (reviewer, Scores) at a time."""
    for reviewer, scores in reviews:
        result = decide(pair, reviewer, "approve", scores=scores)
    assert result.verdict == Verdict.APPROVED
    pair.refresh_from_db()
    assert pair.status == S.APPROVED
    return pair


@pytest.fixture
def scored(alice, bob, rita, open_qa, closed_qa):
    """Two open_qa pairs approved by bob and rita with scores (one left blank), and one
    closed_qa pair approved by both without scores."""
    first = _approved(
        make_pair(author=alice, category=open_qa, instruction="Why do cats purr at night?"),
        (bob, Scores(helpfulness=4, correctness=5, writing=3)),
        (rita, Scores(helpfulness=2, correctness=4, writing=None)),
    )
    second = _approved(
        make_pair(author=alice, category=open_qa, instruction="How do bees find flowers?"),
        (rita, Scores(helpfulness=3, correctness=3, writing=5)),
        (bob, Scores(helpfulness=5, correctness=3, writing=4)),
    )
    unscored = _approved(
        make_pair(author=alice, category=closed_qa, instruction="What is a river delta?"),
        (bob, Scores()),
        (rita, Scores()),
    )
    return first, second, unscored


@pytest.fixture
def release(dolly, scored):
    release = build(dolly)
    assert release.state == "ready", release.error
    return release


def _full_rows(release) -> dict[str, dict]:
    lines = read(release, "full.jsonl").decode("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    return {row["id"]: row for row in rows}


def _review(pseudonym: str, helpfulness, correctness, writing) -> dict:
    return {
        "reviewer": pseudonym,
        "decision": "approve",
        "helpfulness": helpfulness,
        "correctness": correctness,
        "writing": writing,
    }


def test_full_jsonl_carries_each_reviews_scores_and_decision(release, scored, alice, bob, rita):
    first, second, unscored = scored
    names = Pseudonyms()
    rows = _full_rows(release)
    assert set(rows) == {str(pair.public_id) for pair in scored}
    # Each review in the order given, with its scores (null where none was given).
    assert rows[str(first.public_id)]["reviews"] == [
        _review(names[bob.pk], 4, 5, 3),
        _review(names[rita.pk], 2, 4, None),
    ]
    assert rows[str(second.public_id)]["reviews"] == [
        _review(names[rita.pk], 3, 3, 5),
        _review(names[bob.pk], 5, 3, 4),
    ]
    assert rows[str(unscored.public_id)]["reviews"] == [
        _review(names[bob.pk], None, None, None),
        _review(names[rita.pk], None, None, None),
    ]
    for row in rows.values():
        assert row["review_count"] == 2
        assert row["reviewers"] == sorted([names[bob.pk], names[rita.pk]])
        assert row["author"] == names[alice.pk]


def test_full_jsonl_names_no_reviewer(release, alice, bob, rita):
    text = read(release, "full.jsonl").decode("utf-8")
    names = Pseudonyms()
    for user in (alice, bob, rita):
        assert names[user.pk] in text
        assert f'"{user.username}"' not in text
        assert user.email not in text
    for row in _full_rows(release).values():
        for review in row["reviews"]:
            assert review["reviewer"] not in ("bob", "rita", str(bob.pk), str(rita.pk))
            assert len(review["reviewer"]) == 16
            int(review["reviewer"], 16)  # hex, as Pseudonyms makes them


def test_stats_json_has_the_score_figures_per_category(release):
    stats = json.loads(read(release, "stats.json"))
    assert stats["pairs"] == 3
    open_qa = stats["categories"]["open_qa"]
    assert open_qa["pairs"] == 2
    assert open_qa["review_scores"] == {
        # (4 + 2 + 3 + 5) / 4, (5 + 4 + 3 + 3) / 4, (3 + 5 + 4) / 3: a blank is no score.
        "helpfulness": {"mean": 3.5, "reviews": 4},
        "correctness": {"mean": 3.75, "reviews": 4},
        "writing": {"mean": 4.0, "reviews": 3},
    }
    closed_qa = stats["categories"]["closed_qa"]
    assert closed_qa["pairs"] == 1
    assert closed_qa["review_scores"] == {
        score: {"mean": None, "reviews": 0} for score in ("helpfulness", "correctness", "writing")
    }

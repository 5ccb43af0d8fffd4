"""manage.py collection_stats: the insights figures for scripts."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from review.models import Review
from tests.factories import make_pair
from tests.review.insights_data import review

D = Review.Decision


def _run(*args) -> str:
    out = StringIO()
    call_command("collection_stats", *args, stdout=out)
    return out.getvalue()


def test_json_has_alpha_pairs_categories_and_reviewers(dolly, open_qa, alice, bob, rita):
    for decisions in [(D.APPROVE, D.APPROVE), (D.APPROVE, D.REJECT), (D.REJECT, D.REJECT)]:
        pair = make_pair(author=alice, category=open_qa)
        review(pair, bob, decisions[0])
        review(pair, rita, decisions[1])
    data = json.loads(_run("--dataset", "dolly", "--json"))
    # By hand: n=6, N={approve: 3, reject: 3}, one split unit: D_o sum = (4-2)/1 = 2,
    # alpha = 1 - 5 * 2 / (36 - 18) = 0.4444.
    assert data["agreement"]["alpha"] == pytest.approx(0.4444, abs=1e-4)
    assert data["agreement"]["pairs"] == 3
    assert (data["alpha"], data["alpha_pairs"]) == (data["agreement"]["alpha"], 3)
    rows = {c["slug"]: c for c in data["categories"]}
    assert rows["open_qa"]["statuses"]["submitted"] == 3 and rows["open_qa"]["alpha_pairs"] == 3
    assert len(rows) == 8
    assert {r["reviewer"] for r in data["reviewers"]} == {"bob", "rita"}
    assert all("agreement" in r for r in data["reviewers"])


def test_summary_without_json(dolly):
    text = _run("--dataset", "dolly")
    assert "alpha (nominal, decisions): undefined over 0 pairs" in text
    assert "open_qa" in text


def test_unknown_dataset_is_a_clear_error(dolly):
    with pytest.raises(CommandError, match="No dataset 'nope'.*dolly"):
        _run("--dataset", "nope", "--json")

"""Krippendorff's alpha on the decisions, checked against independent computations."""

import math
import random

import krippendorff
import numpy as np
import pytest

from annotation.models import Pair, Revision
from review.agreement import alpha_sums, reviewer_flags
from review.insights import dataset_insights
from review.models import Review
from tests.factories import make_pair
from tests.review.insights_data import review, reviewers

D = Review.Decision
CODES = {decision: i for i, decision in enumerate(D.values)}


def _units(matrix: list[list[float]]) -> list[dict]:
    """Columns of an observers x units matrix (nan: no value) as {value: count}."""
    units = []
    for column in zip(*matrix, strict=True):
        unit: dict = {}
        for value in column:
            if not math.isnan(value):
                unit[value] = unit.get(value, 0) + 1
        units.append(unit)
    return units


def test_textbook_example_nominal():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
    # 4 observers, 12 units, nominal alpha = 0.743.
    nan = math.nan
    matrix = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    assert alpha_sums(_units(matrix)).alpha == pytest.approx(0.743, abs=5e-4)
    # The single-valued unit 12 is not pairable and does not count.
    assert alpha_sums(_units(matrix)).units == 11


@pytest.mark.parametrize("seed", range(5))
def test_matches_the_krippendorff_package_on_random_data(seed):
    rng = random.Random(seed)
    matrix = [[rng.choice([0, 0, 0, 1, 2, 3, math.nan]) for _ in range(60)] for _ in range(4)]
    expected = krippendorff.alpha(reliability_data=np.array(matrix), level_of_measurement="nominal")
    assert alpha_sums(_units(matrix)).alpha == pytest.approx(expected, abs=1e-9)


def test_undefined_when_every_decision_is_the_same():
    assert alpha_sums([{"approve": 2}, {"approve": 3}]).alpha is None
    assert alpha_sums([]).alpha is None


def test_dataset_alpha_matches_the_package_overall_and_per_category(dolly, alice, dan):
    """Reviews in the database: alpha from the SQL sums equals the package's alpha on
    the reviewer x pair matrix, overall and per category, with the pairs counted."""
    rng = random.Random(42)
    judges = reviewers(4)
    categories = list(dolly.categories.order_by("slug")[:3])
    by_category: dict[int, list] = {category.pk: [] for category in categories}
    everything = []
    for i in range(45):
        category = categories[i % 3]
        pair = make_pair(author=alice if i % 2 else dan, category=category)
        count = rng.choice([1, 2, 2, 3, 4])  # a single review takes no part
        row = [math.nan] * len(judges)
        for j in rng.sample(range(len(judges)), count):
            decision = rng.choice([D.APPROVE, D.APPROVE, D.REJECT, D.REQUEST_CHANGES])
            review(pair, judges[j], decision)
            row[j] = CODES[decision]
        everything.append(row)
        by_category[category.pk].append(row)

    figures = dataset_insights(dataset=dolly, reviewer_detail=False)

    def expected(rows):
        return krippendorff.alpha(reliability_data=np.array(rows).T, level_of_measurement="nominal")

    def pairable(rows):
        return sum(1 for row in rows if sum(not math.isnan(v) for v in row) >= 2)

    assert figures["agreement"]["alpha"] == pytest.approx(expected(everything), abs=1e-4)
    assert figures["agreement"]["pairs"] == pairable(everything)
    rows = {c["slug"]: c for c in figures["categories"]}
    for category in categories:
        found = rows[category.slug]
        assert found["alpha"] == pytest.approx(expected(by_category[category.pk]), abs=1e-4)
        assert found["alpha_pairs"] == pairable(by_category[category.pk])


def test_a_new_revision_is_a_new_unit(dolly, open_qa, alice, bob, rita):
    """Reviews of different texts of one pair are not compared with each other."""
    pair = make_pair(author=alice, category=open_qa)
    review(pair, bob, D.REQUEST_CHANGES)
    review(pair, rita, D.REQUEST_CHANGES)
    first = pair.current_revision
    second = Revision.objects.create(
        pair=pair,
        number=2,
        kind=Revision.Kind.AUTHOR_REVISION,
        author=alice,
        category=open_qa,
        instruction=first.instruction,
        response=first.response + " Revised.",
        content_hash="revised",
        instruction_key=first.instruction_key,
    )
    Pair.objects.filter(pk=pair.pk).update(current_revision=second)
    pair.refresh_from_db()
    review(pair, bob, D.APPROVE)
    review(pair, rita, D.REJECT)
    figures = dataset_insights(dataset=dolly, reviewer_detail=False)
    # Two units, one agreeing, one split; by hand: n=4, N = {rc: 2, ap: 1, rj: 1},
    # D_o sum = 0 + (4 - 2) / 1 = 2, alpha = 1 - 3 * 2 / (16 - 6) = 0.4. (As one unit of
    # four it would be 0.)
    assert figures["agreement"]["alpha"] == pytest.approx(0.4)
    assert figures["agreement"]["pairs"] == 1
    assert figures["agreement"]["units"] == 2


def test_flags():
    assert reviewer_flags(reviews=5, approval_rate=1.0, agreement=0.1, median_seconds=1) == []
    assert reviewer_flags(reviews=50, approval_rate=0.99, agreement=0.9, median_seconds=90) == [
        "approves nearly everything"
    ]
    assert reviewer_flags(reviews=50, approval_rate=0.5, agreement=0.5, median_seconds=4) == [
        "decides in seconds",
        "disagrees often",
    ]

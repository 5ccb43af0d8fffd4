"""The default consensus policy as a table: (reviews_required, decisions) -> verdict."""

import pytest

from annotation.models import Category
from review.consensus import (
    MAX_EXTRA_REVIEWS,
    POLICIES,
    Verdict,
    approval_bar,
    approvals_needed,
    consensus_rule,
    default_policy,
    policy_for,
)

A, E, C, R = "approve", "approve_with_edit", "request_changes", "reject"

TABLE = [
    # required, decisions, verdict
    (2, [], Verdict.NEEDS_MORE),
    (2, [A], Verdict.NEEDS_MORE),
    (2, [A, A], Verdict.APPROVED),
    (2, [R], Verdict.NEEDS_MORE),
    (2, [R, R], Verdict.REJECTED),
    (2, [C], Verdict.CHANGES_REQUESTED),
    (2, [A, C], Verdict.CHANGES_REQUESTED),
    (2, [A, R, C], Verdict.CHANGES_REQUESTED),
    # An edit approves the edited text, not this one: it counts for neither side.
    (2, [E], Verdict.NEEDS_MORE),
    (2, [A, E], Verdict.NEEDS_MORE),
    (2, [E, E], Verdict.NEEDS_MORE),
    (2, [R, E], Verdict.NEEDS_MORE),
    # A split raises the bar by one: three of a kind are needed.
    (2, [A, R], Verdict.NEEDS_MORE),
    (2, [A, R, A], Verdict.NEEDS_MORE),
    (2, [A, R, A, A], Verdict.APPROVED),
    (2, [A, R, R, R], Verdict.REJECTED),
    # Two splits: four of a kind, which is also the cap for required=2.
    (2, [A, R, A, R], Verdict.NEEDS_MORE),
    (2, [A, R, A, R, A, A], Verdict.APPROVED),
    # At the cap further splits do not raise the bar: seven reviews always decide.
    (2, [A, R, A, R, A, R, A], Verdict.APPROVED),
    (2, [A, R, A, R, A, R, R], Verdict.REJECTED),
    (1, [A], Verdict.APPROVED),
    (1, [R], Verdict.REJECTED),
    (1, [A, R], Verdict.NEEDS_MORE),
    (1, [A, R, A], Verdict.APPROVED),
    # reviews_required 0 is treated as 1: nothing is approved without a review.
    (0, [], Verdict.NEEDS_MORE),
    (0, [A], Verdict.APPROVED),
    (3, [A, A], Verdict.NEEDS_MORE),
    (3, [A, A, A], Verdict.APPROVED),
    (3, [A, A, R, A], Verdict.NEEDS_MORE),
    (3, [A, A, R, A, A], Verdict.APPROVED),
]


@pytest.mark.parametrize(("required", "decisions", "verdict"), TABLE)
def test_default_policy(required, decisions, verdict):
    category = Category(slug="open_qa", reviews_required=required)
    assert default_policy(category, decisions) == verdict


@pytest.mark.parametrize(
    ("required", "approvals", "rejections", "bar"),
    [(2, 0, 0, 2), (2, 1, 1, 3), (2, 2, 2, 4), (2, 5, 5, 2 + MAX_EXTRA_REVIEWS), (1, 3, 1, 2)],
)
def test_approval_bar_rises_per_split_and_is_capped(required, approvals, rejections, bar):
    assert approval_bar(required=required, approvals=approvals, rejections=rejections) == bar


def test_a_category_can_have_its_own_policy(monkeypatch):
    def lenient(category, decisions):
        return Verdict.APPROVED if "approve" in decisions else Verdict.NEEDS_MORE

    monkeypatch.setitem(POLICIES, "creative_writing", lenient)
    assert policy_for(Category(slug="creative_writing")) is lenient
    assert policy_for(Category(slug="open_qa")) is default_policy


def test_the_rule_as_stated_follows_the_policy(open_qa):
    open_qa.reviews_required = 2
    assert str(consensus_rule(open_qa)) == "2 of a kind, up to 4 after split votes"
    assert approvals_needed(category=open_qa, decisions=[]) == 2
    assert approvals_needed(category=open_qa, decisions=["approve", "reject"]) == 3
    assert approvals_needed(category=open_qa, decisions=["approve", "reject"] * 5) == 4

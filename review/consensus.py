"""When do reviews add up to a verdict? One policy function per category.

A policy gets the category and the decisions of the current round's reviews of the
pair's current revision, and answers with a :class:`Verdict`. ``POLICIES`` maps a
category slug to its policy; a category without an entry uses :func:`default_policy`.

The default rule, with ``required`` = ``Category.reviews_required`` (at least 1):

- any "request changes" sends the pair back to its author at once;
- ``bar`` approvals approve it, ``bar`` rejections reject it;
- ``bar`` starts at ``required`` and rises by one for every split, i.e. for every
  approval that is matched by a rejection (``min(approvals, rejections)``), so a split
  vote asks for one more review rather than letting the first side to reach
  ``required`` win. It is capped at ``required + MAX_EXTRA_REVIEWS``: a pair needs at
  most ``2 * bar - 1`` decisive reviews, so a contested pair cannot circulate forever.
- "approve with an edit" is neither an approval nor a rejection of the reviewed text:
  it approves the edited text, which is decided in the edit queue.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from annotation.models import Category
from review.models import Review

D = Review.Decision

# How many reviews beyond ``reviews_required`` a split vote may ask for, in total.
MAX_EXTRA_REVIEWS = 2


class Verdict(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes_requested"
    NEEDS_MORE = "needs_more"


Policy = Callable[[Category, list[str]], Verdict]


def approval_bar(*, required: int, approvals: int, rejections: int) -> int:
    """How many approvals (or rejections) decide a vote with this split."""
    required = max(1, required)
    return min(required + min(approvals, rejections), required + MAX_EXTRA_REVIEWS)


@dataclass(frozen=True)
class Rule:
    """A category's consensus rule, as pages and the dataset card state it."""

    # Approvals (or rejections) that decide an undivided vote.
    required: int
    # What split votes may raise that to.
    at_most: int

    def __str__(self) -> str:
        if self.at_most == self.required:
            return f"{self.required} of a kind"
        return f"{self.required} of a kind, up to {self.at_most} after split votes"


def consensus_rule(category: Category) -> Rule:
    """The rule the category's reviews are decided by (not its raw ``reviews_required``,
    which a split vote raises for the pair concerned)."""
    required = max(1, category.reviews_required)
    return Rule(required=required, at_most=required + MAX_EXTRA_REVIEWS)


def approvals_needed(*, category: Category, decisions: Iterable[str]) -> int:
    """How many approvals (or rejections) decide a pair whose current round has these
    decisions so far: the rule in effect for it now."""
    decisions = list(decisions)
    return approval_bar(
        required=category.reviews_required,
        approvals=decisions.count(D.APPROVE),
        rejections=decisions.count(D.REJECT),
    )


def default_policy(category: Category, decisions: list[str]) -> Verdict:
    if D.REQUEST_CHANGES in decisions:
        return Verdict.CHANGES_REQUESTED
    bar = approvals_needed(category=category, decisions=decisions)
    if decisions.count(D.APPROVE) >= bar:
        return Verdict.APPROVED
    if decisions.count(D.REJECT) >= bar:
        return Verdict.REJECTED
    return Verdict.NEEDS_MORE


# Category slug -> policy. Add an entry to give a category its own rule.
POLICIES: dict[str, Policy] = {}


def policy_for(category: Category) -> Policy:
    return POLICIES.get(category.slug, default_policy)


def verdict_for(*, category: Category, reviews: Iterable[Review]) -> Verdict:
    """The verdict for the current round's reviews of the current revision."""
    return policy_for(category)(category, [review.decision for review in reviews])

"""How far reviewers agree: Krippendorff's alpha on the decision, and each reviewer's record.

Alpha (nominal) is computed from sums the database makes in one pass over the reviews. A
*unit* is one revision of a pair in one review round (the reviews that were given on the
same text and counted together); only units with two or more reviews take part. For a unit
u with ``m_u`` reviews, ``n_uc`` of them giving decision c:

    D_o = (1/n) * sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)     observed disagreement
    D_e = (n^2 - sum_c N_c^2) / (n (n - 1))                    expected disagreement
    alpha = 1 - D_o / D_e

with ``n = sum_u m_u`` and ``N_c = sum_u n_uc`` (Krippendorff 2011, "Computing
Krippendorff's alpha-reliability", the coincidence matrix written out for nominal data).
So a group's alpha needs only five sums, and groups (categories) add up to the whole.

The four decisions are the values, as given: "approve with an edit" is a value of its
own, since it says the text needs work.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from review.models import Review

D = Review.Decision
DECISIONS: tuple[str, ...] = tuple(D.values)

# Outlier thresholds for a reviewer with at least MIN_REVIEWS reviews.
MIN_REVIEWS = 10
APPROVES_NEARLY_ALL = 0.95
DECIDES_IN_SECONDS = 20.0
DISAGREES_OFTEN = 0.7  # agreement with the final outcome below this


@dataclass
class AlphaSums:
    """The sums alpha needs; add two to pool their units."""

    pairs: int = 0
    units: int = 0
    values: int = 0  # n: reviews in units of two or more
    disagreement: float = 0.0  # sum_u (m_u^2 - sum_c n_uc^2) / (m_u - 1)
    by_value: dict[str, int] = field(default_factory=dict)  # N_c

    def add(self, other: "AlphaSums") -> None:
        self.pairs += other.pairs
        self.units += other.units
        self.values += other.values
        self.disagreement += other.disagreement
        for value, count in other.by_value.items():
            self.by_value[value] = self.by_value.get(value, 0) + count

    @property
    def alpha(self) -> float | None:
        """None when it is undefined: no units, or every review gave the same decision."""
        n = self.values
        expected = n * n - sum(count * count for count in self.by_value.values())
        if self.units == 0 or expected == 0:
            return None
        return 1.0 - (n - 1) * self.disagreement / expected


def alpha_sums(units: Iterable[Mapping[str, int]], *, pairs: int | None = None) -> AlphaSums:
    """Sums over units given as {decision: count}; units of fewer than 2 are left out."""
    sums = AlphaSums()
    for unit in units:
        m = sum(unit.values())
        if m < 2:
            continue
        sums.units += 1
        sums.values += m
        sums.disagreement += (m * m - sum(c * c for c in unit.values())) / (m - 1)
        for value, count in unit.items():
            sums.by_value[value] = sums.by_value.get(value, 0) + count
    sums.pairs = sums.units if pairs is None else pairs
    return sums


def reviewer_flags(
    *,
    reviews: int,
    approval_rate: float | None,
    agreement: float | None,
    median_seconds: float | None,
) -> list[str]:
    """Why a reviewer's record stands out, in words; empty when it does not."""
    if reviews < MIN_REVIEWS:
        return []
    flags = []
    if approval_rate is not None and approval_rate >= APPROVES_NEARLY_ALL:
        flags.append("approves nearly everything")
    if median_seconds is not None and median_seconds < DECIDES_IN_SECONDS:
        flags.append("decides in seconds")
    if agreement is not None and agreement < DISAGREES_OFTEN:
        flags.append("disagrees often")
    return flags

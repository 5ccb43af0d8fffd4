"""Reading pairs for their author's pages and for the home dashboard.

Everything here is a selector: it reads, never changes. Lists are aggregated or annotated
in the database so a page costs the same few queries however many pairs there are.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby

from django.contrib.auth.models import User
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models.functions import Coalesce, Substr

from annotation.models import Category, Dataset, Draft, Finding, Pair, Revision
from annotation.workflow import S

# Long enough for a table row; templates truncate further at a word boundary.
EXCERPT_CHARS = 200

# The author has something to do: a reviewer asked for changes, or writing is unfinished.
NEEDS_ATTENTION = (S.CHANGES_REQUESTED, S.DRAFT)


def written_by(user: User | int, *, through: str = "") -> Q:
    """The pairs ``user`` wrote text of: their own, and the answers to an open prompt they
    asked, whose instruction is theirs. Nobody reviews such a pair, decides an edit of it or
    confirms its findings. ``through`` leads to the pair from another model ("pair__")."""
    return Q(**{f"{through}author": user}) | Q(**{f"{through}prompt__author": user})


def approved_work(*, through: str = "") -> Q:
    """Pairs counted as approved work: their approved revision stands while a newer one is
    reviewed, and while an unconfirmed finding holds it out of releases (it waits for a
    confirmation, not for writing); a retraction takes it out. Progress, the leaderboard
    and a contributor's own figures all count by this (which pairs *ship* is
    :func:`shipped_pairs`)."""
    return Q(**{f"{through}approved_revision__isnull": False}) & ~Q(
        **{f"{through}status": S.RETRACTED}
    )


def is_written_by(*, pair: Pair, user: User) -> bool:
    """:func:`written_by` for one pair."""
    return pair.author_id == user.pk or (
        pair.prompt_id is not None and pair.prompt.author_id == user.pk
    )


def unconfirmed_findings_of(revision: str) -> QuerySet[Finding]:
    """The findings nobody confirmed on the revision that the outer query's field
    ``revision`` names: a text holding one never ships, as a pair or as an edit's side."""
    return Finding.objects.filter(revision_id=OuterRef(revision), confirmed_at__isnull=True)


def releasable_pairs(*, dataset: Dataset, categories: Iterable[str] = ()) -> QuerySet[Pair]:
    """The pairs a release of ``dataset`` weighs: its approved work (:func:`approved_work`),
    in ``categories`` if any are given, by the category of the approved revision, since
    that is the text that ships. Those of them without an unconfirmed finding ship."""
    pairs = Pair.objects.filter(approved_work(), dataset=dataset)
    categories = sorted(set(categories))
    if categories:
        pairs = pairs.filter(approved_revision__category__slug__in=categories)
    return pairs


def shipped_pairs(*, dataset: Dataset, categories: Iterable[str] = ()) -> QuerySet[Pair]:
    """Which pairs ship: the one rule, for releases and everything that counts them.

    A pair ships its approved revision, unless it is retracted or that revision has a
    finding (personal data, a credential) nobody confirmed (see unshippable_findings in
    annotation.flags for the list of those left out). An approved pair whose author
    submitted an improvement is back under review with its approved revision still set: it
    ships that approved revision, never the one under review.
    """
    pairs = releasable_pairs(dataset=dataset, categories=categories)
    return pairs.filter(~Exists(unconfirmed_findings_of("approved_revision")))


def author_pairs(
    *, author: User, status: str | None = None, category: Category | None = None
) -> QuerySet[Pair]:
    """The author's pairs, most recently changed first, each with an ``excerpt``.

    The excerpt is the instruction of the current revision, or of the draft while the
    pair has never been submitted.
    """
    pairs = Pair.objects.filter(author=author)
    if status:
        pairs = pairs.filter(status=status)
    if category is not None:
        pairs = pairs.filter(category=category)
    return (
        pairs.select_related("category")
        .annotate(
            excerpt=Substr(
                Case(
                    When(status=S.DRAFT, then=F("draft__instruction")),
                    default=Coalesce("current_revision__instruction", "draft__instruction"),
                    output_field=CharField(),
                ),
                1,
                EXCERPT_CHARS,
            )
        )
        .order_by("-updated_at", "-pk")
    )


def author_pair_categories(*, author: User) -> QuerySet[Category]:
    """Categories the author has written in: the choices worth offering as a filter."""
    return (
        Category.objects.filter(pk__in=Pair.objects.filter(author=author).values("category"))
        .select_related("dataset")
        .order_by("dataset__name", "name")
    )


def author_status_counts(*, author: User) -> dict[str, int]:
    """How many of the author's pairs are in each status (statuses with none left out)."""
    rows = Pair.objects.filter(author=author).values_list("status").annotate(n=Count("pk"))
    return dict(rows.order_by())


def author_pairs_needing_attention(*, author: User, limit: int = 5) -> list[Pair]:
    """Changes requested first (a reviewer is waiting), then unfinished drafts."""
    return list(
        author_pairs(author=author)
        .filter(status__in=NEEDS_ATTENTION)
        .order_by(
            Case(When(status=S.CHANGES_REQUESTED, then=0), default=1),
            "-updated_at",
            "-pk",
        )[:limit]
    )


def pair_draft(*, pair: Pair) -> Draft | None:
    return Draft.objects.filter(pair=pair).first()


def pair_history(*, pair: Pair) -> list[Revision]:
    """Every revision, newest first."""
    return list(pair.revisions.select_related("category", "author").order_by("-number"))


def draft_differs(*, draft: Draft | None, revision: Revision | None) -> bool:
    """Whether the author's working text has changes not yet submitted."""
    if draft is None or revision is None:
        return False
    return any(
        getattr(draft, name).strip() != getattr(revision, name)
        for name in ("instruction", "context", "response", "source_url")
    )


@dataclass(frozen=True)
class CategoryProgress:
    category: Category
    approved: int
    in_review: int
    share: float  # of the dataset's shipping pairs
    target_share: float
    target_count: int | None

    @property
    def share_percent(self) -> float:
        return round(self.share * 100, 1)

    @property
    def target_percent(self) -> float:
        return round(self.target_share * 100, 1)

    @property
    def reached_percent(self) -> int | None:
        """How far the category is towards its target, in percent (over 100 past it), None
        without one."""
        if self.target_count:
            reached = self.approved / self.target_count
        elif self.target_share:
            reached = self.share / self.target_share
        else:
            return None
        return round(reached * 100)

    @property
    def percent_of_target(self) -> int | None:
        """:attr:`reached_percent` capped at 100, for a progress bar."""
        reached = self.reached_percent
        return None if reached is None else min(100, reached)


@dataclass(frozen=True)
class DatasetProgress:
    dataset: Dataset
    approved: int
    in_review: int
    categories: list[CategoryProgress]


def dataset_progress() -> list[DatasetProgress]:
    """Approved and in-review counts per active category of every dataset: one query."""
    categories = (
        Category.objects.filter(active=True)
        .select_related("dataset")
        .annotate(
            approved=Count("pairs", filter=approved_work(through="pairs__")),
            in_review=Count("pairs", filter=Q(pairs__status=S.SUBMITTED)),
        )
        .order_by("dataset__name", "dataset_id", "-target_share", "name")
    )
    result = []
    for dataset, group in groupby(categories, key=lambda category: category.dataset):
        rows = list(group)
        approved = sum(row.approved for row in rows)
        result.append(
            DatasetProgress(
                dataset=dataset,
                approved=approved,
                in_review=sum(row.in_review for row in rows),
                categories=[
                    CategoryProgress(
                        category=row,
                        approved=row.approved,
                        in_review=row.in_review,
                        share=row.approved / approved if approved else 0.0,
                        target_share=row.target_share,
                        target_count=row.target_count,
                    )
                    for row in rows
                ],
            )
        )
    return result


def review_backlog(*, reviewer: User) -> int:
    """Submitted pairs others wrote: an upper bound of what the reviewer's queue holds."""
    return Pair.objects.filter(status=S.SUBMITTED).exclude(written_by(reviewer)).count()

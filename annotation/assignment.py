"""Who writes what next: the assignment policy, expiry and skipping.

The policy gives each writer the category furthest below its target, measured in pairs:
``target_share * (total + 1) - count``, where counts are the dataset's live pairs plus the
open assignments (so writers who start at the same time spread out). A person's recent
categories cost a few pairs each (variety), and because that cost is a fixed number of
pairs rather than a fixed share, its pull on the shares fades as the dataset grows and
the shares still converge on their targets.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from annotation.audit import audit
from annotation.models import (
    LIVE_STATUSES,
    Assignment,
    Category,
    Dataset,
    Draft,
    OpenPrompt,
    Pair,
)
from annotation.submission import pair_withdraw
from annotation.workflow import EDITABLE, S, transition

Outcome = Assignment.Outcome

# What having been given a category lately costs it, in pairs, newest assignment first.
VARIETY_PENALTY = (4.0, 2.5, 1.5, 0.5)
# A category just skipped is only given again when nothing else is left.
AVOID_PENALTY = 1_000_000.0


class SkipRefused(Exception):
    pass


class CategoryClosed(Exception):
    """The chosen category is not open to this writer (at its target, or restricted)."""


@dataclass(frozen=True)
class Skipped:
    assignment: Assignment
    # True when text had been typed: the pair stays a draft in My pairs instead of going.
    kept_draft: bool


def categories_allowed(*, user: User, dataset: Dataset) -> QuerySet[Category]:
    """Active categories of ``dataset`` that ``user`` may be given (allowed_groups)."""
    return (
        Category.objects.filter(dataset=dataset, active=True)
        .filter(Q(allowed_groups__isnull=True) | Q(allowed_groups__in=user.groups.all()))
        .distinct()
    )


def category_counts(*, dataset: Dataset) -> dict[int, int]:
    """Per category id: live pairs plus open, unexpired assignments."""
    now = timezone.now()
    counts: dict[int, int] = {}
    pairs = (
        Pair.objects.filter(dataset=dataset, status__in=LIVE_STATUSES)
        .values("category_id")
        .annotate(n=Count("pk"))
    )
    # An open assignment's pair is still a draft, so nothing is counted twice.
    assignments = (
        Assignment.objects.filter(
            category__dataset=dataset, outcome=Outcome.OPEN, expires_at__gt=now
        )
        .values("category_id")
        .annotate(n=Count("pk"))
    )
    for row in [*pairs, *assignments]:
        counts[row["category_id"]] = counts.get(row["category_id"], 0) + row["n"]
    return counts


def _standing(*, user: User, dataset: Dataset) -> list[tuple[Category, float]]:
    """Each category ``user`` may be given, with how many pairs it is below its target."""
    counts = category_counts(dataset=dataset)
    active = Category.objects.filter(dataset=dataset, active=True)
    target_sum = sum(active.values_list("target_share", flat=True)) or 1.0
    total = sum(counts.values())
    # A category that has reached its target count takes no more.
    return [
        (category, category.target_share / target_sum * (total + 1) - counts.get(category.pk, 0))
        for category in categories_allowed(user=user, dataset=dataset)
        if category.target_count is None or counts.get(category.pk, 0) < category.target_count
    ]


def category_pick(
    *, user: User, dataset: Dataset, avoid: Category | None = None
) -> Category | None:
    """The category ``user`` should write next in ``dataset``, or None if none is open."""
    recent = list(
        Assignment.objects.filter(contributor=user, category__dataset=dataset)
        .order_by("-created_at", "-pk")
        .values_list("category_id", flat=True)[: len(VARIETY_PENALTY)]
    )

    def score(standing: tuple[Category, float]) -> tuple[float, float, str]:
        category, deficit = standing
        penalty = sum(
            w for w, cid in zip(VARIETY_PENALTY, recent, strict=False) if cid == category.pk
        )
        if avoid is not None and category.pk == avoid.pk:
            penalty += AVOID_PENALTY
        return (deficit - penalty, category.target_share, category.slug)

    best = max(_standing(user=user, dataset=dataset), key=score, default=None)
    return best[0] if best else None


def categories_open(*, user: User, dataset: Dataset) -> list[Category]:
    """What ``user`` may choose to write: the policy's pick first, then every other
    category still below its target, furthest below first."""
    pick = category_pick(user=user, dataset=dataset)
    if pick is None:
        return []
    below = sorted(
        (item for item in _standing(user=user, dataset=dataset) if item[1] > 0),
        key=lambda item: (-item[1], item[0].name),
    )
    return [pick, *(category for category, _ in below if category.pk != pick.pk)]


def draft_untouched(*, pair: Pair) -> bool:
    """True when the draft still holds only what it started with (blank or the prompt)."""
    draft = Draft.objects.filter(pair=pair).first()
    if draft is None:
        return True
    prompt = pair.prompt
    start = {
        "instruction": prompt.instruction if prompt else "",
        "context": prompt.context if prompt else "",
        "source_url": prompt.source_url if prompt else "",
        "response": "",
    }
    return all(getattr(draft, name).strip() == value.strip() for name, value in start.items())


def _pair_abandon(*, pair: Pair, by: User | None, verb: str) -> None:
    """Withdraw an untouched draft; a question it answered goes back on the open list."""
    if by is not None and by.pk == pair.author_id:
        pair_withdraw(pair=pair, by=by)
    else:
        transition(pair=pair, to=S.WITHDRAWN, by=by, verb=verb)
    if pair.prompt_id:
        prompt = pair.prompt
        # The withdrawn pair lets go of the question so that someone else's pair can hold it.
        Pair.objects.filter(pk=pair.pk).update(prompt=None)
        OpenPrompt.objects.filter(pk=prompt.pk).update(status=OpenPrompt.Status.OPEN, taken_by=None)
        audit(actor=by, verb="prompt.release", obj=prompt, pair=str(pair.public_id))


def assignments_expire(*, contributor: User) -> int:
    """Mark ``contributor``'s open assignments that ran out as expired; returns how many.

    Lazy: called whenever the person asks for work. A draft that was never touched is
    withdrawn with its assignment; typed text stays a draft in My pairs.
    """
    now = timezone.now()
    expired = 0
    stale = Assignment.objects.filter(
        contributor=contributor, outcome=Outcome.OPEN, expires_at__lte=now
    )
    for assignment in stale:
        with transaction.atomic():
            if not Assignment.objects.filter(pk=assignment.pk, outcome=Outcome.OPEN).update(
                outcome=Outcome.EXPIRED, closed_at=now
            ):
                continue
            expired += 1
            pair = Pair.objects.filter(assignment=assignment, status=S.DRAFT).first()
            if pair is not None and draft_untouched(pair=pair):
                _pair_abandon(pair=pair, by=None, verb="pair.expire")
    return expired


def assignment_current(*, contributor: User, dataset: Dataset) -> Assignment | None:
    """``contributor``'s newest open, unexpired assignment in ``dataset``, if any."""
    assignments_expire(contributor=contributor)
    mine = Assignment.objects.filter(
        contributor=contributor, category__dataset=dataset, outcome=Outcome.OPEN
    )
    # A pair withdrawn from My pairs has left the editor; its assignment ends there too.
    mine.filter(pair__isnull=False).exclude(pair__status__in=EDITABLE).update(
        outcome=Outcome.EXPIRED, closed_at=timezone.now()
    )
    return mine.filter(Q(pair__isnull=True) | Q(pair__status__in=EDITABLE)).first()


def assignment_create(*, contributor: User, category: Category, verb: str) -> Assignment:
    assignment = Assignment.objects.create(
        contributor=contributor,
        category=category,
        expires_at=timezone.now() + timedelta(hours=settings.HANDWRITTEN_ASSIGNMENT_HOURS),
    )
    audit(actor=contributor, verb=verb, obj=assignment, category=category.slug)
    return assignment


def assignment_give(
    *, contributor: User, dataset: Dataset, avoid: Category | None = None
) -> Assignment | None:
    """Reuse ``contributor``'s open assignment in ``dataset`` or give a new one by policy.

    None when no category is open to them. Serialised per person, so a double click on
    Write does not hand out two assignments.
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=contributor.pk).first()
        current = assignment_current(contributor=contributor, dataset=dataset)
        if current is not None:
            return current
        category = category_pick(user=contributor, dataset=dataset, avoid=avoid)
        if category is None:
            return None
        return assignment_create(contributor=contributor, category=category, verb="assignment.give")


def assignment_switch(*, assignment: Assignment, by: User, category: Category) -> Assignment:
    """Close ``assignment`` and give ``by`` the category they chose instead.

    Choosing is not a skip: no reason, no daily limit. ``category`` must be one of
    categories_open. An untouched draft is withdrawn; typed text stays a draft in My pairs.
    """
    if assignment.contributor_id != by.pk:
        raise PermissionDenied("This assignment belongs to someone else.")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=by.pk).first()
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.outcome != Outcome.OPEN:
            raise CategoryClosed("This assignment is already closed.")
        if category.pk == locked.category_id:
            return locked
        if category not in categories_open(user=by, dataset=locked.category.dataset):
            raise CategoryClosed(
                f"{category.name} is not open to you now: it has reached its target or is "
                "restricted. Choose another category."
            )
        locked.outcome = Outcome.SWITCHED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["outcome", "closed_at"])
        pair = Pair.objects.filter(assignment=locked, status=S.DRAFT).first()
        if pair is not None and draft_untouched(pair=pair):
            _pair_abandon(pair=pair, by=by, verb="pair.withdraw")
        audit(actor=by, verb="assignment.switch", obj=locked, to=category.slug)
        return assignment_create(contributor=by, category=category, verb="assignment.choose")


def skips_today(*, contributor: User) -> int:
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return Assignment.objects.filter(
        contributor=contributor, outcome=Outcome.SKIPPED, closed_at__gte=midnight
    ).count()


def assignment_skip(*, assignment: Assignment, by: User, reason: str) -> Skipped:
    """Close ``assignment`` as skipped, with a reason; at most N per person per day.

    An untouched draft is withdrawn. Typed text is never thrown away: the pair stays a
    draft that the author finds in My pairs.
    """
    if assignment.contributor_id != by.pk:
        raise PermissionDenied("This assignment belongs to someone else.")
    reason = reason.strip()
    if not reason:
        raise SkipRefused("Say why you skip this category.")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=by.pk).first()
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.outcome != Outcome.OPEN:
            raise SkipRefused("This assignment is already closed.")
        limit = settings.HANDWRITTEN_MAX_SKIPS_PER_DAY
        if skips_today(contributor=by) >= limit:
            raise SkipRefused(
                f"You have skipped {limit} times today, the daily limit. "
                "Please write this one, or come back tomorrow."
            )
        locked.outcome = Outcome.SKIPPED
        locked.skip_reason = reason[:500]
        locked.closed_at = timezone.now()
        locked.save(update_fields=["outcome", "skip_reason", "closed_at"])
        pair = Pair.objects.filter(assignment=locked, status=S.DRAFT).first()
        kept = pair is not None and not draft_untouched(pair=pair)
        if pair is not None and not kept:
            _pair_abandon(pair=pair, by=by, verb="pair.withdraw")
        audit(
            actor=by,
            verb="assignment.skip",
            obj=locked,
            category=locked.category.slug,
            reason=locked.skip_reason,
            kept_draft=kept,
        )
    return Skipped(assignment=locked, kept_draft=kept)

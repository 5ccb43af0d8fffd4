"""Reading releases for the pages."""

import re
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from annotation.models import Dataset
from exports.models import IN_PROGRESS, Release

# A release of every category: no category filter (older releases stored none at all).
FULL = Q(filters__categories=[]) | Q(filters__categories__isnull=True)


def datasets_with_latest_release() -> QuerySet[Dataset]:
    """Datasets annotated with ``latest_ready_id`` (their newest ready release of every
    category: a release of one category is no dataset's latest) and ``building`` (a
    release in progress)."""
    ready = Release.objects.filter(
        FULL,
        dataset=OuterRef("pk"),
        state=Release.State.READY,
    )
    in_progress = Release.objects.filter(dataset=OuterRef("pk"), state__in=IN_PROGRESS)
    return Dataset.objects.annotate(
        latest_ready_id=Subquery(ready.order_by("-version").values("pk")[:1]),
        building=Exists(in_progress),
    ).order_by("name")


def attach_latest(datasets: Iterable[Dataset]) -> None:
    """Set ``latest`` on each dataset of a page, with one query for the whole page."""
    ids = [d.latest_ready_id for d in datasets if d.latest_ready_id]
    latest = {r.pk: r for r in Release.objects.filter(pk__in=ids)}
    for dataset in datasets:
        dataset.latest = latest.get(dataset.latest_ready_id)


def latest_full_release(dataset: Dataset) -> Release | None:
    """The dataset's newest ready release of every category."""
    ready = dataset.releases.filter(FULL, state=Release.State.READY)
    return ready.order_by("-version").first()


def dataset_releases(dataset: Dataset) -> QuerySet[Release]:
    return dataset.releases.select_related("built_by").order_by("-created_at", "-pk")


def release_by_ref(*, slug: str, ref: str) -> Release:
    """The release of dataset ``slug`` named by ``v3`` (its version) or ``12`` (its id)."""
    match = re.fullmatch(r"(v)?([0-9]{1,18})", ref)
    if match is None:
        raise Http404("No such release.")
    key = "version" if match.group(1) else "pk"
    return get_object_or_404(
        Release.objects.select_related("dataset", "built_by", "previous"),
        dataset__slug=slug,
        **{key: int(match.group(2))},
    )

"""A pair's audit trail as the moderation page shows it: statuses and categories in
people's words, each keeping the value as recorded for whoever traces it in the log."""

from collections.abc import Callable, Iterable
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from annotation.models import AuditEvent, Category, Pair


def _audit_value(*, recorded: str, words: str) -> SafeString:
    """A value of an audit event's details in people's words, the value as recorded kept
    as the title (as the verbs keep theirs), for whoever traces it in the audit log. A
    <data> element, which is made for a value and its words; a <span> would be spaced as
    the trail's key and value pairs are (review.css)."""
    return format_html('<data value="{}" title="{}">{}</data>', recorded, recorded, words)


# Keys whose recorded value is a pair's status (a transition's) or its place (a move's).
_STATUS_OR_PLACE = ("before", "after")
# {(dataset slug, category slug): (dataset name, category name)}
_Names = dict[tuple[str, str], tuple[str, str]]


def audit_in_words(*, events: Iterable[AuditEvent], pair: Pair) -> None:
    """Give each of ``pair``'s ``events`` its ``details``: its data with the statuses and
    categories in words (status labels from the model's choices, category and dataset
    names), each as HTML that keeps the recorded value as its title. ``data`` is left as
    recorded."""
    events = list(events)
    names = _category_names(events)
    statuses = dict(Pair.Status.choices)
    datasets = _dataset_then(pair)
    for event in events:
        details: dict[str, Any] = dict(event.data)
        for key, value in event.data.items():
            words, recorded = "", ""
            if key in _STATUS_OR_PLACE and isinstance(value, str):
                words, recorded = statuses.get(value, ""), value
            elif named := _named_category(key, value):
                dataset, slug = named
                if dataset is None:
                    words, recorded = _bare_category(names, slug, datasets(event)), slug
                else:
                    words = " · ".join(names.get((dataset, slug), ()))
                    recorded = f"{dataset}/{slug}"
            if words:
                details[key] = _audit_value(recorded=recorded, words=words)
        event.details = details


def _named_category(key: str, value: object) -> tuple[str | None, str] | None:
    """(dataset slug, category slug) of a detail that names a category: a move's place
    before or after, or a slug recorded alone (no dataset: None)."""
    if key == "category" and isinstance(value, str):
        return None, value
    if key in _STATUS_OR_PLACE and isinstance(value, dict) and "category" in value:
        return value.get("dataset", ""), value["category"]
    return None


def _category_names(events: list[AuditEvent]) -> _Names:
    """The names of the categories the events name, in one query."""
    slugs = {
        named[1]
        for event in events
        for key, value in event.data.items()
        if (named := _named_category(key, value))
    }
    if not slugs:
        return {}
    rows = Category.objects.filter(slug__in=slugs).values_list(
        "dataset__slug", "slug", "dataset__name", "name"
    )
    return {(dataset, slug): (dataset_name, name) for dataset, slug, dataset_name, name in rows}


def _dataset_then(pair: Pair) -> Callable[[AuditEvent], str]:
    """The slug of the dataset ``pair`` was in when an event of its trail was recorded:
    the one the next move took it from, else the one it is in now (one query, however
    many pages the trail has)."""
    moves = [
        ((created_at, pk), data.get("before", {}).get("dataset"))
        for created_at, pk, data in AuditEvent.objects.filter(
            object_type="pair", object_id=str(pair.public_id), verb="pair.move"
        )
        .order_by("created_at", "pk")
        .values_list("created_at", "pk", "data")
    ]

    def then(event: AuditEvent) -> str:
        at = (event.created_at, event.pk)
        return next((was for when, was in moves if when > at and was), pair.dataset.slug)

    return then


def _bare_category(names: _Names, slug: str, dataset: str) -> str:
    """A category recorded by its slug alone, which is unique in its dataset only: the one
    in the dataset the pair was in then, else its name if every dataset names that slug
    alike."""
    if (dataset, slug) in names:
        return names[dataset, slug][1]
    alike = {name for (_, other), (_, name) in names.items() if other == slug}
    return alike.pop() if len(alike) == 1 else ""

"""Finding pairs for moderation: full-text search and filters, one FilterSet.

On PostgreSQL the search is the database's full-text search over the current revision's
instruction, context and response, through the GIN index on exactly that expression
(:data:`annotation.models.REVISION_SEARCH`); elsewhere (SQLite) it is a plain
case-insensitive match. Snippets are highlighted between control-character markers the
database puts in, and HTML-escaped before the markers become ``<mark>``, so pair text can
never become markup.
"""

from collections.abc import Callable, Iterable, Iterator

import django_filters as filters
from django import forms
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat, Length
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from annotation.models import (
    SEARCH_CONFIG,
    SEARCH_FIELDS,
    Category,
    Dataset,
    Finding,
    Pair,
    Revision,
)
from review.forms import CategoryChoiceField
from review.models import Review

# Highlight markers: control characters, which text checks refuse in pair text.
START, STOP = "\x02", "\x03"
SNIPPET_CHARS = 90

# Flags on pairs, offered in the flag filter: name -> (label, function narrowing a Pair
# queryset). Findings (personal data, credentials) are registered below; other checks
# (near-duplicates, ...) add theirs with flag_register.
FLAGS: dict[str, tuple[str, Callable[[QuerySet[Pair]], QuerySet[Pair]]]] = {}


def flag_register(
    name: str, label: str, narrow: Callable[[QuerySet[Pair]], QuerySet[Pair]]
) -> None:
    """Offer ``name`` in the moderation's flag filter; ``narrow`` keeps the flagged pairs."""
    FLAGS[name] = (label, narrow)


def _with_findings(**conditions) -> Callable[[QuerySet[Pair]], QuerySet[Pair]]:
    found = Finding.objects.filter(revision=OuterRef("current_revision"), **conditions)
    return lambda pairs: pairs.filter(Exists(found))


flag_register("findings", "Personal data or a credential found", _with_findings())
# On the current revision, the text moderation shows; only an approved revision's
# unconfirmed finding keeps a pair out of releases, so the label does not promise that.
flag_register(
    "unconfirmed", "A finding nobody confirmed yet", _with_findings(confirmed_at__isnull=True)
)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def search_pairs(pairs: QuerySet[Pair], text: str) -> QuerySet[Pair]:
    """The pairs whose current revision matches ``text`` (web-search syntax on PostgreSQL:
    words, "a phrase", or, -word)."""
    if _postgres():
        # On the revisions themselves, in the indexed expression, so the GIN index answers.
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        matching = (
            Revision.objects.alias(search=SearchVector(*SEARCH_FIELDS, config=SEARCH_CONFIG))
            .filter(search=query)
            .values("pk")
        )
        # Newest first, written so that no index gives this order: otherwise PostgreSQL
        # walks the pairs' primary key from the newest, testing each pair's text until a
        # page is full, which for a rare word reads every pair (1M pairs: 84 s for a word
        # that is nowhere, against milliseconds through the GIN index, tests/bench/search.py).
        newest = F("pk").desc(nulls_last=True)
        return pairs.filter(current_revision__in=matching).order_by(newest)
    match = Q()
    for name in SEARCH_FIELDS:
        match |= Q(**{f"current_revision__{name}__icontains": text})
    return pairs.filter(match)


def snippets(pairs: Iterable[Pair], text: str) -> dict[int, SafeString]:
    """A highlighted excerpt of each pair's current text where ``text`` matches, by pk.

    One query for the page's pairs (not the whole match: headlines are costly).
    """
    pks = [pair.pk for pair in pairs if pair.current_revision_id]
    if not text or not pks:
        return {}
    if _postgres():
        whole = Concat(
            *_spaced(f"current_revision__{name}" for name in SEARCH_FIELDS),
            output_field=TextField(),
        )
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        headline = SearchHeadline(
            whole,
            query,
            config=SEARCH_CONFIG,
            start_sel=START,
            stop_sel=STOP,
            max_words=30,
            min_words=12,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        rows = Pair.objects.filter(pk__in=pks).annotate(snippet=headline)
        return {pk: _marked(snippet) for pk, snippet in rows.values_list("pk", "snippet")}
    return {
        pair.pk: _marked(_excerpt(pair.current_revision, text))
        for pair in pairs
        if pair.current_revision_id
    }


def _spaced(names: Iterable[str]) -> Iterator[Value | str]:
    for index, name in enumerate(names):
        if index:
            yield Value(" ")
        yield name


def _excerpt(revision: Revision, text: str) -> str:
    whole = " ".join(getattr(revision, name) for name in SEARCH_FIELDS)
    at = whole.casefold().find(text.casefold())
    if at < 0:
        return whole[: SNIPPET_CHARS * 2]
    start = max(0, at - SNIPPET_CHARS)
    end = at + len(text)
    return (
        ("… " if start else "")
        + whole[start:at]
        + START
        + whole[at:end]
        + STOP
        + whole[end : end + SNIPPET_CHARS]
        + (" …" if end + SNIPPET_CHARS < len(whole) else "")
    )


def _marked(snippet: str) -> SafeString:
    # Escape first: whatever the text holds stays text; only our markers become tags.
    safe = escape(snippet.replace(START, "\x00").replace(STOP, "\x01"))
    return mark_safe(safe.replace("\x00", "<mark>").replace("\x01", "</mark>"))  # noqa: S308


def _unchanged(queryset: QuerySet[Pair], name: str, value: object) -> QuerySet[Pair]:
    # Applied together in filter_queryset: they must all hold for the same review.
    return queryset


def _labelled(widget: forms.MultiWidget, *labels: str) -> forms.MultiWidget:
    """A range widget whose two inputs each have a name for screen readers: the field's
    one <label> can point at only the first."""
    for part, label in zip(widget.widgets, labels, strict=True):
        part.attrs["aria-label"] = label
    return widget


class _CategoryFilter(filters.ModelChoiceFilter):
    field_class = CategoryChoiceField


class PairFilter(filters.FilterSet):
    q = filters.CharFilter(
        label="Search",
        method="_search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": 'Words, "a phrase", -not'}),
    )
    status = filters.ChoiceFilter(choices=Pair.Status.choices, empty_label="Any status")
    dataset = filters.ModelChoiceFilter(
        queryset=Dataset.objects.all(), to_field_name="slug", empty_label="Any dataset"
    )
    category = _CategoryFilter(
        queryset=Category.objects.select_related("dataset").order_by("dataset__name", "name"),
        empty_label="Any category",
    )
    author = filters.CharFilter(field_name="author__username", label="Author (username)")
    created = filters.DateFromToRangeFilter(
        field_name="created_at",
        label="Created between",
        widget=_labelled(
            filters.widgets.DateRangeWidget(attrs={"type": "date"}),
            "Created on or after",
            "Created on or before",
        ),
    )
    length = filters.RangeFilter(
        label="Response length (characters)",
        method="_length",
        widget=_labelled(
            filters.widgets.RangeWidget(attrs={"inputmode": "numeric", "size": 6}),
            "Response length at least",
            "Response length at most",
        ),
    )
    reviewer = filters.CharFilter(label="Reviewed by (username)", method=_unchanged)
    outcome = filters.ChoiceFilter(
        label="Review decision",
        choices=Review.Decision.choices,
        empty_label="Any decision",
        method=_unchanged,
    )
    reason = filters.ChoiceFilter(
        label="Review reason",
        choices=Review.Reason.choices,
        empty_label="Any reason",
        method=_unchanged,
    )
    reviewed = filters.DateFromToRangeFilter(
        label="Reviewed between",
        method=_unchanged,
        widget=_labelled(
            filters.widgets.DateRangeWidget(attrs={"type": "date"}),
            "Reviewed on or after",
            "Reviewed on or before",
        ),
    )
    flag = filters.ChoiceFilter(label="Flag", choices=[], empty_label="Any", method="_flag")

    class Meta:
        model = Pair
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if FLAGS:
            self.filters["flag"].extra["choices"] = [(k, v[0]) for k, v in FLAGS.items()]
        else:
            del self.filters["flag"]

    def _search(self, queryset: QuerySet[Pair], name: str, value: str) -> QuerySet[Pair]:
        return search_pairs(queryset, value.strip()) if value.strip() else queryset

    def _length(self, queryset: QuerySet[Pair], name: str, value: slice | None) -> QuerySet[Pair]:
        if value is None or (value.start is None and value.stop is None):
            return queryset
        queryset = queryset.annotate(response_length=Length("current_revision__response"))
        if value.start is not None:
            queryset = queryset.filter(response_length__gte=value.start)
        if value.stop is not None:
            queryset = queryset.filter(response_length__lte=value.stop)
        return queryset

    def _flag(self, queryset: QuerySet[Pair], name: str, value: str) -> QuerySet[Pair]:
        return FLAGS[value][1](queryset) if value in FLAGS else queryset

    def filter_queryset(self, queryset: QuerySet[Pair]) -> QuerySet[Pair]:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        review = Q()
        if data.get("reviewer"):
            review &= Q(reviewer__username=data["reviewer"].strip())
        if data.get("outcome"):
            review &= Q(decision=data["outcome"])
        if data.get("reason"):
            review &= Q(reason=data["reason"])
        if data.get("reviewed"):
            span = data["reviewed"]
            if span.start is not None:
                review &= Q(created_at__gte=span.start)
            if span.stop is not None:
                review &= Q(created_at__lte=span.stop)
        if review:
            queryset = queryset.filter(Exists(Review.objects.filter(review, pair=OuterRef("pk"))))
        return queryset

    @property
    def search_text(self) -> str:
        return (self.form.cleaned_data.get("q") or "").strip() if self.is_bound else ""

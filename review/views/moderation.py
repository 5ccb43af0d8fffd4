"""Admin moderation: every pair, searchable and filterable, with its reviews, edits and
audit trail; actions on one pair or on many.

Moderation is the admin's. Reviewers do not search or filter pairs: they take what the
queue gives them, and seeing other reviewers' decisions would bias their own.
"""

from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from annotation.models import AuditEvent, Pair
from annotation.roles import ADMIN, role_required
from annotation.workflow import REOPEN, RETRACT, IllegalTransition, is_legal
from config.fragments import render_page
from review.audit_trail import audit_in_words
from review.csv_export import csv_lines, moderation_rows
from review.filters import PairFilter, snippets
from review.forms import BulkForm, ReopenForm, RetractForm
from review.models import BulkAction
from review.moderation import (
    BULK_INLINE_MAX,
    bulk_action_start,
    bulk_fields_used,
    moderation_reopen,
    moderation_retract,
)


def _listed() -> QuerySet[Pair]:
    return Pair.objects.select_related("category", "dataset", "author", "current_revision")


def _found(request: HttpRequest) -> PairFilter:
    return PairFilter(request.GET or None, queryset=_listed().order_by("-pk"))


def _in_order(pks: list[int]) -> list[Pair]:
    by_pk = _listed().in_bulk(pks)
    return [by_pk[pk] for pk in pks if pk in by_pk]


@role_required(ADMIN)
def moderate(request: HttpRequest) -> HttpResponse:
    response = _moderation_page(request, BulkForm())
    if request.htmx and not request.htmx.history_restore_request:
        # The address bar keeps the filters that are set, not every empty field of the form.
        query = urlencode([(k, v) for k, v in request.GET.items() if v])
        push_url(response, request.path + (f"?{query}" if query else ""))
    return response


def _moderation_page(request: HttpRequest, bulk_form: BulkForm, status: int = 200) -> HttpResponse:
    """The list for the filters in the query string, with the bulk form as given (a bound
    one that failed keeps its action, text and ticked pairs)."""
    found = _found(request)
    # Ids first, then the page's pairs: a search matching 40,000 of 1M pairs sorts their
    # ids from an index without reading the pairs (230 -> 60 ms, tests/bench/search.py).
    ids = found.qs.values_list("pk", flat=True)
    page = Paginator(ids, settings.HANDWRITTEN_PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _in_order(list(page.object_list))
    marked = snippets(page.object_list, found.search_text)
    for pair in page.object_list:
        pair.snippet = marked.get(pair.pk)
    context = {
        "form": found.form,
        "page": page,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
        "query": urlencode([(k, v) for k, v in request.GET.items() if v and k != "page"]),
        "bulk_form": bulk_form,
        "ticked": set(bulk_form.data.getlist("pairs")) if bulk_form.is_bound else set(),
        "bulk_inline_max": BULK_INLINE_MAX,
        "bulk_fields_used": bulk_fields_used(),
    }
    return render_page(request, "review/moderate.html", "results", context, status=status)


@role_required(ADMIN)
@require_POST
def moderate_bulk(request: HttpRequest) -> HttpResponse:
    """Start a bulk action on the ticked pairs, or on every pair the filters (carried in
    the query string) match, and show its result at an address of its own."""
    form = BulkForm(request.POST, matching=_found(request))
    if not form.is_valid():
        return _moderation_page(request, form, status=422)
    data = form.cleaned_data
    try:
        bulk = bulk_action_start(
            by=request.user,
            kind=data["action"],
            pairs=data["selected"],
            text=data["text"],
            category=data["category"],
        )
    except ValueError as exc:  # e.g. the ticked pairs are gone
        form.add_error(None, str(exc))
        return _moderation_page(request, form, status=422)
    result = reverse("review:moderate_bulk_result", args=[bulk.public_id])
    # The filters ride along, so that the way back is to the list as it was.
    return redirect(f"{result}?{request.GET.urlencode()}" if request.GET else result)


@role_required(ADMIN)
def moderate_bulk_result(request: HttpRequest, public_id: UUID) -> HttpResponse:
    bulk = get_object_or_404(
        BulkAction.objects.select_related("by", "category__dataset").defer("pair_ids"),
        public_id=public_id,
    )
    size = settings.HANDWRITTEN_PAGE_SIZE
    done = Paginator(bulk.done_ids, size).get_page(request.GET.get("page"))
    done.object_list = _in_order(list(done.object_list))
    # The rest of the query string is the list's filters, for the way back.
    back = request.GET.copy()
    for name in ("page", "refused"):
        back.pop(name, None)
    context = {
        "bulk": bulk,
        "running": bulk.in_progress,
        "done": done,
        "refusals": Paginator(bulk.refusals, size).get_page(request.GET.get("refused")),
        "back": back.urlencode(),
    }
    return render_page(request, "review/moderate_bulk.html", "progress", context)


@role_required(ADMIN)
def moderate_csv(request: HttpRequest) -> HttpResponse:
    """The moderation list with the same search and filters, streamed as CSV."""
    found = _found(request)
    # As for bulk actions: a filter django-filter cannot read is dropped, which would
    # export more pairs than the list showed.
    if found.is_bound and not found.is_valid():
        messages.error(request, "A filter is not valid; fix it before exporting.")
        return _moderation_page(request, BulkForm(), status=422)
    pairs = found.qs
    response = StreamingHttpResponse(
        csv_lines(moderation_rows(pairs)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="handwritten-pairs.csv"'
    return response


def _pair_page(
    request: HttpRequest,
    pair: Pair,
    *,
    reopen_form: ReopenForm | None = None,
    retract_form: RetractForm | None = None,
    status: int = 200,
) -> HttpResponse:
    events = Paginator(
        AuditEvent.objects.filter(object_type="pair", object_id=str(pair.public_id))
        .select_related("actor")
        .order_by("-created_at", "-pk"),
        settings.HANDWRITTEN_PAGE_SIZE,
    ).get_page(request.GET.get("events"))
    # The trail is read by people: "In review", not "submitted" (the slug stays the title).
    events.object_list = list(events.object_list)
    audit_in_words(events=events.object_list, pair=pair)
    context = {
        "pair": pair,
        "revisions": pair.revisions.select_related("author").order_by("-number"),
        "reviews": pair.reviews.select_related("reviewer", "revision").order_by("-created_at"),
        "proposals": pair.edit_proposals.select_related(
            "proposer", "decided_by", "base_revision", "result_revision"
        ).order_by("-created_at"),
        "events": events,
        "can_reopen": is_legal(pair=pair, action=REOPEN),
        "can_retract": is_legal(pair=pair, action=RETRACT),
        "reopen_form": reopen_form or ReopenForm(),
        "retract_form": retract_form or RetractForm(),
    }
    return render(request, "review/moderate_pair.html", context, status=status)


def _pair(public_id: UUID) -> Pair:
    return get_object_or_404(
        Pair.objects.select_related(
            "category", "dataset", "author", "current_revision", "approved_revision"
        ),
        public_id=public_id,
    )


@role_required(ADMIN)
def moderate_pair(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _pair_page(request, _pair(public_id))


@role_required(ADMIN)
@require_POST
def moderate_reopen(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _pair(public_id)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _pair_page(request, pair, reopen_form=form, status=422)
    try:
        moderation_reopen(pair=pair, by=request.user, reason=form.cleaned_data["reason"])
    except IllegalTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Reopened: the pair is back in the review queue.")
    return redirect("review:moderate_pair", public_id=pair.public_id)


@role_required(ADMIN)
@require_POST
def moderate_retract(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _pair(public_id)
    form = RetractForm(request.POST)
    if not form.is_valid():
        return _pair_page(request, pair, retract_form=form, status=422)
    try:
        moderation_retract(pair=pair, by=request.user, reason=form.cleaned_data["reason"])
    except IllegalTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Retracted: the pair will not be in the next release.")
    return redirect("review:moderate_pair", public_id=pair.public_id)

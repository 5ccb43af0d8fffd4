"""Admin moderation: every pair, filterable, with its reviews, edits and audit trail."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from annotation.models import AuditEvent, Pair
from annotation.roles import ADMIN, role_required
from annotation.workflow import IllegalTransition, S, is_legal
from review.csv_export import csv_lines, moderation_rows
from review.forms import ModerationFilterForm, ReopenForm, RetractForm
from review.moderation import moderation_reopen, moderation_retract


def _moderated_pairs(form: ModerationFilterForm):
    return form.filter(
        Pair.objects.select_related("category", "dataset", "author", "current_revision")
    ).order_by("-pk")


@role_required(ADMIN)
def moderate(request):
    form = ModerationFilterForm(request.GET or None)
    pairs = _moderated_pairs(form)
    page = Paginator(pairs, settings.HANDWRITTEN_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "filtered": form.is_bound and form.has_changed()}
    if request.htmx:
        return render(request, "review/moderate.html#results", context)
    return render(request, "review/moderate.html", context)


@role_required(ADMIN)
def moderate_csv(request):
    """The moderation list with the same filters, streamed as CSV."""
    pairs = _moderated_pairs(ModerationFilterForm(request.GET or None))
    response = StreamingHttpResponse(
        csv_lines(moderation_rows(pairs)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="handwritten-pairs.csv"'
    return response


def _pair_page(request, pair: Pair, *, reopen_form=None, retract_form=None, status=200):
    events = AuditEvent.objects.filter(object_type="pair", object_id=str(pair.public_id))
    context = {
        "pair": pair,
        "revisions": pair.revisions.select_related("author").order_by("-number"),
        "reviews": pair.reviews.select_related("reviewer", "revision").order_by("-created_at"),
        "proposals": pair.edit_proposals.select_related(
            "proposer", "decided_by", "base_revision", "result_revision"
        ).order_by("-created_at"),
        "events": Paginator(
            events.select_related("actor").order_by("-created_at", "-pk"),
            settings.HANDWRITTEN_PAGE_SIZE,
        ).get_page(request.GET.get("events")),
        "can_reopen": is_legal(pair=pair, to=S.SUBMITTED) and pair.status == S.REJECTED,
        "can_retract": is_legal(pair=pair, to=S.RETRACTED),
        "reopen_form": reopen_form or ReopenForm(),
        "retract_form": retract_form or RetractForm(),
    }
    return render(request, "review/moderate_pair.html", context, status=status)


def _pair(public_id) -> Pair:
    return get_object_or_404(
        Pair.objects.select_related(
            "category", "dataset", "author", "current_revision", "approved_revision"
        ),
        public_id=public_id,
    )


@role_required(ADMIN)
def moderate_pair(request, public_id):
    return _pair_page(request, _pair(public_id))


@role_required(ADMIN)
@require_POST
def moderate_reopen(request, public_id):
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
def moderate_retract(request, public_id):
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

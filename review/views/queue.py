"""The review queue page and "Review next"."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from annotation.roles import REVIEWER, role_required
from config.fragments import render_page
from review.leases import Kind
from review.queue import in_progress_prune, pair_take_next, queue_summary
from review.views.given_back import given_back


@role_required(REVIEWER)
def queue(request: HttpRequest) -> HttpResponse:
    context = {"summary": queue_summary(reviewer=request.user)}
    if not request.htmx:
        # Housekeeping for pairs that left review on the author's side (e.g. withdrawn).
        in_progress_prune()
    return render_page(request, "review/queue.html", "counts", context)


@role_required(REVIEWER)
@require_POST
def next_pair(request: HttpRequest) -> HttpResponse:
    lease = pair_take_next(reviewer=request.user, given_back=given_back(request, kind=Kind.REVIEW))
    if lease is None:
        return render(request, "review/empty.html", {"what": "pairs"})
    return redirect("review:pair", public_id=lease.pair.public_id)


def go_next(request: HttpRequest) -> HttpResponse:
    """After a decision: the next pair, or the queue page when there is none or when the
    reviewer chose to stop."""
    if request.POST.get("then") != "next":
        return redirect("review:queue")
    lease = pair_take_next(reviewer=request.user, given_back=given_back(request, kind=Kind.REVIEW))
    if lease is None:
        messages.info(request, "That was the last pair waiting for you. Thank you!")
        return redirect("review:queue")
    return redirect("review:pair", public_id=lease.pair.public_id)

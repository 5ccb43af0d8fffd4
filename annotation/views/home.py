from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotation.models import Pair
from annotation.pairs import (
    author_pairs_needing_attention,
    author_status_counts,
    dataset_progress,
    review_backlog,
)
from annotation.roles import is_admin, is_contributor, is_reviewer


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One section per role the person holds; each costs a query or two, never a loop."""
    user = request.user
    context = {}
    if is_contributor(user):
        counts = author_status_counts(author=user)
        context["status_counts"] = [
            (status, label, counts[status])
            for status, label in Pair.Status.choices
            if counts.get(status)
        ]
        context["attention"] = author_pairs_needing_attention(author=user)
    if is_reviewer(user):
        context["review_backlog"] = review_backlog(reviewer=user)
    if is_admin(user):
        context["progress"] = dataset_progress()
    return render(request, "annotation/home.html", context)

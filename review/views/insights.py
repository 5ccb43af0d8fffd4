"""The insights page of a dataset, its JSON, and the contributors' leaderboard."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from annotation.models import Dataset
from annotation.roles import REVIEWER, ROLES, has_role, is_admin
from config.fragments import render_page
from review.forms_insights import LeaderboardForm, LengthsForm
from review.insights import FIELDS, figures_for, insights_snapshot
from review.leaderboard import contributor_progress, leaderboard, week_start


def _insights_allowed(user: User | AnonymousUser) -> None:
    if not (has_role(user, REVIEWER) or is_admin(user)):
        raise PermissionDenied("Insights are for reviewers and admins.")


@login_required
def insights_index(request: HttpRequest) -> HttpResponse:
    _insights_allowed(request.user)
    datasets = Dataset.objects.order_by("name")
    if datasets.count() == 1:
        return redirect("review:insights", slug=datasets.get().slug)
    page = Paginator(datasets, settings.HANDWRITTEN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/insights_index.html", {"page": page})


@login_required
def insights(request: HttpRequest, slug: str) -> HttpResponse:
    _insights_allowed(request.user)
    dataset = get_object_or_404(Dataset, slug=slug)
    snapshot = insights_snapshot(dataset=dataset)
    if snapshot.computed_at is None:
        return render(
            request, "review/insights_pending.html", {"dataset": dataset, "snapshot": snapshot}
        )
    figures = figures_for(snapshot.figures, reviewer_detail=is_admin(request.user))
    categories = figures["categories"]
    form = LengthsForm(request.GET or None, categories=[(c["slug"], c["name"]) for c in categories])
    chosen, unit = form.choice()
    lengths = next((c["lengths"] for c in categories if c["slug"] == chosen), None)
    bins = figures["length_bins"][unit]
    reviewers = Paginator(figures.get("reviewers", []), settings.HANDWRITTEN_PAGE_SIZE)
    context = {
        "dataset": dataset,
        "snapshot": snapshot,
        "figures": figures,
        "lengths_form": form,
        "chosen": chosen,
        "unit": unit,
        "lengths": lengths,
        "length_rows": [
            (label, [lengths[field][unit][i] for field in FIELDS] if lengths else [])
            for i, label in enumerate(bins)
        ],
        "reviewers": reviewers.get_page(request.GET.get("reviewers")),
        "per_day": _per_day_rows(figures["per_day"]),
    }
    return render_page(request, "review/insights.html", "lengths", context)


def _per_day_rows(per_day: dict) -> list[tuple]:
    names = ("days", "submitted", "reviewed", "approved", "cumulative")
    return list(zip(*(per_day[name] for name in names), strict=True))


@login_required
def insights_json(request: HttpRequest, slug: str) -> JsonResponse:
    """The same figures for the charts (and scripts): one request per page."""
    _insights_allowed(request.user)
    dataset = get_object_or_404(Dataset, slug=slug)
    snapshot = insights_snapshot(dataset=dataset)
    if snapshot.computed_at is None:
        progress = {"parts_done": snapshot.parts_done, "parts_total": snapshot.parts_total}
        return JsonResponse({"state": "computing", **progress}, status=202)
    return JsonResponse(figures_for(snapshot.figures, reviewer_detail=is_admin(request.user)))


def _leaderboard_allowed(user: User | AnonymousUser) -> None:
    if not any(has_role(user, role) for role in ROLES):
        raise PermissionDenied("The leaderboard is for the collection's people.")


@login_required
def leaderboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    _leaderboard_allowed(request.user)
    dataset = get_object_or_404(Dataset, slug=slug)
    form = LeaderboardForm(request.GET or None, dataset=dataset)
    period, category = form.choice()
    rows = leaderboard(
        dataset=dataset, since=week_start() if period == "week" else None, category=category
    )
    page = Paginator(rows, settings.HANDWRITTEN_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "dataset": dataset,
        "form": form,
        "period": period,
        "category": category,
        "page": page,
        "progress": contributor_progress(dataset=dataset, user=request.user),
    }
    return render_page(request, "review/leaderboard.html", "board", context)


@login_required
def leaderboard_index(request: HttpRequest) -> HttpResponse:
    _leaderboard_allowed(request.user)
    dataset = Dataset.objects.order_by("name").first()
    if dataset is None:
        raise Http404("There is no dataset yet.")
    return redirect("leaderboard:board", slug=dataset.slug)

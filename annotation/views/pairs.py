from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from annotation.feedback import pair_feedback
from annotation.forms_pairs import MyPairsFilterForm
from annotation.models import Pair
from annotation.pairs import (
    author_pair_categories,
    author_pairs,
    draft_differs,
    pair_draft,
    pair_history,
)
from annotation.prompts import prompts_asked
from annotation.roles import CONTRIBUTOR, role_required
from annotation.submission import pair_withdraw
from annotation.workflow import EDITABLE, IllegalTransition, S, is_legal
from config.fragments import render_page

EDIT_LABELS = {S.DRAFT: "Continue writing", S.CHANGES_REQUESTED: "Revise", S.APPROVED: "Improve"}


@role_required(CONTRIBUTOR)
def my_pairs(request: HttpRequest) -> HttpResponse:
    form = MyPairsFilterForm(request.GET, categories=author_pair_categories(author=request.user))
    filters = form.filters()
    pairs = author_pairs(author=request.user, **filters)
    page = Paginator(pairs, settings.HANDWRITTEN_PAGE_SIZE).get_page(request.GET.get("page"))
    questions = Paginator(prompts_asked(author=request.user), settings.HANDWRITTEN_PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "filtered": any(filters.values()),
        "questions": questions.get_page(request.GET.get("questions")),
    }
    return render_page(request, "annotation/my_pairs.html", "list", context)


@login_required
def pair_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    # Someone else's pair does not exist for this user, whatever their role.
    pair = get_object_or_404(
        Pair.objects.select_related(
            "category",
            "dataset",
            "current_revision__author",
            "approved_revision",
            "prompt__author",
        ),
        public_id=public_id,
        author=request.user,
    )
    draft = pair_draft(pair=pair)
    context = {
        "pair": pair,
        "text": draft if pair.status == S.DRAFT else pair.current_revision,
        "unsubmitted_changes": pair.status in EDITABLE
        and draft_differs(draft=draft, revision=pair.current_revision),
        "feedback": pair_feedback(pair=pair),
        "history": pair_history(pair=pair),
        "edit_label": EDIT_LABELS.get(pair.status),
        "can_withdraw": is_legal(pair=pair, to=S.WITHDRAWN),
    }
    return render(request, "annotation/pair_detail.html", context)


@login_required
@require_POST
def withdraw(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = get_object_or_404(Pair, public_id=public_id, author=request.user)
    try:
        pair_withdraw(pair=pair, by=request.user)
    except IllegalTransition:
        pair.refresh_from_db()
        messages.error(request, _withdraw_refusal(pair))
        return redirect("annotation:pair_detail", public_id=pair.public_id)
    messages.success(request, "Pair withdrawn. It has left the review queue and will not ship.")
    return redirect("annotation:my_pairs")


def _withdraw_refusal(pair: Pair) -> str:
    if pair.approved_revision_id is not None:
        return (
            "This pair was not withdrawn: an approved revision of it ships in releases. "
            "Ask an admin to retract it if it must go."
        )
    return (
        f"This pair was not withdrawn: a {pair.get_status_display().lower()} pair stays as it is."
    )

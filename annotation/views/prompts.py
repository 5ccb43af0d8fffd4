"""Open prompts: ask a question for someone else to answer, or answer someone's."""

from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from annotation.forms import AskForm
from annotation.models import Category, OpenPrompt
from annotation.prompts import (
    PromptUnavailable,
    prompt_ask,
    prompt_categories,
    prompt_take,
    prompts_open,
)
from annotation.roles import CONTRIBUTOR, role_required
from annotation.views.gates import (
    dataset_chosen,
    is_slug,
    licence_refusal,
    signed_in_for_htmx,
    url_with,
)


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
def open_prompts(request: HttpRequest) -> HttpResponse:
    dataset = dataset_chosen(request)
    if refusal := licence_refusal(request, dataset):
        return refusal
    categories = prompt_categories(user=request.user, dataset=dataset)
    slug = request.GET.get("category", "")
    category = _category(categories, slug)
    prompts = prompts_open(user=request.user, dataset=dataset, category=category)
    page = Paginator(prompts, settings.HANDWRITTEN_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "dataset": dataset,
        "categories": categories,
        "category": category,
        "unknown_category": bool(slug) and category is None,
        "page": page,
        "query": urlencode({"dataset": dataset.slug, "category": getattr(category, "slug", "")}),
    }
    return render(request, "annotation/prompts.html", context)


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
def ask(request: HttpRequest) -> HttpResponse:
    dataset = dataset_chosen(request)
    if refusal := licence_refusal(request, dataset):
        return refusal
    categories = prompt_categories(user=request.user, dataset=dataset)
    form = AskForm(
        request.POST if request.method == "POST" else None,
        categories=categories,
        initial={"category": _category(categories, request.GET.get("category", ""))},
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            prompt_ask(
                by=request.user,
                category=data["category"],
                instruction=data["instruction"],
                context=data["context"],
                source_url=data["source_url"],
            )
        except ValidationError as failed:
            form.add_check_errors(failed)
        else:
            messages.success(request, "Your question is on the list; someone else will answer it.")
            return redirect(url_with("annotation:open_prompts", dataset=dataset.slug))
    context = {
        "dataset": dataset,
        "form": form,
        "categories": categories,
        "takes_context": categories.exclude(context_policy=Category.ContextPolicy.NONE).exists(),
        "limits": settings.HANDWRITTEN_LIMITS,
    }
    return render(request, "annotation/ask.html", context, status=422 if form.errors else 200)


def _category(categories: QuerySet[Category], slug: str) -> Category | None:
    return categories.filter(slug=slug).first() if is_slug(slug) else None


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
@require_POST
def answer(request: HttpRequest, public_id: UUID) -> HttpResponse:
    prompt = get_object_or_404(
        OpenPrompt.objects.select_related("dataset", "category"), public_id=public_id
    )
    if refusal := licence_refusal(request, prompt.dataset):
        return refusal
    try:
        pair = prompt_take(prompt=prompt, by=request.user)
    except PromptUnavailable as unavailable:
        messages.error(request, str(unavailable))
        return redirect(url_with("annotation:open_prompts", dataset=prompt.dataset.slug))
    messages.success(request, "The question is yours to answer. Rephrase it if it helps.")
    return redirect("annotation:edit_pair", public_id=pair.public_id)

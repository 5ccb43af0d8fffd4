"""The editor: get a category, write a pair with autosave, submit it, or skip it."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from annotation.assignment import (
    CategoryClosed,
    SkipRefused,
    assignment_current,
    assignment_give,
    assignment_skip,
    assignment_switch,
    categories_open,
    category_pick,
)
from annotation.drafts import DraftConflict, NotEditable, pair_start
from annotation.feedback import pair_feedback
from annotation.flags import draft_findings
from annotation.forms import ChooseCategoryForm, PairTextForm, SkipForm
from annotation.models import Assignment, Category, Dataset, Draft, Pair
from annotation.roles import CONTRIBUTOR, role_required
from annotation.similar import near_duplicates_context
from annotation.submission import NothingChanged
from annotation.views.gates import dataset_chosen, licence_refusal, signed_in_for_htmx, url_with
from annotation.workflow import EDITABLE, IllegalTransition, S
from annotation.writing import draft_autosave, pair_save_and_submit

TEXT_NAMES = ("instruction", "context", "response")
FIELD_LABELS = {"instruction": "Instruction", "context": "Context", "response": "Response"}
CONTEXT_NOTES = {
    Category.ContextPolicy.REQUIRED: " (required)",
    Category.ContextPolicy.OPTIONAL: " (optional)",
    Category.ContextPolicy.NONE: " (this category takes none: remove it)",
}


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest) -> HttpResponse:
    """GET opens the assignment in hand, or offers to start one; only the POST of "Start
    writing" hands out work, so a prefetch or a crawler following the link creates none."""
    dataset = dataset_chosen(request)
    if refusal := licence_refusal(request, dataset):
        return refusal
    if request.method == "POST":
        assignment = assignment_give(contributor=request.user, dataset=dataset)
    else:
        assignment = assignment_current(contributor=request.user, dataset=dataset)
    if assignment is None:
        context = {
            "dataset": dataset,
            "others": Dataset.objects.exclude(pk=dataset.pk),
            "open": category_pick(user=request.user, dataset=dataset) is not None,
        }
        return render(request, "annotation/write.html", context)
    # Idempotent: the assignment's one pair, created with it or found again.
    pair = pair_start(assignment=assignment, by=request.user)
    return redirect("annotation:edit_pair", public_id=pair.public_id)


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
def edit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _own_pair(request, public_id)
    if refusal := licence_refusal(request, pair.dataset):
        return refusal
    if pair.status not in EDITABLE:
        status = pair.get_status_display().lower()
        messages.info(request, f"This pair is {status}; it takes no edits.")
        return redirect("annotation:pair_detail", public_id=pair.public_id)
    return _editor(request, pair, _draft_form(pair))


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
@require_POST
def autosave(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _own_pair(request, public_id)
    if refusal := licence_refusal(request, pair.dataset):
        return refusal
    form = PairTextForm(request.POST)
    if not form.is_valid():
        return _savestate(request, pair, "invalid", status=422, form=form)
    try:
        draft = draft_autosave(
            pair=pair,
            by=request.user,
            text=form.draft_text(),
            base_version=form.cleaned_data["version"],
            signals=form.signals(),
        )
    except DraftConflict as conflict:
        return _savestate(request, pair, "conflict", status=409, conflict=conflict.draft)
    except NotEditable as refused:
        return _savestate(request, pair, "error", status=422, message=str(refused))
    findings = draft_findings(
        pair=pair,
        text_fields={name: getattr(draft, name) for name in TEXT_NAMES},
        confirmed=form.cleaned_data["confirm"],
    )
    return _savestate(request, pair, "saved", draft=draft, findings=findings)


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
@require_POST
def submit(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _own_pair(request, public_id)
    if refusal := licence_refusal(request, pair.dataset):
        return refusal
    form = PairTextForm(request.POST)
    if not form.is_valid():
        return _editor(request, pair, form, status=422)
    try:
        pair_save_and_submit(
            pair=pair,
            by=request.user,
            text=form.draft_text(),
            base_version=form.cleaned_data["version"],
            signals=form.signals(),
            confirmed=form.cleaned_data["confirm"],
        )
    except ValidationError as failed:
        form.add_check_errors(failed)
        return _editor(request, pair, form, status=422)
    except NothingChanged as unchanged:
        form.add_error(None, f"{unchanged} Change the text, then submit again.")
        return _editor(request, pair, form, status=422)
    except DraftConflict as conflict:
        return _editor(
            request,
            pair,
            form,
            status=409,
            conflict=conflict.draft,
            version=form.cleaned_data["version"],
        )
    except (NotEditable, IllegalTransition) as refused:
        messages.error(request, str(refused))
        return _go(request, reverse("annotation:pair_detail", args=[pair.public_id]))
    messages.success(request, "Submitted for review. Thank you! You can follow it here.")
    return _go(request, reverse("annotation:pair_detail", args=[pair.public_id]))


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
@require_POST
def skip(request: HttpRequest, public_id: UUID) -> HttpResponse:
    pair = _own_pair(request, public_id)
    if refusal := licence_refusal(request, pair.dataset):
        return refusal
    assignment = pair.assignment
    if not _skippable(pair):
        messages.error(request, "This pair has no open assignment to skip.")
        return _go(request, reverse("annotation:edit_pair", args=[pair.public_id]))
    form = SkipForm(request.POST)
    if not form.is_valid():
        return _editor(request, pair, _draft_form(pair), status=422, skip_form=form)
    try:
        skipped = assignment_skip(assignment=assignment, by=request.user, reason=form.skip_reason())
    except SkipRefused as refused:
        messages.error(request, str(refused))
        return _go(request, reverse("annotation:edit_pair", args=[pair.public_id]))
    if skipped.kept_draft:
        messages.info(request, "Skipped. What you wrote is kept as a draft in My pairs.")
    else:
        messages.info(request, f"Skipped {assignment.category.name}.")
    following = assignment_give(
        contributor=request.user, dataset=pair.dataset, avoid=assignment.category
    )
    if following is None:
        return _go(request, url_with("annotation:write", dataset=pair.dataset.slug))
    new_pair = pair_start(assignment=following, by=request.user)
    return _go(request, reverse("annotation:edit_pair", args=[new_pair.public_id]))


@signed_in_for_htmx
@role_required(CONTRIBUTOR)
@require_POST
def choose(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Write in another category than the policy's pick: not a skip (no reason, no limit)."""
    pair = _own_pair(request, public_id)
    if refusal := licence_refusal(request, pair.dataset):
        return refusal
    if not _skippable(pair):
        messages.error(request, "This pair has no open assignment to change.")
        return _go(request, reverse("annotation:edit_pair", args=[pair.public_id]))
    form = ChooseCategoryForm(request.POST, choices=_choices(request, pair))
    if not form.is_valid():
        return _editor(request, pair, _draft_form(pair), status=422, choose_form=form)
    try:
        assignment = assignment_switch(
            assignment=pair.assignment, by=request.user, category=form.cleaned_data["category"]
        )
    except CategoryClosed as refused:
        messages.error(request, str(refused))
        return _go(request, reverse("annotation:edit_pair", args=[pair.public_id]))
    new_pair = pair_start(assignment=assignment, by=request.user)
    return _go(request, reverse("annotation:edit_pair", args=[new_pair.public_id]))


def _choices(request: HttpRequest, pair: Pair) -> list[Category]:
    """Categories the writer may switch to: open to them, other than the current one."""
    chosen = categories_open(user=request.user, dataset=pair.dataset)
    return [category for category in chosen if category.pk != pair.category_id]


def _skippable(pair: Pair) -> bool:
    assignment = pair.assignment
    return (
        pair.status == S.DRAFT
        and assignment is not None
        and assignment.outcome == Assignment.Outcome.OPEN
    )


def _own_pair(request: HttpRequest, public_id: UUID) -> Pair:
    """The signed-in person's own pair; anyone else's is a 404, never a hint that it exists."""
    pairs = Pair.objects.select_related("category", "dataset", "assignment", "prompt__author")
    return get_object_or_404(pairs, public_id=public_id, author=request.user)


def _go(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _draft_form(pair: Pair) -> PairTextForm:
    draft = Draft.objects.get(pair=pair)
    names = ("instruction", "context", "source_url", "response")
    initial = {name: getattr(draft, name) for name in names} | {"version": draft.version}
    return PairTextForm(initial=initial)


def _text_fields(form: PairTextForm, category: Category) -> list[dict]:
    """The editor's text areas in order, with their limits; context per the category."""
    names = ["instruction", "context", "response"]
    # A category without context hides the field, unless there is context to remove.
    if category.context_policy == Category.ContextPolicy.NONE and not form["context"].value():
        names.remove("context")
    fields = []
    for name in names:
        low, high = settings.HANDWRITTEN_LIMITS[name]
        label = FIELD_LABELS[name]
        if name == "context":
            label += CONTEXT_NOTES[category.context_policy]
        fields.append({"field": form[name], "label": label, "low": low, "high": high})
    return fields


def _editor(
    request: HttpRequest,
    pair: Pair,
    form: PairTextForm,
    *,
    status: int = 200,
    conflict: Draft | None = None,
    version: int | None = None,
    skip_form: SkipForm | None = None,
    choose_form: ChooseCategoryForm | None = None,
) -> HttpResponse:
    """The edit page, or for htmx only its form, which a failed submit swaps in place."""
    draft = Draft.objects.get(pair=pair)
    fields = _text_fields(form, pair.category)
    if "source_url" in form.errors and not any(f["field"].name == "context" for f in fields):
        # The source URL sits beside the context, which this category hides.
        form.add_error(None, [f"Source URL: {error}" for error in form.errors["source_url"]])
    context = {
        "pair": pair,
        "category": pair.category,
        "form": form,
        "fields": fields,
        "draft": draft,
        # A conflicted tab keeps its old version, so it cannot overwrite the other tab by accident.
        "version": draft.version if version is None else version,
        "state": "conflict" if conflict else "",
        "conflict": conflict,
        "feedback": pair_feedback(pair=pair)[:3] if pair.status == S.CHANGES_REQUESTED else [],
        "skip_form": (skip_form or SkipForm()) if _skippable(pair) else None,
        "choices": _choices(request, pair) if _skippable(pair) else [],
        "choose_form": choose_form,
        "max_skips": settings.HANDWRITTEN_MAX_SKIPS_PER_DAY,
        "max_bytes": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        "findings": draft_findings(
            pair=pair,
            text_fields={name: form[name].value() or "" for name in TEXT_NAMES},
            confirmed=form.cleaned_data.get("confirm", ()) if form.is_bound else (),
        ),
    }
    partial = request.htmx and skip_form is None and choose_form is None
    if not partial:
        context |= near_duplicates_context(
            instruction=form["instruction"].value() or "",
            dataset=pair.dataset,
            viewer=request.user,
            exclude=pair,
            url=reverse("annotation:near_duplicates", args=[pair.public_id]),
        )
    template = "annotation/write.html#pair_form" if partial else "annotation/write.html"
    return render(request, template, context, status=status)


def _savestate(
    request: HttpRequest, pair: Pair, state: str, *, status: int = 200, **extra
) -> HttpResponse:
    context = {"pair": pair, "state": state, **extra}
    return render(request, "annotation/write.html#savestate", context, status=status)

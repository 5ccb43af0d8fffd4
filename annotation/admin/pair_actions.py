"""The Django admin's lifecycle actions on pairs: the same services, so the same workflow
checks, as moderation; each refusal is reported with the workflow's reason."""

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from annotation.models import Pair
from annotation.submission import pair_reopen, pair_retract
from annotation.workflow import IllegalTransition


def _each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    pairs: QuerySet[Pair],
    apply: Callable[[Pair], object],
    done: str,
) -> None:
    count, refusals = 0, []
    for pair in pairs:
        try:
            apply(pair)
        except (IllegalTransition, PermissionDenied, ValueError) as exc:
            refusals.append(f"{pair}: {exc}")
        else:
            count += 1
    modeladmin.message_user(request, f"{done}: {count} pair{'s' if count != 1 else ''}.")
    for refusal in refusals:
        modeladmin.message_user(request, f"Refused, {refusal}", messages.WARNING)


@admin.action(description="Reopen the selected rejected pairs for review")
def reopen_pairs(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Pair]
) -> None:
    _each(
        modeladmin,
        request,
        queryset.order_by("pk"),
        lambda pair: pair_reopen(pair=pair, by=request.user),
        "Reopened",
    )


class RetractReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text="Recorded in each pair's audit trail; the pairs leave the next release.",
    )


@admin.action(description="Retract the selected pairs from the next release…")
def retract_pairs(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Pair]
) -> HttpResponse | None:
    """Asks for the reason first (an intermediate page), then retracts pair by pair."""
    form = RetractReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        _each(
            modeladmin,
            request,
            queryset.order_by("pk"),
            lambda pair: pair_retract(pair=pair, by=request.user, reason=reason),
            "Retracted",
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Retract pairs",
        "form": form,
        "pairs": queryset,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/annotation/pair/retract.html", context)

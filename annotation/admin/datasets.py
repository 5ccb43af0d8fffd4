"""Datasets and their categories: targets, guidelines, who may be assigned them."""

from collections.abc import Iterable

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminTextareaWidget
from django.db import models
from django.db.models import Sum
from django.forms.models import BaseInlineFormSet

from annotation.models import Category, Dataset

# Shares are fractions; their float sum may overshoot 1.0 by rounding alone.
_SHARE_SLACK = 1e-9


def _active_shares(dataset: Dataset, exclude: Iterable[int]) -> float:
    return (
        Category.objects.filter(dataset=dataset, active=True)
        .exclude(pk__in=list(exclude))
        .aggregate(total=Sum("target_share"))["total"]
        or 0.0
    )


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".removesuffix(".0") + "%"


def _share_error(total: float) -> str:
    return (
        f"The active categories' target shares add up to {_percent(total)}; they may add up "
        "to at most 100%. Lower a share, or leave a category inactive."
    )


class CategoryForm(forms.ModelForm):
    target_share = forms.FloatField(
        min_value=0, max_value=1, help_text="Wanted fraction of the dataset, 0-1."
    )

    class Meta:
        model = Category
        fields = [
            "dataset",
            "slug",
            "name",
            "active",
            "guidelines",
            "examples",
            "context_policy",
            "allows_open_prompts",
            "reviews_required",
            "target_share",
            "target_count",
            "allowed_groups",
        ]
        widgets = {
            "guidelines": AdminTextareaWidget(attrs={"rows": 14}),
            "examples": AdminTextareaWidget(attrs={"rows": 6}),
            # A handful of role groups: checkboxes say more than a two-list picker.
            "allowed_groups": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "examples": 'Shown with the guidelines on the write page: [{"instruction": "…", '
            '"context": "", "response": "…"}, …]. Leave empty for none.'
        }

    def clean_examples(self) -> list:
        # An emptied box is no examples; what is given is checked by the model's validator.
        examples = self.cleaned_data.get("examples")
        return [] if examples in (None, "") else examples

    def clean(self) -> dict:
        cleaned = super().clean()
        dataset, share = cleaned.get("dataset"), cleaned.get("target_share")
        if dataset is not None and share is not None and cleaned.get("active"):
            others = _active_shares(dataset, exclude=[self.instance.pk] if self.instance.pk else [])
            if others + share > 1 + _SHARE_SLACK:
                self.add_error(
                    "target_share",
                    f"{_share_error(others + share)} The other active categories of "
                    f"{dataset} take {_percent(others)}, so this one can have at most "
                    f"{_percent(max(0.0, 1 - others))}.",
                )
        return cleaned


class CategoryInlineFormSet(BaseInlineFormSet):
    """On a dataset's page several shares change at once: check their sum as a whole."""

    def clean(self) -> None:
        super().clean()
        total, shown = 0.0, []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue
            if form.instance.pk:
                shown.append(form.instance.pk)
            if self.can_delete and self._should_delete_form(form):
                continue
            if data.get("active") and data.get("target_share") is not None:
                total += data["target_share"]
        if self.instance.pk:
            total += _active_shares(self.instance, exclude=shown)
        if total > 1 + _SHARE_SLACK:
            raise forms.ValidationError(_share_error(total))


class CategoryInlineForm(forms.ModelForm):
    target_share = forms.FloatField(
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"class": "vIntegerField", "step": "0.01"}),
    )

    class Meta:
        model = Category
        fields = ["slug", "name", "context_policy", "target_share", "target_count", "active"]
        widgets = {"target_count": forms.NumberInput(attrs={"class": "vIntegerField"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A tabular inline labels its columns only in the header: name each cell's field
        # for screen readers (axe: label, select-name).
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))


class CategoryInline(admin.TabularInline):
    """The targets of all categories side by side; the rest on each category's page."""

    model = Category
    form = CategoryInlineForm
    formset = CategoryInlineFormSet
    show_change_link = True
    extra = 0


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "licence", "licence_version", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = [
        "slug",
        "name",
        "dataset",
        "context_policy",
        "target_share",
        "target_count",
        "reviews_required",
        "allows_open_prompts",
        "active",
    ]
    list_filter = ["dataset", "active", "context_policy", "allows_open_prompts"]
    search_fields = ["slug", "name"]
    list_select_related = ["dataset"]
    fieldsets = [
        (None, {"fields": ["dataset", "slug", "name", "active"]}),
        (
            "Guidelines",
            {
                "fields": ["guidelines", "examples"],
                "description": "Markdown, shown to writers and reviewers. Examples are a "
                'JSON list of {"instruction", "context", "response"} objects.',
            },
        ),
        (
            "Writing and review",
            {"fields": ["context_policy", "allows_open_prompts", "reviews_required"]},
        ),
        (
            "Targets",
            {
                "fields": ["target_share", "target_count"],
                "description": "Assignment gives writers the category furthest below its "
                "target. The shares of a dataset's active categories add up to at most 1.",
            },
        ),
        ("Who may be assigned it", {"fields": ["allowed_groups"]}),
    ]

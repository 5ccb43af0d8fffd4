from django import forms
from django.db.models import QuerySet

from annotation.models import Category, Pair


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.name


class MyPairsFilterForm(forms.Form):
    """The filters of "My pairs", read from the query string; an empty value means all."""

    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Pair.Status.choices])
    category = CategoryChoiceField(
        required=False, queryset=Category.objects.none(), empty_label="Any category"
    )

    def __init__(self, *args, categories: QuerySet[Category], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories

    def filters(self) -> dict:
        """The valid filters only: a bad value in one field must not drop the other."""
        self.is_valid()
        return {
            "status": self.cleaned_data.get("status") or None,
            "category": self.cleaned_data.get("category"),
        }

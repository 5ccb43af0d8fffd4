from django import forms

from annotation.models import Category, Dataset


class LeaderboardForm(forms.Form):
    period = forms.ChoiceField(choices=[("week", "This week"), ("all", "All time")], required=False)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        required=False,
        empty_label="All categories",
        to_field_name="slug",
    )

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(dataset=dataset)
        # The dataset is the page's: an option is the category's name (not "dolly/open_qa",
        # whose dataset would cost a query per option).
        self.fields["category"].label_from_instance = lambda category: category.name

    def choice(self) -> tuple[str, Category | None]:
        """The period ("week" or "all") and category asked for; a bad value means the
        default (this week, every category), shown as the form's error."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("period") or "week", data.get("category")


class LengthsForm(forms.Form):
    """Which category's length histograms to show, in characters or words."""

    category = forms.ChoiceField(required=False)
    unit = forms.ChoiceField(choices=[("chars", "Characters"), ("words", "Words")], required=False)

    def __init__(self, *args, categories: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories
        self.default_category = categories[0][0] if categories else ""

    def choice(self) -> tuple[str, str]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("category") or self.default_category, data.get("unit") or "chars"

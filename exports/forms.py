from django import forms
from django.core.exceptions import ValidationError

from annotation.checks import text_problem
from annotation.models import Dataset
from annotation.normalisation import disguise_problem
from exports.models import DEFAULT_TEST_FRACTION
from exports.services import release_validate


class ReleaseForm(forms.Form):
    notes = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is new or special about this release; goes into the dataset card.",
    )
    categories = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every category.",
    )
    test_fraction = forms.FloatField(
        initial=DEFAULT_TEST_FRACTION,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "0.99"}),
        help_text="Share of pairs in the test split, from 0 (none) to below 1. A pair's "
        "split comes from a hash of its id, so it stays put across releases.",
    )

    def __init__(self, *args, dataset: Dataset, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dataset = dataset
        self.fields["categories"].choices = [
            (c.slug, c.name) for c in dataset.categories.order_by("name")
        ]

    def clean_notes(self) -> str:
        notes = self.cleaned_data["notes"]
        # The notes ship in the dataset card: nothing there may disguise what it says.
        problem = text_problem(notes) or disguise_problem(notes)
        if problem:
            raise forms.ValidationError(problem, code="bad_text")
        return notes

    def clean(self) -> dict:
        cleaned = super().clean()
        if "categories" in cleaned and "test_fraction" in cleaned:
            try:
                release_validate(
                    dataset=self.dataset,
                    categories=cleaned["categories"],
                    test_fraction=cleaned["test_fraction"],
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

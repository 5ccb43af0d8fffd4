"""Forms of the writing flow: they turn posted text into domain values, nothing more."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet

from annotation.checks import text_problem
from annotation.drafts import DraftText
from annotation.models import Category
from annotation.normalisation import unify_newlines
from annotation.writing import Signals


class TextField(forms.CharField):
    """Text as typed: not stripped, blank allowed, bad characters explained by checks."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)
        # checks.text_problem words this (and every other bad character) for writers.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def to_python(self, value: str | None) -> str:
        # Browsers post textareas with CRLF; stored text has one kind of line ending.
        return unify_newlines(super().to_python(value))

    def validate(self, value: str) -> None:
        super().validate(value)
        problem = text_problem(value)
        if problem:
            raise ValidationError(problem, code="bad_text")


class SignalField(forms.IntegerField):
    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, min_value=0, max_value=10_000_000, **kwargs)

    def clean(self, value: str | None) -> int:
        return super().clean(value) or 0


class TokensField(forms.Field):
    """The findings a writer ticked as fictional or public: a set of tokens."""

    widget = forms.MultipleHiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: list[str] | None) -> frozenset[str]:
        # A token that is not one of ours can never match a finding: dropped, not an error.
        return frozenset(v for v in value or () if isinstance(v, str) and _TOKEN.fullmatch(v))


_TOKEN = re.compile(r"[0-9a-f]{24}")


class PairTextForm(forms.Form):
    """The editor: the text of a pair, the draft version it is based on, authoring signals."""

    instruction = TextField()
    context = TextField()
    source_url = TextField(max_length=2000, label="Source URL")
    response = TextField()
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    active_seconds = SignalField()
    typed_chars = SignalField()
    pasted_chars = SignalField()
    confirm = TokensField()
    # Filled in by the page, not typed: the page shows no field for them, so what is wrong
    # with one is said once, above the text, in words the writer can act on.
    PAGE_FIELDS = ("version", "active_seconds", "typed_chars", "pasted_chars")

    def clean(self) -> dict:
        cleaned = super().clean()
        if any(name in self.errors for name in self.PAGE_FIELDS):
            raise ValidationError(
                "This page sent figures it should not (its draft version or how the text was "
                "written). Copy your text, then reload the page."
            )
        return cleaned

    def draft_text(self) -> DraftText:
        data = self.cleaned_data
        return DraftText(
            instruction=data.get("instruction", ""),
            context=data.get("context", ""),
            source_url=data.get("source_url", "").strip(),
            response=data.get("response", ""),
        )

    def signals(self) -> Signals:
        data = self.cleaned_data
        return Signals(
            active_seconds=data.get("active_seconds", 0),
            typed_chars=data.get("typed_chars", 0),
            pasted_chars=data.get("pasted_chars", 0),
        )

    def add_check_errors(self, error: ValidationError) -> None:
        """Put each message of a pair_submit ValidationError beside its field."""
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


SKIP_REASONS = [
    ("unfamiliar", "I don't know enough about this kind of task"),
    ("no_idea", "I can't think of a good example right now"),
    ("unclear", "The guidelines are unclear to me"),
    ("other", "Other (say why below)"),
]


class SkipForm(forms.Form):
    reason = forms.ChoiceField(
        choices=SKIP_REASONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Pick a reason."},
    )
    detail = forms.CharField(required=False, max_length=300)

    def clean_detail(self) -> str:
        detail = self.cleaned_data["detail"]
        problem = text_problem(detail)
        if problem:
            raise ValidationError(problem, code="bad_text")
        return detail

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("reason") == "other" and not cleaned.get("detail"):
            self.add_error("detail", "Say in a few words why you skip.")
        return cleaned

    def skip_reason(self) -> str:
        """The reason as stored on the assignment: its label, then the free text."""
        label = dict(SKIP_REASONS)[self.cleaned_data["reason"]]
        detail = self.cleaned_data.get("detail", "")
        if self.cleaned_data["reason"] == "other":
            return f"Other: {detail}"
        return f"{label}: {detail}" if detail else label


class ChooseCategoryForm(forms.Form):
    """A category the writer chose, among those open to them (a slug in, a Category out)."""

    category = forms.SlugField(error_messages={"required": "Choose a category."})

    def __init__(self, *args, choices: list[Category], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.choices = {category.slug: category for category in choices}

    def clean_category(self) -> Category:
        category = self.choices.get(self.cleaned_data["category"])
        if category is None:
            raise ValidationError(
                "That category is not open to you now: it has reached its target or is "
                "restricted. Choose another.",
                code="closed",
            )
        return category


class LicenceForm(forms.Form):
    agree = forms.BooleanField(
        error_messages={"required": "Tick the box to accept the licence, or leave the page."}
    )


class AskForm(forms.Form):
    # No category is chosen for the asker: a preselected first one (Brainstorming) was
    # kept by people who never looked at the list.
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        empty_label="Choose a category…",
        error_messages={
            "required": "Choose the category your question belongs to.",
            "invalid_choice": "Pick one of the listed categories.",
        },
    )
    instruction = TextField()
    context = TextField()
    source_url = TextField(max_length=2000)

    def __init__(self, *args, categories: QuerySet[Category], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories

    def add_check_errors(self, error: ValidationError) -> None:
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class NearDuplicateForm(forms.Form):
    """The instruction being typed, for the near-duplicate panel."""

    instruction = TextField(max_length=10_000)

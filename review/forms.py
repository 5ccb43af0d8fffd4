import uuid
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from annotation.checks import text_problem
from annotation.models import Category, Pair, Revision
from review.decisions import EditText, Scores
from review.models import BulkAction, Review
from review.moderation import BULK_CONFIRMED, bulk_action_missing

if TYPE_CHECKING:
    # review.filters imports this module (for CategoryChoiceField).
    from review.filters import PairFilter

D = Review.Decision
SCORE_CHOICES = [("", "–")] + [(str(n), str(n)) for n in range(1, 6)]
# A comment is a note to a person, not a second response: long enough for a careful
# explanation, short of what the request size limit would let through.
COMMENT_MAX = 5000


def _plain(value: str) -> str:
    # Browsers send textarea line breaks as CRLF; revisions store LF.
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _note(value: str) -> str:
    """A comment or reason as stored: plain line breaks, and no bytes that are not text
    (U+FFFD is what a browser's broken UTF-8 arrives as)."""
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem, code="bad_text")
    return _plain(value)


class DecisionForm(forms.Form):
    """One form for all four decisions; the pressed button names the decision."""

    decision = forms.ChoiceField(choices=D.choices)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown to the author. Required when you ask for changes.",
    )
    reason = forms.ChoiceField(
        required=False,
        choices=[("", "Choose a reason…")] + list(Review.Reason.choices),
        help_text="Required to reject.",
    )
    helpfulness = forms.TypedChoiceField(
        required=False, choices=SCORE_CHOICES, coerce=int, empty_value=None
    )
    correctness = forms.TypedChoiceField(
        required=False, choices=SCORE_CHOICES, coerce=int, empty_value=None
    )
    writing = forms.TypedChoiceField(
        required=False, choices=SCORE_CHOICES, coerce=int, empty_value=None
    )
    # The text, editable for "approve with an edit"; pre-filled with the revision.
    instruction = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    context = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8}))
    source_url = forms.CharField(required=False, label="Source URL")
    response = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, revision: Revision, **kwargs) -> None:
        self.base = revision
        kwargs.setdefault(
            "initial",
            {
                "revision": revision.number,
                "instruction": revision.instruction,
                "context": revision.context,
                "source_url": revision.source_url,
                "response": revision.response,
            },
        )
        super().__init__(*args, **kwargs)
        # A category without context shows neither context nor its source, unless the
        # revision has some to remove.
        if revision.category.context_policy == Category.ContextPolicy.NONE:
            if not revision.context:
                del self.fields["context"]
            if not revision.source_url:
                del self.fields["source_url"]

    def clean_comment(self) -> str:
        return _note(self.cleaned_data["comment"])

    def clean_instruction(self) -> str:
        return _plain(self.cleaned_data["instruction"])

    def clean_context(self) -> str:
        return _plain(self.cleaned_data["context"])

    def clean_response(self) -> str:
        return _plain(self.cleaned_data["response"])

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") in (D.APPROVE, D.REQUEST_CHANGES, D.REJECT) and self.edited():
            self.add_error(
                None,
                "You changed the text. Choose “Approve with my edit”, or undo your changes "
                "and tell the author in a comment instead.",
            )
        return data

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's per-field errors beside the fields; the rest above the form."""
        for name, messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)

    def focus_first_error(self) -> None:
        """The page comes back with the first field to mend focused, so the browser
        scrolls to it: the decision form sits below the whole text under review. An edit
        refused as a whole focuses its text; the decision itself is the buttons."""
        names = [name for name in self.fields if name in self.errors and name != "decision"]
        if not names and self.data.get("decision") == D.APPROVE_WITH_EDIT:
            names = ["response"]
        for name in names:
            if not self.fields[name].widget.is_hidden:
                self.fields[name].widget.attrs["autofocus"] = True
                return

    @property
    def edit_refused(self) -> bool:
        """The reviewer sent "Approve with my edit": an error about the edit as a whole
        shows in the edit panel, where :meth:`focus_first_error` brings the page."""
        return self.is_bound and self.data.get("decision") == D.APPROVE_WITH_EDIT

    def edited(self) -> bool:
        edit = self.edit_text()
        return edit is not None and not edit.same_as(self.base)

    def edit_text(self) -> EditText | None:
        """The text as sent; a field left out of the POST keeps the revision's value."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return None
        text = {}
        for name in ("instruction", "context", "response", "source_url"):
            sent = name in self.data and name in self.fields and name in self.cleaned_data
            text[name] = self.cleaned_data[name] if sent else getattr(self.base, name)
        return EditText(**text)

    def scores(self) -> Scores:
        data = self.cleaned_data
        return Scores(
            helpfulness=data.get("helpfulness"),
            correctness=data.get("correctness"),
            writing=data.get("writing"),
        )


class EditDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required to decline: say why, for the reviewer who proposed it.",
    )

    def clean_comment(self) -> str:
        return _note(self.cleaned_data["comment"])


class CategoryChoiceField(forms.ModelChoiceField):
    """A category by the names people see ("Dolly · Closed QA"), not its slug path."""

    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.dataset.name} · {obj.name}"


class _PublicIds(forms.Field):
    """Ticked pairs' public ids, as many as were sent."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: list[str] | None) -> list[uuid.UUID]:
        try:
            return [uuid.UUID(str(item)) for item in value or []]
        except ValueError:
            raise ValidationError("The selection names a pair that does not exist.") from None


# Retracting cannot be undone (a retracted pair's status is final), and the bar can reach
# every matching pair: no action is chosen for the admin, a retraction is confirmed, and
# so is acting on all matching pairs, by their number.
BULK_ACTIONS = [("", "Choose an action…"), *BulkAction.Kind.choices]


class BulkForm(forms.Form):
    """A bulk action and its pairs: the ticked ones, or every pair ``matching`` (the list's
    filters) finds. Clean, ``cleaned_data["selected"]`` holds those pairs."""

    action = forms.ChoiceField(
        choices=BULK_ACTIONS, label="Action", error_messages={"required": "Choose an action."}
    )
    retract_confirmed = forms.BooleanField(
        required=False, label="Yes, retract for good: a retracted pair cannot be brought back"
    )
    selection = forms.ChoiceField(choices=[("selected", "Ticked pairs"), ("all", "All matching")])
    pairs = _PublicIds(required=False)
    # How many pairs the admin was shown as matching and agreed to act on.
    all_confirmed = forms.IntegerField(required=False, min_value=1)
    text = forms.CharField(
        required=False,
        max_length=2000,
        label="Reason or note",
        widget=forms.TextInput(attrs={"placeholder": "Reason or note"}),
        help_text="Required to retract and for a note; kept in each pair's audit trail.",
    )
    category = CategoryChoiceField(
        required=False,
        queryset=Category.objects.select_related("dataset").order_by("dataset__name", "name"),
        empty_label="Move to…",
        label="Category",
    )

    def __init__(self, *args, matching: "PairFilter | None" = None, **kwargs) -> None:
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.matching = matching

    def clean_text(self) -> str:
        return _note(self.cleaned_data["text"])

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action:
            needs = bulk_action_missing(
                kind=action, text=data.get("text") or "", category=data.get("category")
            )
            for name, say in needs.items():
                self.add_error(name, say)
        if action in BULK_CONFIRMED and not data.get("retract_confirmed"):
            self.add_error(
                "retract_confirmed",
                "Tick “Yes, retract for good” to retract: a retracted pair cannot be brought back.",
            )
        if data.get("selection") == "all":
            data["selected"] = self._all_matching(data.get("all_confirmed"))
        elif data.get("selection") == "selected" and "pairs" in data:
            if data["pairs"]:
                data["selected"] = Pair.objects.filter(public_id__in=data["pairs"])
            else:
                self.add_error("pairs", "Tick at least one pair, or choose all matching.")
        return data

    def _all_matching(self, confirmed: int | None) -> QuerySet[Pair] | None:
        found = self.matching
        # django-filter drops a filter it cannot read: "all matching" would then reach more
        # pairs than the admin saw listed.
        if found is None or (found.is_bound and not found.is_valid()):
            self.add_error(None, "A filter is not valid any more; nothing was done.")
            return None
        count = found.qs.count()
        if not count:
            self.add_error(None, "No pair matches these filters; nothing was done.")
        elif confirmed is None:
            self.add_error(
                "all_confirmed", f"Tick “Yes, all {count}” to act on every pair that matches."
            )
        elif confirmed != count:
            # More (or fewer) pairs match than the admin agreed to: they confirm again.
            self.add_error(
                "all_confirmed",
                f"{count} pairs match now, not the {confirmed} you confirmed: check, then "
                "confirm again.",
            )
        else:
            return found.qs
        return None


class RetractForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=(
            "Recorded in the audit trail. A retracted pair never ships again and cannot be "
            "brought back."
        ),
        error_messages={"required": "Say why this pair is retracted."},
    )

    def clean_reason(self) -> str:
        return _note(self.cleaned_data["reason"])


class ReopenForm(forms.Form):
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def clean_reason(self) -> str:
        return _note(self.cleaned_data["reason"])

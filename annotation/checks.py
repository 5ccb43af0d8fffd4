"""Submit-time checks: what must hold before text can enter review as training data."""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from annotation.findings import Finding, credential_messages, findings_scan
from annotation.models import Category, Pair, Revision, instruction_key

# Control characters other than tab, newline and carriage return corrupt JSONL and
# tokenizers alike; U+FFFD means the text was already mangled before it reached us.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ufffe\uffff]")
_url_validator = URLValidator(schemes=["http", "https"])

# Statuses whose instruction still "exists" for the duplicate check.
_LIVE = [
    Pair.Status.SUBMITTED,
    Pair.Status.CHANGES_REQUESTED,
    Pair.Status.APPROVED,
]

TEXT_FIELDS = ("instruction", "context", "response")


@dataclass
class CheckResult:
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Personal data and credentials in the text (credentials are also errors).
    findings: list[Finding] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    @property
    def ok(self) -> bool:
        return not self.errors

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ValidationError(
                {name: [ValidationError(m) for m in msgs] for name, msgs in self.errors.items()}
            )


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as training data, or None."""
    if "\x00" in text:
        return "Contains a NUL byte."
    if _BAD_CHARS.search(text):
        return "Contains control or replacement characters; paste it as plain text."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Contains characters that are not valid Unicode text."
    return None


def check_pair(
    *,
    category: Category,
    instruction: str,
    context: str,
    response: str,
    source_url: str = "",
    pair: Pair | None = None,
    require_response: bool = True,
    typed_chars: int = 0,
    pasted_chars: int = 0,
) -> CheckResult:
    """Check text as it would be submitted. ``pair`` is excluded from the duplicate check."""
    result = CheckResult()
    values = {"instruction": instruction, "context": context, "response": response}
    limits = settings.HANDWRITTEN_LIMITS

    for name, value in values.items():
        problem = text_problem(value)
        if problem:
            result.error(name, problem)
    if not result.ok:
        return result

    result.findings = findings_scan(text_fields=values)
    for name, message in credential_messages(findings=result.findings, text_fields=values):
        result.error(name, message)

    if not instruction.strip():
        result.error("instruction", "Write an instruction.")
    if require_response and not response.strip():
        result.error("response", "Write a response.")

    policy = category.context_policy
    if policy == Category.ContextPolicy.REQUIRED and not context.strip():
        result.error("context", f"{category.name} needs a context passage.")
    if policy == Category.ContextPolicy.NONE and context.strip():
        result.error("context", f"{category.name} takes no context; remove it.")

    for name, value in values.items():
        low, high = limits[name]
        stripped = value.strip()
        if not stripped:
            continue
        if len(stripped) < low:
            result.error(name, f"Too short: at least {low} characters ({len(stripped)} now).")
        if len(stripped) > high:
            result.error(name, f"Too long: at most {high} characters ({len(stripped)} now).")

    if instruction.strip() and response.strip() and _same(instruction, response):
        result.error("response", "The response repeats the instruction.")
    if context.strip() and response.strip() and _same(context, response):
        result.error("response", "The response only copies the context.")

    if source_url:
        try:
            _url_validator(source_url)
        except ValidationError:
            result.error("source_url", "Enter a full http:// or https:// address.")

    if instruction.strip() and "instruction" not in result.errors:
        dupes = Revision.objects.filter(
            instruction_key=instruction_key(instruction),
            pair__dataset_id=category.dataset_id,
            pair__status__in=_LIVE,
        ).filter(pk__in=_current_revision_ids(category.dataset_id))
        if pair is not None:
            dupes = dupes.exclude(pair=pair)
        if dupes.exists():
            result.error("instruction", "This instruction already exists in the dataset.")

    written = len(instruction) + len(context) + len(response)
    if written and pasted_chars > 0.5 * written and pasted_chars > typed_chars:
        result.warnings.append("Most of this text was pasted rather than typed.")
    return result


def _current_revision_ids(dataset_id: int):
    return Pair.objects.filter(dataset_id=dataset_id, status__in=_LIVE).values(
        "current_revision_id"
    )

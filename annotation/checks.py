"""The one set of content checks: what must hold before text enters review as training data.

Submit (annotation.submission), open questions (annotation.prompts), an approve-with-edit
and an accepted edit (review.decisions, review.edits) call ``check_pair``; the import
(annotation.importing) calls its parts line by line (``check_text``) and per batch
(``duplicate_keys``, ``similar_pairs``), so every rule below is stated once:

- characters: control characters, disguises (bidi overrides, zero-width characters);
- presence, the category's context policy, the length limits, copied fields;
- the duplicate rule: one live pair per normalised instruction and dataset
  (``Pair.instruction_key``, unique in the database too);
- near-duplicates across every dataset (a warning: the writer may still submit and the
  reviewer sees the flag);
- personal data and credentials (annotation.findings): credentials are errors, personal
  data is carried in the result for the caller to record.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from annotation.findings import Finding, credential_messages, findings_scan, text_findings
from annotation.models import Category, Pair, Revision
from annotation.normalisation import disguise_problem, instruction_key, normalise
from annotation.similar import DUPLICATE_MESSAGE, duplicate_keys, similar_pairs

# Control characters other than tab, newline and carriage return corrupt JSONL and
# tokenizers alike; U+FFFD means the text was already mangled before it reached us.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\ufffe\uffff]")
_url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class CheckResult:
    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # annotation.similar.Similar, most similar first; a warning, never an error.
    near_duplicates: list = field(default_factory=list)
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


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored at all (not even as a draft), or None."""
    if "\x00" in text:
        return "Contains a NUL byte."
    if _BAD_CHARS.search(text):
        return "Contains control or replacement characters; paste it as plain text."
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "Contains characters that are not valid Unicode text."
    return None


def _same(a: str, b: str) -> bool:
    return normalise(a) == normalise(b)


def check_text(
    *,
    category: Category,
    instruction: str,
    context: str,
    response: str,
    require_response: bool = True,
    policy: bool = True,
) -> CheckResult:
    """The checks that need no database: characters, presence, the context policy and
    the limits (both skipped with ``policy=False``), copies, and the registered checks."""
    result = CheckResult()
    values = {"instruction": instruction, "context": context, "response": response}
    for name, value in values.items():
        problem = text_problem(value) or disguise_problem(value)
        if problem:
            result.error(name, problem)
    if not result.ok:
        return result

    if not instruction.strip():
        result.error("instruction", "Write an instruction.")
    if require_response and not response.strip():
        result.error("response", "Write a response.")

    if policy:
        _policy(result, category, values)

    if instruction.strip() and response.strip() and _same(instruction, response):
        result.error("response", "The response repeats the instruction.")
    if context.strip() and response.strip() and _same(context, response):
        result.error("response", "The response only copies the context.")

    # Personal data and credentials (annotation.findings): credentials are refused.
    result.findings = findings_scan(text_fields=values)
    for name, message in credential_messages(findings=result.findings, text_fields=values):
        result.error(name, message)
    return result


def _policy(result: CheckResult, category: Category, values: dict[str, str]) -> None:
    rule = category.context_policy
    if rule == Category.ContextPolicy.REQUIRED and not values["context"].strip():
        result.error("context", f"{category.name} needs a context passage.")
    if rule == Category.ContextPolicy.NONE and values["context"].strip():
        result.error("context", f"{category.name} takes no context; remove it.")
    for name, value in values.items():
        low, high = settings.HANDWRITTEN_LIMITS[name]
        stripped = value.strip()
        if not stripped:
            continue
        if len(stripped) < low:
            result.error(name, f"Too short: at least {low:,} characters ({len(stripped):,} now).")
        if len(stripped) > high:
            result.error(name, f"Too long: at most {high:,} characters ({len(stripped):,} now).")


def is_duplicate_error(error: Exception) -> bool:
    """Whether an IntegrityError is the database refusing a duplicate instruction."""
    text = str(error)
    return "pair_unique_live_instruction" in text or "instruction_key" in text


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
    """Check text as it would be submitted. ``pair`` is excluded from the duplicate check
    and from its own near-duplicates."""
    result = check_text(
        category=category,
        instruction=instruction,
        context=context,
        response=response,
        require_response=require_response,
    )
    longest = Revision._meta.get_field("source_url").max_length
    if len(source_url) > longest:
        result.error(
            "source_url", f"Too long: at most {longest:,} characters ({len(source_url):,} now)."
        )
    elif source_url:
        try:
            _url_validator(source_url)
        except ValidationError:
            result.error("source_url", "Enter a full http:// or https:// address.")
        else:
            # A source ships with the pair and has no place to confirm anything: an address
            # carrying a password, a token or someone's email is refused outright.
            for found in text_findings(field="source_url", text=source_url):
                result.error(
                    "source_url",
                    f"{found.label} in the address: link to the page without it.",
                )

    if instruction.strip() and "instruction" not in result.errors:
        key = instruction_key(instruction)
        if duplicate_keys(dataset_id=category.dataset_id, keys=[key], exclude=pair):
            result.error("instruction", DUPLICATE_MESSAGE)
        else:
            result.near_duplicates = similar_pairs(
                instruction=instruction,
                threshold=category.dataset.near_duplicate_threshold,
                exclude=pair,
            )
            if result.near_duplicates:
                best = result.near_duplicates[0]
                result.warnings.append(
                    f"Near-duplicate: {best.percent}% similar to an existing pair "
                    f"({best.pair.dataset.slug}/{best.pair.category.slug}, {best.pair.public_id})."
                )

    written = len(instruction) + len(context) + len(response)
    if written and pasted_chars > 0.5 * written and pasted_chars > typed_chars:
        result.warnings.append("Most of this text was pasted rather than typed.")
    return result

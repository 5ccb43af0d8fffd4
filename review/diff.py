"""Word-level differences between two texts, as HTML for reviewers."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words, runs of white space, and single punctuation marks: white space is kept as its
# own token so that line breaks survive and a changed word does not swallow its spaces.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def word_diff(old: str, new: str) -> SafeString:
    """``new`` against ``old``: removed words in <del>, added ones in <ins>, all escaped.

    White space between two changes joins them, so a rewritten phrase reads as one
    deletion and one insertion rather than alternating single words.
    """
    a, b = tokens(old), tokens(new)
    parts: list[str] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        if removed:
            parts.append(f"<del>{escape(''.join(removed))}</del>")
        if added:
            parts.append(f"<ins>{escape(''.join(added))}</ins>")
        removed.clear()
        added.clear()

    opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    for index, (op, a1, a2, b1, b2) in enumerate(opcodes):
        same = "".join(a[a1:a2])
        between_changes = 0 < index < len(opcodes) - 1 and (removed or added)
        if op == "equal" and not (between_changes and not same.strip()):
            flush()
            parts.append(escape(same))
            continue
        removed.extend(a[a1:a2])
        added.extend(b[b1:b2])
    flush()
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


LABELS = {
    "instruction": "Instruction",
    "context": "Context",
    "source_url": "Source URL",
    "response": "Response",
}


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    html: SafeString
    changed: bool


def text_diff(old, new) -> list[FieldDiff]:
    """Field by field, ``new`` against ``old`` (revisions or edit proposals); fields empty
    on both sides are left out."""
    diffs = []
    for name, label in LABELS.items():
        before, after = getattr(old, name), getattr(new, name)
        if before or after:
            diffs.append(FieldDiff(name, label, word_diff(before, after), before != after))
    return diffs

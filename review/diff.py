"""Word-level differences between two texts, as HTML for reviewers.

The words are diffed by diff-match-patch (Myers' algorithm with a deadline), each distinct
token standing for one character: the library's lines-to-chars trick, applied to words.
difflib's matcher was quadratic or worse on words: a 1,500-character revision took ~18 s
and a 30,000-character one never finished. With a deadline the cost is bounded whatever
the text: past it the library stops refining and returns a coarser, still correct, diff.
Two fields at their limits (30,000 characters each), every word changed, diff in about
0.1 s here (``python -m tests.bench diff``).
"""

import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from annotation.models import Revision
from review.models import EditProposal

# A word or a single punctuation mark, each with the white space before it (so that the
# diff matches words, not the spaces between them), and trailing white space on its own.
_TOKENS = re.compile(r"\s*(?:\w+|[^\w\s])|\s+", re.UNICODE)
_LEADING_SPACE = re.compile(r"\s*")

# Seconds diff-match-patch may spend refining a diff before it settles for a coarser one:
# one field's by default, all fields of a revision together in text_diff (shared by
# length), so that a revision at the field limits renders its page in well under 300 ms.
DIFF_TIMEOUT = 0.05
REVISION_DIFF_TIMEOUT = 0.08

# Tokens become code points from here on, past the surrogates, so that no token's stand-in
# is a character the library treats specially.
_FIRST_CODE_POINT = 0xE000


def tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def _encode(texts: tuple[str, str]) -> tuple[list[str], list[str]]:
    """Each text as a string of one character per token, and the table to read it back."""
    table: list[str] = []
    index: dict[str, str] = {}
    encoded = []
    for text in texts:
        chars = []
        for token in tokens(text):
            char = index.get(token)
            if char is None:
                char = chr(_FIRST_CODE_POINT + len(table))
                index[token] = char
                table.append(token)
            chars.append(char)
        encoded.append("".join(chars))
    return encoded, table


def token_diff(old: str, new: str, *, timeout: float = DIFF_TIMEOUT) -> list[tuple[int, str]]:
    """``(op, text)`` pieces turning ``old`` into ``new``, by whole tokens: op -1 removes,
    1 adds, 0 keeps. Gives up refining after ``timeout`` seconds (a coarser diff)."""
    (a, b), table = _encode((old, new))
    dmp = diff_match_patch()
    dmp.Diff_Timeout = timeout
    # No semantic cleanup: it folds short unchanged words into the changes around them,
    # and reviewers want to see which words of a rewritten phrase survived.
    diffs = dmp.diff_main(a, b, checklines=False)
    base = _FIRST_CODE_POINT
    return [(op, "".join(table[ord(char) - base] for char in chars)) for op, chars in diffs]


def word_diff(old: str, new: str, *, timeout: float = DIFF_TIMEOUT) -> SafeString:
    """``new`` against ``old``: removed words in <del>, added ones in <ins>, all escaped.

    White space between two changes joins them, so a rewritten phrase reads as one
    deletion and one insertion rather than alternating single words.
    """
    pieces = _slide(token_diff(old, new, timeout=timeout))
    parts: list[str] = []
    removed: list[str] = []
    added: list[str] = []

    def flush() -> None:
        # A change shows the words, not the space before them they happen to share.
        if removed and added:
            space = _common_space(removed[0], added[0])
            if space:
                parts.append(escape(space))
                removed[0], added[0] = removed[0][len(space) :], added[0][len(space) :]
        if removed:
            parts.append(f"<del>{escape(''.join(removed))}</del>")
        if added:
            parts.append(f"<ins>{escape(''.join(added))}</ins>")
        removed.clear()
        added.clear()

    for index, (op, text) in enumerate(pieces):
        if op == -1:
            removed.append(text)
        elif op == 1:
            added.append(text)
        elif (removed or added) and index < len(pieces) - 1 and not text.strip():
            removed.append(text)
            added.append(text)
        else:
            flush()
            parts.append(escape(text))
    flush()
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


def _slide(pieces: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """An added or removed word between unchanged ones carries the space after it rather
    than the one before (``a <ins>new </ins>word``, not ``a<ins> new</ins> word``)."""
    pieces = list(pieces)
    slid: list[tuple[int, str]] = []
    for index, (op, text) in enumerate(pieces):
        following = pieces[index + 1][1] if index + 1 < len(pieces) else ""
        between_equals = index + 1 < len(pieces) and pieces[index + 1][0] == 0
        alone = op != 0 and between_equals and (not slid or slid[-1][0] == 0)
        space = _common_space(text, following) if alone and text.strip() else ""
        if space:
            before = slid.pop()[1] if slid else ""
            slid.append((0, before + space))
            text = text[len(space) :] + space
            pieces[index + 1] = (0, following[len(space) :])
        slid.append((op, text))
    return [piece for piece in slid if piece[1]]


def _common_space(a: str, b: str) -> str:
    space_a, space_b = _LEADING_SPACE.match(a).group(), _LEADING_SPACE.match(b).group()
    return space_a if space_a == space_b else ""


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


def text_diff(old: Revision | EditProposal, new: Revision | EditProposal) -> list[FieldDiff]:
    """Field by field, ``new`` against ``old`` (revisions or edit proposals); fields empty
    on both sides are left out."""
    texts = {name: (getattr(old, name), getattr(new, name)) for name in LABELS}
    total = sum(len(before) + len(after) for before, after in texts.values()) or 1
    diffs = []
    for name, (before, after) in texts.items():
        if before or after:
            share = REVISION_DIFF_TIMEOUT * (len(before) + len(after)) / total
            html = word_diff(before, after, timeout=max(share, 0.001))
            diffs.append(FieldDiff(name, LABELS[name], html, before != after))
    return diffs

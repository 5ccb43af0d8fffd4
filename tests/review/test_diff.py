"""review.diff and the http_url filter: what reviewers see of changes and links."""

from types import SimpleNamespace

import pytest

from review.diff import text_diff, word_diff
from review.templatetags.review_tags import http_url


def test_changed_words_are_marked():
    assert word_diff("the quick fox", "the slow fox") == "the <del>quick</del><ins>slow</ins> fox"


def test_equal_text_has_no_marks():
    assert word_diff("same text\nhere", "same text\nhere") == "same text\nhere"


def test_everything_is_escaped():
    html = word_diff("<b>old</b>", "<script>alert('x')</script>")
    assert "<script" not in html and "<b>" not in html
    assert html.startswith("&lt;") and "alert(&#x27;x&#x27;)" in html


def test_added_and_removed_at_the_ends():
    assert word_diff("", "new") == "<ins>new</ins>"
    assert word_diff("gone", "") == "<del>gone</del>"


def test_text_diff_lists_non_empty_fields_with_labels():
    old = SimpleNamespace(instruction="Why?", context="", source_url="", response="Because.")
    new = SimpleNamespace(instruction="Why?", context="", source_url="", response="Because so.")
    diffs = text_diff(old, new)
    assert [(d.label, d.changed) for d in diffs] == [("Instruction", False), ("Response", True)]


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://example.org/a", "https://example.org/a"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", ""),
        ("JaVaScRiPt:alert(1)", ""),
        ("data:text/html,x", ""),
        ("//example.org", ""),
        ("", ""),
        ("http://[::1", ""),
    ],
)
def test_only_http_addresses_become_links(value, shown):
    assert http_url(value) == shown


def test_a_rewritten_phrase_reads_as_one_change():
    html = word_diff("which lets them cross deserts", "not water. The fat gives them")
    assert html == (
        "<del>which lets</del><ins>not water. The fat gives</ins> them<del> cross deserts</del>"
    )

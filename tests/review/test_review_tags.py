"""review_tags: audit verbs in words."""

from review.templatetags.review_tags import audit_words


def test_audit_verbs_read_as_words():
    assert audit_words("pair.request_changes") == "Pair: request changes"
    assert audit_words("review.approve_with_edit") == "Review: approve with edit"
    assert audit_words("pairs.import") == "Pairs: import"
    assert audit_words("odd_verb") == "Odd verb"

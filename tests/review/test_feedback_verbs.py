"""The author's feedback knows every verb review records about their pair, from review's
own decisions, not from a second list in annotation."""

from annotation.feedback import FEEDBACK_VERBS
from review.models import Review


def test_every_review_decision_is_told_to_the_author():
    for decision in Review.Decision:
        assert FEEDBACK_VERBS[f"review.{decision.value}"]


def test_verdicts_edits_and_admin_actions_are_told():
    for verb in ("pair.approve", "pair.reject", "pair.improvement_reject", "edit.accept"):
        assert verb in FEEDBACK_VERBS
    assert FEEDBACK_VERBS["pair.retract"] == "Retracted by an admin"
    assert FEEDBACK_VERBS["pair.reopen"] == "Reopened by an admin"

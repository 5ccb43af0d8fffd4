"""What an author is told of review, from the verbs review records (annotation.feedback).

Each decision's verb is derived from the decisions a review may take, so a decision added
to ``Review.Decision`` without words for its author fails the test that checks them.
"""

from annotation.feedback import feedback_register
from annotation.workflow import S
from review.models import Review
from review.outcomes import APPROVED_VERB, IMPROVEMENT_REJECTED_VERB, REJECTED_VERB

D = Review.Decision

# What a decision is, told afterwards.
DECIDED = {
    D.APPROVE: "Approved",
    D.APPROVE_WITH_EDIT: "Approved with an edit",
    D.REQUEST_CHANGES: "Changes requested",
    D.REJECT: "Rejected",
}


def feedback_verbs_register() -> None:
    for decision in D:
        feedback_register(f"review.{decision.value}", DECIDED[decision])
    # The verdicts (review.outcomes), named by the status they lead to.
    for verb, status in ((APPROVED_VERB, S.APPROVED), (REJECTED_VERB, S.REJECTED)):
        feedback_register(verb, f"Pair {status.label.lower()}")
    feedback_register(
        IMPROVEMENT_REJECTED_VERB,
        "Your newer revision was rejected; the approved text still ships",
    )
    feedback_register("edit.accept", "An edit was accepted")

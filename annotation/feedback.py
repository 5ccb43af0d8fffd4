"""What reviewers told an author, read from the audit trail.

annotation does not import review; review records each decision as an AuditEvent on the
pair (verbs below, with ``data`` holding ``revision``, ``comment`` and ``reason`` labels),
and this module reads them back for the author's pages.
"""

from dataclasses import dataclass
from datetime import datetime

from annotation.models import AuditEvent, Pair

FEEDBACK_VERBS = {
    "review.approve": "Approved",
    "review.approve_with_edit": "Approved with an edit",
    "review.request_changes": "Changes requested",
    "review.reject": "Rejected",
    "edit.accept": "An edit was accepted",
    "pair.approve": "Pair approved",
    "pair.reject": "Pair rejected",
    "pair.improvement_reject": "Your newer revision was rejected; the approved text still ships",
    "pair.retract": "Retracted by an admin",
    "pair.reopen": "Reopened by an admin",
}


@dataclass(frozen=True)
class Feedback:
    when: datetime
    what: str
    revision: int | None
    comment: str
    reason: str


def pair_feedback(*, pair: Pair) -> list[Feedback]:
    """Newest first. Reviewer names are left out: authors see what, not who."""
    events = AuditEvent.objects.filter(
        object_type="pair", object_id=str(pair.public_id), verb__in=FEEDBACK_VERBS
    ).order_by("-created_at", "-pk")
    return [
        Feedback(
            when=event.created_at,
            what=FEEDBACK_VERBS[event.verb],
            revision=event.data.get("revision"),
            comment=event.data.get("comment", ""),
            reason=event.data.get("reason_label") or event.data.get("reason", ""),
        )
        for event in events
    ]

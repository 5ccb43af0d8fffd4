"""What reviewers told an author, read from the audit trail.

annotation does not import review; review records each decision as an AuditEvent on the
pair (with ``data`` holding ``revision``, ``comment`` and ``reason`` labels) and names
the verbs an author is told about, with what they mean, through :func:`feedback_register`
when it loads (review/apps.py). This module reads them back for the author's pages.
"""

from dataclasses import dataclass
from datetime import datetime

from annotation.models import AuditEvent, Pair
from annotation.workflow import REOPEN, RETRACT

# verb -> what the author reads. An admin's lifecycle actions are this app's own.
FEEDBACK_VERBS: dict[str, str] = {
    "pair.retract": f"{RETRACT.done.capitalize()} by an admin",
    "pair.reopen": f"{REOPEN.done.capitalize()} by an admin",
}


def feedback_register(verb: str, label: str) -> None:
    """Tell authors about audit events of ``verb`` on their pairs, as ``label``."""
    FEEDBACK_VERBS[verb] = label


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

"""The pair lifecycle: the one place that knows which status may follow which.

    draft -> submitted -> approved -> retracted
                |  ^          (an approved pair may go back to submitted with a newer
                v  |           revision; its approved revision keeps shipping meanwhile)
      changes_requested
    submitted -> rejected -> submitted (admin reopens)
    draft/submitted/changes_requested -> withdrawn

Every change of status goes through :func:`transition`, which locks the row, checks the
move, saves and writes an AuditEvent in one transaction.
"""

from typing import Any

from django.db import transaction

from annotation.audit import audit
from annotation.models import Pair

S = Pair.Status

LEGAL: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.APPROVED, S.CHANGES_REQUESTED, S.REJECTED, S.WITHDRAWN, S.RETRACTED}),
    S.CHANGES_REQUESTED: frozenset({S.SUBMITTED, S.WITHDRAWN, S.RETRACTED}),
    S.APPROVED: frozenset({S.SUBMITTED, S.RETRACTED}),
    S.REJECTED: frozenset({S.SUBMITTED}),
    S.WITHDRAWN: frozenset(),
    S.RETRACTED: frozenset(),
}

# Only the author writes; these statuses let the author change the working text.
EDITABLE = frozenset({S.DRAFT, S.CHANGES_REQUESTED, S.APPROVED})


class IllegalTransition(Exception):
    def __init__(self, pair: Pair, to: str, why: str = "") -> None:
        self.pair, self.to = pair, to
        message = f"A {pair.get_status_display().lower()} pair cannot become {S(to).label.lower()}"
        super().__init__(f"{message}: {why}" if why else f"{message}.")


def is_legal(*, pair: Pair, to: str) -> bool:
    try:
        _check(pair, to)
    except IllegalTransition:
        return False
    return True


def _check(pair: Pair, to: str) -> None:
    if to not in LEGAL[pair.status]:
        raise IllegalTransition(pair, to)
    if to == S.RETRACTED and pair.approved_revision_id is None:
        raise IllegalTransition(pair, to, "it was never approved")
    if to == S.WITHDRAWN and pair.approved_revision_id is not None:
        raise IllegalTransition(pair, to, "an approved pair is retracted, not withdrawn")


def lock(pair: Pair) -> Pair:
    """The pair's row, re-read and locked until the surrounding transaction ends."""
    return Pair.objects.select_for_update().get(pk=pair.pk)


def transition(
    *,
    pair: Pair,
    to: str,
    by,
    verb: str,
    fields: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Pair:
    """Move ``pair`` to status ``to``, also setting ``fields``; returns the fresh row.

    Raises IllegalTransition when the pair's current status (read under the lock, not the
    possibly stale one in memory) does not allow the move.
    """
    with transaction.atomic():
        locked = lock(pair)
        _check(locked, to)
        before = locked.status
        locked.status = to
        for name, value in (fields or {}).items():
            setattr(locked, name, value)
        locked.save()
        audit(actor=by, verb=verb, obj=locked, before=before, after=to, **(data or {}))
    return locked

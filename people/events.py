"""What happened to an account, announced for the audit trail.

people/ imports none of the other apps, so it cannot write annotation's AuditEvent itself:
it sends ``person_event`` and annotation records it. Receivers run synchronously, inside
the caller's transaction, so the event commits or rolls back with the change.
"""

from typing import Any

from django.contrib.auth.models import User
from django.dispatch import Signal

person_event = Signal()


def announce(*, actor: User | None, verb: str, user: User, **data: Any) -> None:
    person_event.send(sender=User, actor=actor, verb=verb, obj=user, data=data)

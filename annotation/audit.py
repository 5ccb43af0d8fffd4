from typing import Any

from django.contrib.auth.models import User
from django.db import models

from annotation.models import AuditEvent


def audit(*, actor: User | None, verb: str, obj: models.Model, **data: Any) -> AuditEvent:
    """Record that ``actor`` did ``verb`` to ``obj``. Call inside the changing transaction."""
    event = _event(actor, verb, obj, data)
    event.save()
    return event


def audit_many(
    *, actor: User | None, verb: str, changes: list[tuple[models.Model, dict[str, Any]]]
) -> None:
    """:func:`audit` for many objects in one statement: ``changes`` is (object, data) pairs."""
    AuditEvent.objects.bulk_create([_event(actor, verb, obj, data) for obj, data in changes])


def _event(actor: User | None, verb: str, obj: models.Model, data: dict[str, Any]) -> AuditEvent:
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        object_type=obj._meta.model_name,
        object_id=str(getattr(obj, "public_id", None) or obj.pk),
        data=data,
    )

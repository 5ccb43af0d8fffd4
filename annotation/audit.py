from typing import Any

from django.db import models

from annotation.models import AuditEvent


def audit(*, actor, verb: str, obj: models.Model, **data: Any) -> AuditEvent:
    """Record that ``actor`` did ``verb`` to ``obj``. Call inside the changing transaction."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        object_type=obj._meta.model_name,
        object_id=str(getattr(obj, "public_id", None) or obj.pk),
        data=data,
    )

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

if TYPE_CHECKING:
    # Not imported for real: apps.py loads before the app registry is ready.
    from django.contrib.auth.models import User


class AnnotationConfig(AppConfig):
    name = "annotation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from people.events import person_event

        person_event.connect(_record_person_event, dispatch_uid="annotation.audit.people")


def _record_person_event(
    *, actor: "User | None", verb: str, obj: "User", data: dict[str, Any], **_kwargs: Any
) -> None:
    from annotation.audit import audit

    audit(actor=actor, verb=verb, obj=obj, **data)

from django.apps import AppConfig


class AnnotationConfig(AppConfig):
    name = "annotation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from people.events import person_event

        person_event.connect(_record_person_event, dispatch_uid="annotation.audit.people")


def _record_person_event(*, actor, verb, obj, data, **_kwargs) -> None:
    from annotation.audit import audit

    audit(actor=actor, verb=verb, obj=obj, **data)

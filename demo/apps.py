from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: seed_demo, which calls every app's services (so it lives above them all)."""

    name = "demo"
    default_auto_field = "django.db.models.BigAutoField"

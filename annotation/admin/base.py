from django.contrib import admin
from django.db import models
from django.db.models import Model
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is append-only: visible to admins, changed only through the app's services."""

    # Django 5 warns, building even a read-only page's form, that URL fields will assume
    # https in Django 6; they do here already (as DatasetAdmin's).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

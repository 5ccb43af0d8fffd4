from django.contrib import admin
from django.http import HttpRequest

from exports.models import Release, ReleaseFile


class ReleaseFileInline(admin.TabularInline):
    model = ReleaseFile
    fields = ["name", "bytes", "sha256", "storage_path"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Release | None = None) -> bool:
        return False


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Read-only: releases are made by the build and never edited (see exports.services)."""

    list_display = ["dataset", "label", "state", "total_count", "created_at", "built_by"]
    list_filter = ["state", "dataset"]
    inlines = [ReleaseFileInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Release | None = None) -> list[str]:
        return [field.name for field in Release._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Release | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Release | None = None) -> bool:
        return False

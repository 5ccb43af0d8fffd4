"""Licence acceptances and the audit trail: read-only."""

import json

from django.contrib import admin
from django.utils.html import format_html

from annotation.admin.base import ReadOnlyAdmin
from annotation.models import AuditEvent, LicenceAcceptance


@admin.register(LicenceAcceptance)
class LicenceAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["user", "dataset", "licence", "licence_version", "accepted_at"]
    list_filter = ["dataset", "licence_version"]
    search_fields = ["user__username"]
    list_select_related = ["user", "dataset"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "verb", "object_type", "object_id"]
    list_filter = ["verb", "object_type"]
    search_fields = ["object_id", "actor__username", "verb"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "verb", "object_type", "object_id", "details"]
    readonly_fields = ["created_at", "details"]

    @admin.display(description="Data")
    def details(self, event: AuditEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.data, indent=2, ensure_ascii=False))

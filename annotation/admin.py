from django.contrib import admin

from annotation.models import (
    Assignment,
    AuditEvent,
    Category,
    Dataset,
    LicenceAcceptance,
    OpenPrompt,
    Pair,
    Revision,
)


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ["slug", "name", "context_policy", "target_share", "reviews_required", "active"]
    extra = 0


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "licence", "licence_version", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "slug",
        "name",
        "dataset",
        "context_policy",
        "target_share",
        "reviews_required",
        "active",
    ]
    list_filter = ["dataset", "active", "context_policy"]
    filter_horizontal = ["allowed_groups"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is append-only: visible to admins, changed only through the app's services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Pair)
class PairAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "dataset", "category", "author", "status", "updated_at"]
    list_filter = ["dataset", "status", "category"]
    search_fields = ["public_id", "author__username"]
    list_select_related = ["dataset", "category", "author"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["pair", "number", "kind", "author", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["pair", "author"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["contributor", "category", "outcome", "created_at", "expires_at"]
    list_filter = ["outcome", "category"]


@admin.register(OpenPrompt)
class OpenPromptAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "category", "author", "status", "created_at"]


@admin.register(LicenceAcceptance)
class LicenceAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["user", "dataset", "licence", "licence_version", "accepted_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "verb", "object_type", "object_id"]
    list_filter = ["verb", "object_type"]
    search_fields = ["object_id", "actor__username"]

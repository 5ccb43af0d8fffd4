from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is append-only: visible to admins, changed only through the app's services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

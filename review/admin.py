from django.contrib import admin
from django.http import HttpRequest

from annotation.admin import ReadOnlyAdmin
from review.models import EditProposal, Lease, Review


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["pair", "revision", "reviewer", "round", "decision", "reason", "created_at"]
    list_filter = ["decision", "reason"]
    list_select_related = ["pair", "revision", "reviewer"]
    search_fields = ["pair__public_id", "reviewer__username"]


@admin.register(EditProposal)
class EditProposalAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "pair", "proposer", "status", "decided_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["pair", "proposer", "decided_by"]
    search_fields = ["public_id", "pair__public_id", "proposer__username"]


@admin.register(Lease)
class LeaseAdmin(admin.ModelAdmin):
    """A stuck lease can be ended here; it only hands the item back to its queue."""

    list_display = ["kind", "pair", "proposal", "holder", "taken_at", "expires_at"]
    list_filter = ["kind"]
    list_select_related = ["pair", "proposal", "holder"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Lease | None = None) -> bool:
        return False

"""Pairs, their revisions, assignments and open prompts: read-only history."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from annotation.admin.base import ReadOnlyAdmin
from annotation.admin.findings import (
    ActiveTimeFilter,
    PairActiveTimeFilter,
    PairTypingFilter,
    TypingFilter,
)
from annotation.admin.pair_actions import reopen_pairs, retract_pairs
from annotation.models import Assignment, OpenPrompt, Pair, Revision


def _revisions_link(pair: Pair) -> str:
    url = reverse("admin:annotation_revision_changelist") + f"?pair__id__exact={pair.pk}"
    return format_html('<a href="{}">Revisions of this pair</a>', url)


@admin.register(Pair)
class PairAdmin(ReadOnlyAdmin):
    list_display = [
        "public_id",
        "dataset",
        "category",
        "author",
        "status",
        "submitted_at",
        "updated_at",
    ]
    list_filter = [
        "dataset",
        "status",
        "category",
        "current_revision__kind",
        PairTypingFilter,
        PairActiveTimeFilter,
    ]
    actions = [reopen_pairs, retract_pairs]
    search_fields = ["public_id", "author__username", "current_revision__instruction"]
    list_select_related = ["dataset", "category", "author"]
    date_hierarchy = "created_at"
    fields = [
        "public_id",
        "dataset",
        "category",
        "author",
        "status",
        "revisions",
        "current_revision",
        "approved_revision",
        "instruction",
        "review_round",
        "assignment",
        "prompt",
        "submitted_at",
        "approved_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["public_id", "revisions", "instruction", "created_at", "updated_at"]

    @admin.display(description="Revisions")
    def revisions(self, pair: Pair) -> str:
        return _revisions_link(pair)

    @admin.display(description="Current instruction")
    def instruction(self, pair: Pair) -> str:
        return pair.current_revision.instruction if pair.current_revision else "—"


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["pair", "number", "kind", "category", "author", "authenticity", "created_at"]
    list_filter = ["kind", "category__dataset", "category", TypingFilter, ActiveTimeFilter]
    search_fields = ["pair__public_id", "author__username", "instruction"]
    list_select_related = ["pair", "author", "category__dataset"]
    fields = [
        "pair_link",
        "number",
        "kind",
        "author",
        "category",
        "instruction",
        "context",
        "source_url",
        "response",
        "content_hash",
        "active_seconds",
        "typed_chars",
        "pasted_chars",
        "warnings",
        "created_at",
    ]
    readonly_fields = ["pair_link", "created_at"]

    @admin.display(description="Pair")
    def pair_link(self, revision: Revision) -> str:
        url = reverse("admin:annotation_pair_change", args=[revision.pair_id])
        return format_html(
            '<a href="{}">{}</a> · {}', url, revision.pair, _revisions_link(revision.pair)
        )


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["contributor", "category", "outcome", "created_at", "expires_at"]
    list_filter = ["outcome", "category__dataset", "category"]
    search_fields = ["contributor__username"]
    list_select_related = ["contributor", "category__dataset"]


@admin.register(OpenPrompt)
class OpenPromptAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "category", "author", "status", "created_at"]
    list_filter = ["status", "dataset", "category"]
    search_fields = ["public_id", "author__username", "instruction"]
    list_select_related = ["category__dataset", "author"]

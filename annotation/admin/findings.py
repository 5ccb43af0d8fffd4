"""Admin for findings and the authenticity filters (typed vs pasted, active time).

Authenticity never blocks anything: the filters only let an admin look at, say, the
mostly pasted pairs.
"""

from collections import Counter

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from annotation.admin.base import ReadOnlyAdmin
from annotation.findings import kind_label
from annotation.flags import finding_confirm
from annotation.models import Finding


class TypingFilter(admin.SimpleListFilter):
    """Typed against pasted characters of a revision (a pair: of its current revision)."""

    title = "typing"
    parameter_name = "typing"
    prefix = ""

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("typed", "mostly typed"),
            ("pasted", "mostly pasted"),
            ("none", "not recorded"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        typed, pasted = f"{self.prefix}typed_chars", f"{self.prefix}pasted_chars"
        if self.value() == "typed":
            return queryset.filter(**{f"{typed}__gte": F(pasted), f"{typed}__gt": 0})
        if self.value() == "pasted":
            return queryset.filter(**{f"{pasted}__gt": F(typed)})
        if self.value() == "none":
            return queryset.filter(**{typed: 0, pasted: 0})
        return queryset


class ActiveTimeFilter(admin.SimpleListFilter):
    title = "active writing time"
    parameter_name = "active"
    prefix = ""

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [
            ("minute", "under a minute"),
            ("short", "1 to 10 minutes"),
            ("long", "over 10 minutes"),
            ("none", "not recorded"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        seconds = f"{self.prefix}active_seconds"
        ranges = {
            "minute": Q(**{f"{seconds}__gt": 0, f"{seconds}__lt": 60}),
            "short": Q(**{f"{seconds}__gte": 60, f"{seconds}__lte": 600}),
            "long": Q(**{f"{seconds}__gt": 600}),
            "none": Q(**{seconds: 0}),
        }
        if self.value() in ranges:
            return queryset.filter(ranges[self.value()])
        return queryset


class PairTypingFilter(TypingFilter):
    prefix = "current_revision__"


class PairActiveTimeFilter(ActiveTimeFilter):
    prefix = "current_revision__"


class ConfirmedFilter(admin.SimpleListFilter):
    title = "confirmed"
    parameter_name = "confirmed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("no", "not confirmed (keeps the pair out of releases)"), ("yes", "confirmed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("no", "yes"):
            return queryset.filter(confirmed_at__isnull=self.value() == "no")
        return queryset


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    """Findings are recorded by the app; an admin only confirms them (an action)."""

    list_display = [
        "pair_link",
        "revision_number",
        "field",
        "kind_name",
        "position",
        "confirmed_by",
        "confirmed_at",
    ]
    list_filter = [ConfirmedFilter, "category", "kind", "revision__pair__dataset"]
    list_select_related = ["revision__pair", "confirmed_by"]
    search_fields = ["revision__pair__public_id"]
    actions = ["confirm"]

    @admin.display(description="Pair")
    def pair_link(self, finding: Finding) -> str:
        pair = finding.revision.pair
        url = reverse("admin:annotation_pair_change", args=[pair.pk])
        return format_html('<a href="{}">{}</a>', url, pair.public_id)

    @admin.display(description="Revision")
    def revision_number(self, finding: Finding) -> int:
        return finding.revision.number

    @admin.display(description="Kind", ordering="kind")
    def kind_name(self, finding: Finding) -> str:
        return kind_label(finding.kind)

    @admin.display(description="Characters")
    def position(self, finding: Finding) -> str:
        return f"{finding.start}–{finding.end}"

    @admin.action(description="Confirm: fictional or public (the pair may ship)")
    def confirm(self, request: HttpRequest, queryset: QuerySet[Finding]) -> None:
        done, refusals = 0, Counter()
        for finding in queryset.filter(confirmed_at__isnull=True).select_related("revision__pair"):
            try:
                finding_confirm(finding=finding, by=request.user)
            except PermissionDenied as refused:
                refusals[str(refused)] += 1
                continue
            done += 1
        # Both counts: stopping at the first refusal hid that earlier ones were confirmed.
        if done or not refusals:
            messages.success(request, f"Confirmed {done} finding(s).")
        for why, count in refusals.items():
            messages.error(request, f"{count} finding(s) not confirmed. {why}")

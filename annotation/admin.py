"""Django's admin for the admin role: datasets, categories and people; history read-only.

Members of the "admin" group are staff with the permissions of annotation.setup. They
must not be able to grant more than that: for anyone but a superuser, a person's page
shows roles (the three role groups) instead of raw groups and permissions, hides the
superuser and staff flags (staff follows the admin role), and superusers' accounts are
read-only.
"""

import json
from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminTextareaWidget
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Sum
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from annotation.invites import is_pending, user_roles_set
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
from annotation.roles import ADMIN, ROLES

# Shares are fractions; their float sum may overshoot 1.0 by rounding alone.
_SHARE_SLACK = 1e-9


def _active_shares(dataset: Dataset, exclude: Iterable[int]) -> float:
    return (
        Category.objects.filter(dataset=dataset, active=True)
        .exclude(pk__in=list(exclude))
        .aggregate(total=Sum("target_share"))["total"]
        or 0.0
    )


def _percent(share: float) -> str:
    return f"{share * 100:.1f}".removesuffix(".0") + "%"


def _share_error(total: float) -> str:
    return (
        f"The active categories' target shares add up to {_percent(total)}; they may add up "
        "to at most 100%. Lower a share, or leave a category inactive."
    )


class CategoryForm(forms.ModelForm):
    target_share = forms.FloatField(
        min_value=0, max_value=1, help_text="Wanted fraction of the dataset, 0-1."
    )

    class Meta:
        model = Category
        fields = [
            "dataset",
            "slug",
            "name",
            "active",
            "guidelines",
            "examples",
            "context_policy",
            "allows_open_prompts",
            "reviews_required",
            "target_share",
            "target_count",
            "allowed_groups",
        ]
        widgets = {
            "guidelines": AdminTextareaWidget(attrs={"rows": 14}),
            "examples": AdminTextareaWidget(attrs={"rows": 6}),
            # A handful of role groups: checkboxes say more than a two-list picker.
            "allowed_groups": forms.CheckboxSelectMultiple,
        }

    def clean(self) -> dict:
        cleaned = super().clean()
        dataset, share = cleaned.get("dataset"), cleaned.get("target_share")
        if dataset is not None and share is not None and cleaned.get("active"):
            others = _active_shares(dataset, exclude=[self.instance.pk] if self.instance.pk else [])
            if others + share > 1 + _SHARE_SLACK:
                self.add_error(
                    "target_share",
                    f"{_share_error(others + share)} The other active categories of "
                    f"{dataset} take {_percent(others)}, so this one can have at most "
                    f"{_percent(max(0.0, 1 - others))}.",
                )
        return cleaned


class CategoryInlineFormSet(BaseInlineFormSet):
    """On a dataset's page several shares change at once: check their sum as a whole."""

    def clean(self) -> None:
        super().clean()
        total, shown = 0.0, []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data:
                continue
            if form.instance.pk:
                shown.append(form.instance.pk)
            if self.can_delete and self._should_delete_form(form):
                continue
            if data.get("active") and data.get("target_share") is not None:
                total += data["target_share"]
        if self.instance.pk:
            total += _active_shares(self.instance, exclude=shown)
        if total > 1 + _SHARE_SLACK:
            raise forms.ValidationError(_share_error(total))


class CategoryInlineForm(forms.ModelForm):
    target_share = forms.FloatField(
        min_value=0,
        max_value=1,
        widget=forms.NumberInput(attrs={"class": "vIntegerField", "step": "0.01"}),
    )

    class Meta:
        model = Category
        fields = ["slug", "name", "context_policy", "target_share", "target_count", "active"]
        widgets = {"target_count": forms.NumberInput(attrs={"class": "vIntegerField"})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A tabular inline labels its columns only in the header: name each cell's field
        # for screen readers (axe: label, select-name).
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", str(field.label))


class CategoryInline(admin.TabularInline):
    """The targets of all categories side by side; the rest on each category's page."""

    model = Category
    form = CategoryInlineForm
    formset = CategoryInlineFormSet
    show_change_link = True
    extra = 0


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "licence", "licence_version", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CategoryInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    form = CategoryForm
    list_display = [
        "slug",
        "name",
        "dataset",
        "context_policy",
        "target_share",
        "target_count",
        "reviews_required",
        "allows_open_prompts",
        "active",
    ]
    list_filter = ["dataset", "active", "context_policy", "allows_open_prompts"]
    search_fields = ["slug", "name"]
    list_select_related = ["dataset"]
    fieldsets = [
        (None, {"fields": ["dataset", "slug", "name", "active"]}),
        (
            "Guidelines",
            {
                "fields": ["guidelines", "examples"],
                "description": "Markdown, shown to writers and reviewers. Examples are a "
                'JSON list of {"instruction", "context", "response"} objects.',
            },
        ),
        (
            "Writing and review",
            {"fields": ["context_policy", "allows_open_prompts", "reviews_required"]},
        ),
        (
            "Targets",
            {
                "fields": ["target_share", "target_count"],
                "description": "Assignment gives writers the category furthest below its "
                "target. The shares of a dataset's active categories add up to at most 1.",
            },
        ),
        ("Who may be assigned it", {"fields": ["allowed_groups"]}),
    ]


# People


class _RolesField(forms.MultipleChoiceField):
    def __init__(self, **kwargs) -> None:
        super().__init__(
            choices=[(role, role.capitalize()) for role in ROLES],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            help_text="Admins are staff: they get this admin site for datasets, categories "
            "and people.",
            **kwargs,
        )


class _RolesMixin:
    """A ``roles`` field over the role groups; the admin saves it with user_roles_set."""

    def init_roles(self, editor: User) -> None:
        self.editor = editor
        if self.instance.pk:
            self.fields["roles"].initial = list(
                self.instance.groups.filter(name__in=ROLES).values_list("name", flat=True)
            )

    def clean_roles(self) -> list[str]:
        roles = self.cleaned_data["roles"]
        if (
            self.instance.pk == self.editor.pk
            and ADMIN not in roles
            and ADMIN in (self.fields["roles"].initial or [])
        ):
            raise forms.ValidationError(
                "You cannot take away your own admin role; ask another admin."
            )
        return roles


class PersonChangeForm(_RolesMixin, UserChangeForm):
    roles = _RolesField()

    def clean_is_active(self) -> bool:
        active = self.cleaned_data["is_active"]
        if not active and self.instance.pk == self.editor.pk:
            raise forms.ValidationError("You cannot deactivate your own account.")
        return active


class PersonCreationForm(_RolesMixin, AdminUserCreationForm):
    roles = _RolesField(initial=["contributor"])


def _role_action(role: str, give: bool) -> Callable:
    @admin.action(
        permissions=["change"],
        description=f"{'Give' if give else 'Take away'} the {role} role",
    )
    def action(modeladmin: "PersonAdmin", request, queryset) -> None:
        changed, refused = 0, []
        for user in queryset.prefetch_related("groups"):
            current = {g.name for g in user.groups.all() if g.name in ROLES}
            wanted = current | {role} if give else current - {role}
            if wanted == current:
                continue
            takes_own_admin = user.pk == request.user.pk and role == ADMIN and not give
            if takes_own_admin or not modeladmin.has_change_permission(request, user):
                refused.append(user.username)
                continue
            user_roles_set(user=user, roles=wanted, by=request.user)
            changed += 1
        modeladmin.message_user(request, f"Changed the roles of {changed} people.")
        if refused:
            modeladmin.message_user(
                request,
                f"Not changed (not yours to change): {', '.join(refused)}.",
                messages.WARNING,
            )

    action.__name__ = f"{'give' if give else 'take'}_{role}"
    return action


# Unregistered first: the auth app registered Django's own UserAdmin.
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    change_list_template = "admin/auth/user/people_change_list.html"
    list_display = ["username", "role_list", "email", "full_name", "joined", "is_active"]
    list_filter = ["groups", "is_active", "is_staff", "is_superuser"]
    actions = [_role_action(role, give) for give in (True, False) for role in ROLES]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "email", "usable_password", "password1", "password2"],
            },
        ),
        ("Roles", {"fields": ["roles"]}),
    ]
    staff_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name", "email"]}),
        ("Roles", {"fields": ["roles", "is_active"]}),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    superuser_fieldsets = [
        *staff_fieldsets[:3],
        (
            "Beyond roles (superusers only)",
            {
                "fields": ["is_superuser", "user_permissions"],
                "description": "Staff status follows the admin role.",
            },
        ),
        staff_fieldsets[3],
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return self.superuser_fieldsets if request.user.is_superuser else self.staff_fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["last_login", "date_joined"]

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class BoundToEditor(form_class):
            def __init__(self, *args, **form_kwargs) -> None:
                super().__init__(*args, **form_kwargs)
                self.init_roles(request.user)

        return BoundToEditor

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        user_roles_set(user=form.instance, roles=form.cleaned_data["roles"], by=request.user)

    @admin.display(description="Name")
    def full_name(self, user: User) -> str:
        return user.get_full_name()

    @admin.display(description="Roles")
    def role_list(self, user: User) -> str:
        names = [g.name for g in user.groups.all() if g.name in ROLES]
        if user.is_superuser:
            names.insert(0, "superuser")
        return ", ".join(sorted(names, key=lambda n: (n != "superuser", n))) or "—"

    @admin.display(description="Joined", boolean=True)
    def joined(self, user: User) -> bool:
        return not is_pending(user)


# History: read-only


class ReadOnlyAdmin(admin.ModelAdmin):
    """History is append-only: visible to admins, changed only through the app's services."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
    list_filter = ["dataset", "status", "category", "current_revision__kind"]
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
    list_display = ["pair", "number", "kind", "category", "author", "created_at"]
    list_filter = ["kind", "category__dataset", "category"]
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

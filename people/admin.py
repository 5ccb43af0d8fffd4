"""Django's admin for people: accounts and their roles.

Members of the "admin" group are staff with the permissions of annotation.setup. They
must not be able to grant more than that: for anyone but a superuser, a person's page
shows roles (the three role groups) instead of raw groups and permissions, hides the
superuser and staff flags (staff follows the admin role), and superusers' accounts are
read-only.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from people.accounts import username_validate
from people.invites import is_pending, user_roles_set
from people.models import Profile
from people.roles import ADMIN, ROLES, roles_held

# Signing in to the admin goes through the site's sign-in (allauth: verified email, axes),
# not around it through the admin's own form.
admin.site.login = login_required(admin.site.login)


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
            self.fields["roles"].initial = roles_held(self.instance)

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


def _available(username: str, *, exclude_pk: int | None = None) -> str:
    try:
        username_validate(username, exclude_pk=exclude_pk)
    except ValidationError as error:
        raise forms.ValidationError(error.messages) from error
    return username


class PersonChangeForm(_RolesMixin, UserChangeForm):
    roles = _RolesField()

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if username == self.instance.username:
            return username
        return _available(username, exclude_pk=self.instance.pk)

    def clean_is_active(self) -> bool:
        active = self.cleaned_data["is_active"]
        if not active and self.instance.pk == self.editor.pk:
            raise forms.ValidationError("You cannot deactivate your own account.")
        return active


class PersonCreationForm(_RolesMixin, AdminUserCreationForm):
    roles = _RolesField(initial=["contributor"])

    def clean_username(self) -> str:
        return _available(super().clean_username())


def _role_action(role: str, give: bool) -> Callable:
    @admin.action(
        permissions=["change"],
        description=f"{'Give' if give else 'Take away'} the {role} role",
    )
    def action(modeladmin: "PersonAdmin", request: HttpRequest, queryset: QuerySet[User]) -> None:
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


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    fields = ["leaderboard_opt_out"]


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

    inlines = [ProfileInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def get_fieldsets(
        self, request: HttpRequest, obj: User | None = None
    ) -> list[tuple[str | None, dict[str, Any]]]:
        if obj is None:
            return self.add_fieldsets
        return self.superuser_fieldsets if request.user.is_superuser else self.staff_fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        return [] if request.user.is_superuser else ["last_login", "date_joined"]

    def get_form(
        self, request: HttpRequest, obj: User | None = None, **kwargs
    ) -> type[forms.ModelForm]:
        form_class = super().get_form(request, obj, **kwargs)

        class BoundToEditor(form_class):
            def __init__(self, *args, **form_kwargs) -> None:
                super().__init__(*args, **form_kwargs)
                self.init_roles(request.user)

        return BoundToEditor

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm,
        formsets: list[BaseInlineFormSet],
        change: bool,
    ) -> None:
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

"""Roles are Django groups. One person may hold several."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

CONTRIBUTOR = "contributor"
REVIEWER = "reviewer"
ADMIN = "admin"
ROLES = (CONTRIBUTOR, REVIEWER, ADMIN)


def has_role(user: User | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._role_names = cached
    return role in cached


def is_contributor(user: User | AnonymousUser) -> bool:
    return has_role(user, CONTRIBUTOR)


def is_reviewer(user: User | AnonymousUser) -> bool:
    return has_role(user, REVIEWER)


def is_admin(user: User | AnonymousUser) -> bool:
    return has_role(user, ADMIN)


def role_required(role: str) -> Callable:
    """Signed in (else redirect to login) and holding ``role`` (else 403)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
            if not has_role(request.user, role):
                raise PermissionDenied(f"This page is for the {role} role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator

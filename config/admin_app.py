"""Django's admin, its modules found by the URLconf rather than at start-up.

A worker or build_release serves no page: without the admin modules Django's setup took
0.40-0.42 s against 0.50-0.59 s (4 runs each, in turn). The URLconf imports them
(config/urls.py), and the admin's checks do too, so that ``check --tag admin`` sees every
registration whether or not the URLconf was loaded first.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import admin
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import checks
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

# The range of the 64-bit integers every database here stores: SQLite raises
# OverflowError for a Python int beyond it, where PostgreSQL finds no row.
_INT64 = range(-(2**63), 2**63)


def _check_admin_app_discovered(app_configs: object, **kwargs: object) -> list:
    admin.autodiscover()
    return check_admin_app(app_configs, **kwargs)


def _key(model: type[models.Model], value: str) -> object:
    """``value`` as ``model``'s primary key, or ValidationError."""
    key = model._meta.pk.to_python(value)
    if isinstance(key, int) and key not in _INT64:
        raise ValidationError("Out of range.")
    return key


def _ids_checked(model: type[models.Model], view: Callable) -> Callable:
    """``view`` refusing ids that cannot be ``model``'s keys, before Django's admin hands
    them to the database: an action's selected rows (Django filters by them as they are,
    so ``abc`` failed with a 500) and an object's id (only the 64-bit overflow, which Django
    does not catch on SQLite; other bad ids it already shows as missing)."""

    @wraps(view)
    def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
                _key(model, value)
        except ValidationError as error:
            raise BadRequest("The selected rows are not this list's.") from error
        object_id = kwargs.get("object_id")
        if isinstance(object_id, str) and object_id.lstrip("-").isdigit():
            try:
                _key(model, object_id)
            except ValidationError as error:
                raise Http404("No such row.") from error
        return view(request, *args, **kwargs)

    return checked


class AdminSite(admin.AdminSite):
    """Django's admin site, except for someone signed in who is not staff, and for ids
    that cannot be a row's.

    Every admin page sends them to the admin's login, which showed its own sign-in form
    ("authenticated as alice, but not authorized") with no way back into the site: they
    get the site's 403 page instead, which says why and links home. Someone signed out
    is sent to the site's sign-in first (people/admin.py).
    """

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        # A model's pages are its ModelAdmin's bound methods. The ids are checked inside
        # the admin's own wrapper, so someone without access is still sent away first.
        model = getattr(getattr(view, "__self__", None), "model", None)
        if model is not None:
            view = _ids_checked(model, view)
        return super().admin_view(view, cacheable)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("The admin site is for the admin role.")
        return super().login(request, extra_context)


class AdminConfig(SimpleAdminConfig):
    default_site = "config.admin_app.AdminSite"

    def ready(self) -> None:
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(_check_admin_app_discovered, checks.Tags.admin)

"""Django's admin, its modules found by the URLconf rather than at start-up.

A worker or build_release serves no page: without the admin modules Django's setup took
0.40-0.42 s against 0.50-0.59 s (4 runs each, in turn). The URLconf imports them
(config/urls.py), and the admin's checks do too, so that ``check --tag admin`` sees every
registration whether or not the URLconf was loaded first.
"""

from django.contrib import admin
from django.contrib.admin.apps import SimpleAdminConfig
from django.contrib.admin.checks import check_admin_app, check_dependencies
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def _check_admin_app_discovered(app_configs: object, **kwargs: object) -> list:
    admin.autodiscover()
    return check_admin_app(app_configs, **kwargs)


class AdminSite(admin.AdminSite):
    """Django's admin site, except for someone signed in who is not staff.

    Every admin page sends them to the admin's login, which showed its own sign-in form
    ("authenticated as alice, but not authorized") with no way back into the site: they
    get the site's 403 page instead, which says why and links home. Someone signed out
    is sent to the site's sign-in first (people/admin.py).
    """

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("The admin site is for the admin role.")
        return super().login(request, extra_context)


class AdminConfig(SimpleAdminConfig):
    default_site = "config.admin_app.AdminSite"

    def ready(self) -> None:
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(_check_admin_app_discovered, checks.Tags.admin)

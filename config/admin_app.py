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


def _check_admin_app_discovered(app_configs: object, **kwargs: object) -> list:
    admin.autodiscover()
    return check_admin_app(app_configs, **kwargs)


class AdminConfig(SimpleAdminConfig):
    def ready(self) -> None:
        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(_check_admin_app_discovered, checks.Tags.admin)

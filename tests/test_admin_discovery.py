"""The admin's modules load with the URLconf, not at start-up: a worker or build_release
starts without them, and the site still has every admin page."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

ADMIN_MODULES = ("annotation.admin", "review.admin", "exports.admin", "people.admin")


def _run(script: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"import django, sys; django.setup(); {script}"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def test_start_up_loads_no_admin_module():
    loaded = _run(f"print(*(m for m in {ADMIN_MODULES!r} if m in sys.modules))")
    assert loaded == []


@pytest.mark.parametrize(
    "first",
    [
        "from django.urls import get_resolver; get_resolver().url_patterns",  # the site
        "from django.core import checks; checks.run_checks(tags=['admin'])",  # check --tag admin
    ],
)
def test_every_app_s_admin_is_registered_by_the_urlconf_and_by_the_admin_checks(first):
    registered = _run(
        f"{first}; from django.contrib import admin;"
        "print(*sorted({m._meta.app_label for m in admin.site._registry}))"
    )
    assert {"annotation", "review", "exports", "auth"} <= set(registered)

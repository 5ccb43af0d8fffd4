"""Every page of Django's admin opens for the admin role, as seed_demo leaves it."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from review.queue import pair_take_next


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.mark.django_db(transaction=True)
def test_the_admin_role_opens_every_registered_admin_page(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    pair_take_next(reviewer=User.objects.get(username="bob"))  # a lease to look at
    client = Client()
    client.force_login(User.objects.get(username="ada"))

    assert client.get(reverse("admin:index")).status_code == 200
    opened = []
    for model in admin.site._registry:
        meta = model._meta
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        response = client.get(reverse(f"{prefix}_changelist"))
        assert response.status_code == 200, (meta.label, response.status_code)
        opened.append(meta.label)
        instance = model._default_manager.order_by("pk").first()
        if instance is None:
            continue  # sign-in lockouts: the demo has none
        response = client.get(reverse(f"{prefix}_change", args=[instance.pk]))
        assert response.status_code == 200, (meta.label, "change", response.status_code)
        opened.append(f"{meta.label} change")
    wanted = ["review.Review", "review.EditProposal", "review.Lease", "exports.Release"]
    assert {f"{label} change" for label in wanted} <= set(opened)

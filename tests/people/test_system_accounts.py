"""The accounts the app acts as exist from the migration on, and nobody can sign in as them."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from annotation.importing import importer_user
from people.accounts import SYSTEM_USERNAMES

pytestmark = pytest.mark.django_db

migration = importlib.import_module("people.migrations.0001_profile_and_system_accounts")


@pytest.mark.parametrize("username", SYSTEM_USERNAMES)
def test_made_by_the_migration_and_unable_to_sign_in(username):
    user = User.objects.get(username=username)
    assert not user.has_usable_password() and not user.is_active
    assert not user.is_staff and not user.is_superuser and not user.groups.exists()
    # Neither the site's sign-in nor a password set behind its back lets anyone in.
    user.set_password("a-long-unusual-passphrase")
    user.save()
    client = Client()
    client.post(reverse("login"), {"login": username, "password": "a-long-unusual-passphrase"})
    assert "_auth_user_id" not in client.session


def test_import_attributes_to_the_migration_made_importer():
    assert importer_user() == User.objects.get(username="importer")


def test_import_never_creates_the_importer():
    User.objects.filter(username="importer").delete()
    with pytest.raises(User.DoesNotExist):
        importer_user()
    assert not User.objects.filter(username="importer").exists()


def test_the_migration_takes_back_an_account_someone_registered_under_the_name():
    User.objects.filter(username="importer").delete()
    squatter = User.objects.create_user("importer", "evil@example.com", "a-long-passphrase")

    migration.create_system_accounts(apps, None)

    squatter.refresh_from_db()
    assert not squatter.has_usable_password() and not squatter.is_active

"""createadmin: the superuser made at the server's shell can sign in (its address is
recorded as verified); one made without an address is refused, not left locked out."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

PASSPHRASE = "a long admin passphrase 7"


@pytest.fixture
def password_in_env(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSPHRASE)


def _sign_in(username: str):
    client = Client()
    response = client.post(reverse("account_login"), {"login": username, "password": PASSPHRASE})
    return client, response


@pytest.mark.django_db
def test_the_admin_it_makes_signs_in_and_opens_the_admin(password_in_env):
    call_command(
        "createadmin", interactive=False, username="root", email="root@example.com", verbosity=0
    )

    client, response = _sign_in("root")

    assert response.status_code == 302
    assert "confirm-email" not in response["Location"]
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_createsuperuser_alone_leaves_an_account_that_must_verify_first(password_in_env):
    # Why the command exists: the same account from Django's createsuperuser is stopped.
    call_command(
        "createsuperuser", interactive=False, username="root", email="root@example.com", verbosity=0
    )

    client, response = _sign_in("root")

    assert "confirm-email" in response["Location"]
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_without_an_email_address_no_account_is_made(password_in_env, monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_EMAIL", raising=False)
    with pytest.raises(CommandError, match="email address is required"):
        call_command("createadmin", interactive=False, username="root", verbosity=0)
    assert not User.objects.filter(username="root").exists()

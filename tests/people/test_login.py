"""Signing in: where it leads afterwards."""

from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


def test_a_next_on_this_site_is_followed(alice):
    response = Client().post(
        reverse("login") + "?next=/my/", {"login": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.url == "/my/"


def test_a_next_that_is_no_address_is_ignored(alice):
    for written in ("http://[x", "https://evil.example/"):
        client = Client()
        response = client.post(
            reverse("login") + f"?next={written}", {"login": "alice", "password": PASSWORD}
        )
        assert response.status_code == 302 and response.url == "/"
        assert client.session.get("_auth_user_id") == str(alice.pk)

"""Behind reverse proxies axes locks the user + the client's address, not the proxy's."""

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
PROXY = "10.0.0.2"  # every request reaches the app from the proxy's address


@pytest.fixture(autouse=True)
def axes_on():
    with override_settings(AXES_ENABLED=True, TRUSTED_PROXY_COUNT=1):
        reset()
        yield
        reset()


def from_client(address: str, claimed: str = "") -> Client:
    """A browser at ``address`` whose request passed one proxy, which appended it to
    X-Forwarded-For after anything the browser claimed itself."""
    forwarded = f"{claimed}, {address}" if claimed else address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def fail(client: Client):
    return client.post(LOGIN, {"login": "alice", "password": "wrong-password"})


def test_bad_passwords_from_one_client_do_not_lock_the_account_for_another(alice):
    attacker = from_client("198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = fail(attacker)
    assert response.status_code == 429

    owner = from_client("203.0.113.5")
    response = owner.post(LOGIN, {"login": "alice", "password": PASSWORD})

    assert response.status_code == 302 and "_auth_user_id" in owner.session
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"


def test_an_address_the_client_claims_is_not_believed(alice):
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = fail(from_client("198.51.100.7", claimed=f"192.0.2.{n}"))
    assert response.status_code == 429
    locked = from_client("198.51.100.7", claimed="192.0.2.99")
    assert locked.post(LOGIN, {"login": "alice", "password": PASSWORD}).status_code == 429


def test_without_trusted_proxies_the_forwarded_header_is_ignored(alice, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(from_client(f"198.51.100.{n}"))
    assert AccessAttempt.objects.get().ip_address == PROXY

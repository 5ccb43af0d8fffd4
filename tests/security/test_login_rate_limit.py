"""django-axes locks sign-in after AXES_FAILURE_LIMIT failures, with a page that says so."""

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


@pytest.fixture(autouse=True)
def axes_on():
    # The suite runs with axes off (so tests may sign in freely); these tests turn it on.
    with override_settings(AXES_ENABLED=True):
        reset()
        yield
        reset()


def fail(client: Client, username: str = "alice"):
    return client.post(LOGIN, {"login": username, "password": "wrong-password"})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_below_the_limit_only_show_the_form_error(alice):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = fail(client)
        assert response.status_code == 422
        assert "password you specified are not correct" in response.content.decode()
    response = client.post(LOGIN, {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)


def test_the_limit_locks_sign_in_with_a_clear_page(alice):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        fail(client)

    locked = fail(client)

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in paused" in page
    assert f"There were {settings.AXES_FAILURE_LIMIT} failed attempts" in page
    assert "<strong>alice</strong>" in page
    assert f'href="{reverse("account_reset_password")}"' in page
    assert locked["Content-Security-Policy"]
    assert AccessAttempt.objects.filter(username="alice").exists()


def test_the_right_password_is_refused_while_locked(alice):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail(client)

    response = client.post(LOGIN, {"login": "alice", "password": PASSWORD})

    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert not signed_in(client)
    # A fresh browser from the same address is locked out too.
    again = Client().post(LOGIN, {"login": "alice", "password": PASSWORD})
    assert again.status_code == 429


@pytest.mark.parametrize("written", ["ALICE", "Alice", "\uff41lice"])
def test_the_lock_holds_for_the_name_written_another_way(alice, written):
    # Sign-in finds "alice" whatever the case: so must the lock, or each way of writing
    # the name would get five guesses of its own (and a success would lift the lock).
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail(client)

    response = client.post(LOGIN, {"login": written, "password": PASSWORD})

    assert response.status_code == 429
    assert not signed_in(client)


def test_failures_written_in_mixed_case_add_up(alice):
    client = Client()
    for written in ["alice", "ALICE", "Alice", "aLiCe", "alicE"][: settings.AXES_FAILURE_LIMIT]:
        fail(client, written)
    assert client.post(LOGIN, {"login": "alice", "password": PASSWORD}).status_code == 429


def test_the_lock_is_per_username_and_address(alice, dan):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail(client)
    dans = Client()
    assert dans.post(LOGIN, {"login": "dan", "password": PASSWORD}).status_code == 302
    assert signed_in(dans)
    other_address = Client(REMOTE_ADDR="192.0.2.10")
    response = other_address.post(LOGIN, {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302


def test_an_admin_reset_lifts_the_lock(alice):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        fail(client)
    assert reset(username="alice") >= 1
    response = client.post(LOGIN, {"login": "alice", "password": PASSWORD})
    assert response.status_code == 302 and signed_in(client)


def test_unknown_usernames_are_locked_out_too(db):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = fail(client, "nobody-here")
    assert response.status_code == 429


@pytest.mark.parametrize("field", ["login", "username"])
def test_allauths_sign_in_goes_through_axes(alice, field):
    """Failures through allauth's form are counted by the username it signed in with."""
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"login": "alice", "password": "wrong-password"})
    assert AccessAttempt.objects.get().username == "alice"

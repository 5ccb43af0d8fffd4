"""allauth's email and password pages in the site's own layout and words, with a way
back to the profile they are reached from."""

from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import PASSWORD

PROFILE = reverse("people:profile")
NEW = "a-new-long-pass-1"


def test_the_email_page_lists_each_address_with_its_state(as_alice, alice):
    EmailAddress.objects.update_or_create(
        user=alice, email=alice.email, defaults={"verified": True, "primary": True}
    )
    EmailAddress.objects.create(user=alice, email="alice@elsewhere.example", verified=False)

    text = as_alice.get(reverse("account_email")).content.decode()

    assert "<h1>Email addresses</h1>" in text and f'href="{PROFILE}"' in text
    assert 'value="alice@example.com"' in text and 'value="alice@elsewhere.example"' in text
    assert text.count(">Verified<") == 1 and text.count(">Not verified<") == 1
    assert ">Primary<" in text


def test_an_address_is_added_from_the_page(as_alice, alice):
    response = as_alice.post(
        reverse("account_email"), {"action_add": "", "email": "alice@work.example"}
    )
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=alice, email="alice@work.example").exists()


def test_the_password_page_names_its_fields_in_the_sites_words(as_alice):
    text = as_alice.get(reverse("account_change_password")).content.decode()
    assert "<h1>Change your password</h1>" in text and f'href="{PROFILE}"' in text
    for label in ("Current password", "New password", "New password again"):
        assert f">{label}</label>" in text


def test_a_wrong_current_password_is_said_and_nothing_changes(as_alice, alice):
    response = as_alice.post(
        reverse("account_change_password"),
        {"oldpassword": "not it", "password1": NEW, "password2": NEW},
    )
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_the_password_is_changed(as_alice, alice):
    response = as_alice.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW, "password2": NEW},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW)

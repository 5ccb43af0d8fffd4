"""Names that pass as the site or as someone else are refused, whatever their form."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotation.setup import roles_setup
from people.accounts import name_key, username_validate
from people.invites import username_for
from tests.factories import make_user

URL = reverse("account_signup")


def signup(client, username: str, email: str = "someone@example.org"):
    return client.post(
        URL,
        {
            "username": username,
            "email": email,
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
        },
    )


@pytest.fixture
def signup_open(db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]


@pytest.mark.parametrize(
    "username",
    ["importer", "Importer", "system", "admin", "ＡＤＭＩＮ", "Root", "support", "administrator"],
)
def test_reserved_names_are_refused_at_sign_up(client, signup_open, username):
    before = User.objects.count()
    response = signup(client, username)
    assert response.status_code == 422
    assert "not available" in response.context["form"].errors["username"][0]
    assert User.objects.count() == before


@pytest.mark.parametrize(
    ("existing", "lookalike"),
    [("ålice", "Ålice"), ("bob", "Bob"), ("carol", "ｃａｒｏｌ"), ("dan", "ＤＡＮ")],
)
def test_look_alikes_of_existing_names_are_refused(client, signup_open, existing, lookalike):
    make_user(existing)
    response = signup(client, lookalike)
    assert "not available" in response.context["form"].errors["username"][0]
    assert not User.objects.filter(username=lookalike).exists()


def test_a_distinct_name_is_accepted(client, signup_open):
    make_user("alice")
    assert signup(client, "alicia").status_code == 302
    assert User.objects.filter(username="alicia").exists()


def test_name_key_folds_width_and_case():
    assert name_key("ＡＤＭＩＮ") == name_key("admin") == name_key("Admin")
    assert name_key("Ålice") == name_key("ålice")
    assert name_key("Straße") == name_key("STRASSE")


def test_the_validator_allows_renaming_to_ones_own_name(db):
    alice = make_user("alice")
    username_validate("Alice", exclude_pk=alice.pk)
    with pytest.raises(ValidationError):
        username_validate("Alice")


def test_invitations_never_make_a_reserved_or_look_alike_name(db):
    make_user("ann.lee")
    assert username_for("admin@example.com") == "admin2"
    assert username_for("Ann.Lee@example.com") == "ann.lee2"


def test_the_admins_add_person_form_refuses_reserved_names(as_ada):
    roles_setup()
    response = as_ada.post(
        reverse("admin:auth_user_add"),
        {
            "username": "ＲＯＯＴ",
            "email": "r@example.com",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "roles": ["contributor"],
        },
    )
    assert response.status_code == 200
    assert "not available" in response.content.decode()
    assert not User.objects.filter(username="ＲＯＯＴ").exists()

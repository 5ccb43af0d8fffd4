import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from annotation.models import AuditEvent
from annotation.roles import CONTRIBUTOR, is_contributor
from tests.factories import make_user

URL = reverse("annotation:signup")
GOOD = {
    "username": "newbie",
    "email": "Newbie@Example.org",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


@pytest.fixture
def signup_open(db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]


def test_disabled_by_default_is_404(client, db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = []
    assert client.get(URL).status_code == 404
    assert client.post(URL, GOOD).status_code == 404
    assert not User.objects.filter(username="newbie").exists()


def test_login_page_links_to_signup_only_when_open(client, db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = []
    assert URL.encode() not in client.get(reverse("login")).content
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]
    assert URL.encode() in client.get(reverse("login")).content


def test_creates_a_contributor_signs_in_and_goes_home(client, signup_open):
    response = client.post(URL, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("annotation:home")
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@example.org"
    assert user.check_password(GOOD["password1"])
    assert list(user.groups.values_list("name", flat=True)) == [CONTRIBUTOR]
    assert is_contributor(user)
    assert client.get(reverse("annotation:home")).context["user"] == user
    event = AuditEvent.objects.get(verb="user.signup")
    assert (event.actor, event.object_id, event.data["email_domain"]) == (
        user,
        str(user.pk),
        "example.org",
    )


@pytest.mark.parametrize(
    "email", ["someone@elsewhere.com", "someone@evil-example.org", "someone@sub.example.org"]
)
def test_other_domains_are_refused_beside_the_email_field(client, signup_open, email):
    response = client.post(URL, {**GOOD, "email": email})
    assert response.status_code == 200
    assert "@example.org" in response.context["form"].errors["email"][0]
    assert b'id="id_email_errors"' in response.content
    assert b'value="newbie"' in response.content
    assert not User.objects.filter(username="newbie").exists()


def test_duplicate_username_is_refused_whatever_the_case(client, signup_open):
    make_user("NewBie")
    response = client.post(URL, GOOD)
    assert "taken" in response.context["form"].errors["username"][0]
    assert User.objects.filter(username__iexact="newbie").count() == 1


def test_duplicate_email_is_refused_whatever_the_case(client, signup_open):
    User.objects.create_user("first", email="newbie@example.org")
    response = client.post(URL, {**GOOD, "username": "second"})
    assert "already exists" in response.context["form"].errors["email"][0]
    assert not User.objects.filter(username="second").exists()


def test_password_validators_and_mismatch(client, signup_open):
    weak = client.post(URL, {**GOOD, "password1": "12345678", "password2": "12345678"})
    assert weak.context["form"].errors["password1"]
    differ = client.post(URL, {**GOOD, "password2": "something-else-entirely"})
    assert differ.context["form"].errors["password2"] == ["The two passwords differ."]
    assert not User.objects.filter(username="newbie").exists()


def test_signed_in_person_is_sent_home(as_alice, signup_open):
    response = as_alice.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("annotation:home")

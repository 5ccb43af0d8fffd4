import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse

from annotation.models import AuditEvent
from annotation.roles import CONTRIBUTOR, is_contributor
from tests.factories import make_user

URL = reverse("account_signup")
SENT = reverse("account_email_verification_sent")
GOOD = {
    "username": "newbie",
    "email": "Newbie@Example.org",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


@pytest.fixture
def signup_open(db, settings):
    settings.SIGNUP_EMAIL_DOMAINS = ["example.org"]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/confirm-email/[^\s]+/)", message.body).group(1)


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


def test_creates_a_contributor_who_acts_only_after_verifying(client, signup_open, mailoutbox):
    response = client.post(URL, GOOD)

    # Not signed in: the address must be proven first.
    assert response.status_code == 302 and response["Location"] == SENT
    assert not signed_in(client)
    user = User.objects.get(username="newbie")
    assert user.email == "newbie@example.org"
    assert user.check_password(GOOD["password1"])
    assert list(user.groups.values_list("name", flat=True)) == [CONTRIBUTOR]
    assert is_contributor(user)
    assert not EmailAddress.objects.get(user=user).verified
    event = AuditEvent.objects.get(verb="user.signup")
    assert (event.actor, event.object_id, event.data["email_domain"]) == (
        user,
        str(user.pk),
        "example.org",
    )
    # Signing in before verifying only sends the link again.
    again = client.post(reverse("login"), {"login": "newbie", "password": GOOD["password1"]})
    assert again["Location"] == SENT and not signed_in(client)

    (message, *_) = mailoutbox
    assert message.to == ["newbie@example.org"]
    link = confirmation_link(message)
    assert client.get(link).status_code == 200
    confirmed = client.post(link)

    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.get(reverse("annotation:home")).context["user"] == user


@pytest.mark.parametrize(
    "email", ["someone@elsewhere.com", "someone@evil-example.org", "someone@sub.example.org"]
)
def test_other_domains_are_refused_beside_the_email_field(client, signup_open, email):
    response = client.post(URL, {**GOOD, "email": email})
    assert response.status_code == 422
    assert "@example.org" in response.context["form"].errors["email"][0]
    assert b'id="id_email_errors"' in response.content
    assert b'value="newbie"' in response.content
    assert not User.objects.filter(username="newbie").exists()


def test_duplicate_username_is_refused_whatever_the_case(client, signup_open):
    make_user("NewBie")
    response = client.post(URL, GOOD)
    assert "not available" in response.context["form"].errors["username"][0]
    assert User.objects.filter(username__iexact="newbie").count() == 1


def test_an_existing_email_is_not_revealed_and_its_owner_is_told(client, signup_open, mailoutbox):
    User.objects.create_user("first", email="newbie@example.org")
    response = client.post(URL, {**GOOD, "username": "second"})

    # The same answer as a new address gets; the mail goes to the address's owner.
    assert response.status_code == 302 and response["Location"] == SENT
    assert not User.objects.filter(username="second").exists()
    assert not signed_in(client)
    (message,) = mailoutbox
    assert message.to == ["newbie@example.org"]
    assert "already" in message.body


def test_password_validators_and_mismatch(client, signup_open):
    weak = client.post(URL, {**GOOD, "password1": "12345678", "password2": "12345678"})
    assert weak.context["form"].errors["password1"]
    differ = client.post(URL, {**GOOD, "password2": "something-else-entirely"})
    assert differ.context["form"].errors["password2"] == [
        "You must type the same password each time."
    ]
    assert not User.objects.filter(username="newbie").exists()


def test_signed_in_person_is_sent_home(as_alice, signup_open):
    response = as_alice.get(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("annotation:home")


def test_sign_up_is_rate_limited(client, signup_open, settings):
    # The suite turns allauth's limits off; production keeps its defaults (20/m/ip here).
    settings.ACCOUNT_RATE_LIMITS = {"signup": "2/m/ip"}
    cache.clear()
    for n in range(2):
        client.post(URL, {**GOOD, "username": f"newbie{n}", "email": f"n{n}@example.org"})
    response = client.post(URL, {**GOOD, "username": "third", "email": "n3@example.org"})
    assert response.status_code == 429
    assert User.objects.filter(username__startswith="newbie").count() == 2
    assert not User.objects.filter(username="third").exists()
    cache.clear()

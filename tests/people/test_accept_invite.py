import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from annotation.models import AuditEvent
from annotation.roles import REVIEWER
from people.invites import invite_link, people_invite

PASSWORD = "a-long-unusual-passphrase"


@pytest.fixture
def invitee(ada) -> User:
    outcome = people_invite(
        emails=["newbie@example.com"], roles=[REVIEWER], by=ada, site_url="http://testserver"
    )
    return outcome.invited[0].user


def test_shows_who_is_joining(client, invitee):
    response = client.get(invite_link(invitee))
    assert response.status_code == 200
    assert b"newbie@example.com" in response.content
    assert response.context["invitee"] == invitee


def test_setting_a_password_then_verifying_the_address_signs_in(client, invitee, mailoutbox):
    link = invite_link(invitee)
    mailoutbox.clear()  # the invitation itself
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    # Holding the link is not owning the address: not signed in until it is verified.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    invitee.refresh_from_db()
    assert invitee.check_password(PASSWORD)
    event = AuditEvent.objects.get(verb="user.accept_invite")
    assert (event.actor, event.object_id) == (invitee, str(invitee.pk))

    (message,) = mailoutbox
    assert message.to == ["newbie@example.com"]
    confirm = re.search(r"https?://[^/\s]+(/confirm-email/[^\s]+/)", message.body).group(1)
    assert client.post(confirm).status_code == 302
    assert EmailAddress.objects.get(user=invitee).verified
    assert client.get(reverse("annotation:home")).context["user"] == invitee


def mailed_link(mailoutbox) -> str:
    """The link in the invitation mail (the path), which only the address's owner reads."""
    (message,) = [m for m in mailoutbox if m.subject == "You are invited to Handwritten"]
    return re.search(r"https?://[^/\s]+(/invite/[^\s]+/)", message.body).group(1)


def test_the_mailed_link_proves_the_address_and_signs_in(client, invitee, mailoutbox):
    link = mailed_link(mailoutbox)
    mailoutbox.clear()
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("annotation:home")
    assert client.session["_auth_user_id"] == str(invitee.pk)
    invitee.refresh_from_db()
    assert invitee.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=invitee)
    assert (address.email, address.verified, address.primary) == ("newbie@example.com", True, True)
    assert mailoutbox == []  # no second confirmation mail
    assert b"Welcome to Handwritten" in client.get(response["Location"]).content


@pytest.mark.parametrize("spoilt", ["expired", "used", "address changed"])
def test_a_mailed_link_that_no_longer_holds_verifies_nothing(
    client, invitee, mailoutbox, settings, spoilt
):
    link = mailed_link(mailoutbox)
    if spoilt == "expired":
        settings.PASSWORD_RESET_TIMEOUT = -1
    elif spoilt == "used":  # the password was chosen through the admin's copy of the link
        client.post(invite_link(invitee), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    else:  # an admin corrected the address after the mail went out
        invitee.email = "newbie@example.org"
        invitee.save(update_fields=["email"])

    response = client.post(
        link, {"new_password1": "x-other-passphrase-9", "new_password2": "x-other-passphrase-9"}
    )

    assert response.status_code == 400
    assert not EmailAddress.objects.filter(user=invitee, verified=True).exists()
    assert "_auth_user_id" not in client.session
    invitee.refresh_from_db()
    assert not invitee.check_password("x-other-passphrase-9")


def test_someone_else_holding_the_link_cannot_act_as_the_invitee(client, invitee, mailoutbox):
    """The link was forwarded: the holder sets a password but cannot verify the address."""
    client.post(invite_link(invitee), {"new_password1": PASSWORD, "new_password2": PASSWORD})

    signing_in = client.post(reverse("login"), {"login": invitee.username, "password": PASSWORD})

    assert signing_in["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("annotation:write"))["Location"].startswith(reverse("login"))
    # Every confirmation link went to the invited address only.
    assert {tuple(m.to) for m in mailoutbox} == {("newbie@example.com",)}


def test_the_link_works_once(client, invitee):
    link = invite_link(invitee)
    client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    response = client.post(
        link, {"new_password1": "x-other-passphrase-9", "new_password2": "x-other-passphrase-9"}
    )
    assert response.status_code == 400
    assert b"This invitation link does not work" in response.content
    invitee.refresh_from_db()
    assert invitee.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [
        ("short", "short", "too short"),
        ("12345678901234", "12345678901234", "entirely numeric"),
        (PASSWORD, PASSWORD + "x", "didn’t match"),
    ],
)
def test_weak_or_mismatched_passwords_are_refused(client, invitee, first, second, error):
    response = client.post(invite_link(invitee), {"new_password1": first, "new_password2": second})

    assert response.status_code == 422
    assert error in response.content.decode()
    invitee.refresh_from_db()
    assert not invitee.has_usable_password()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "url",
    [
        "/invite/not-base64!/abc-def/",
        "/invite/OTk5OTk5/abc-def/",
        "/invite/{uid}/1-wrongtoken/",
    ],
)
def test_a_bad_link_gets_a_clear_page(client, invitee, url):
    uid = urlsafe_base64_encode(force_bytes(invitee.pk))
    response = client.get(url.format(uid=uid))
    assert response.status_code == 400
    assert b"This invitation link does not work" in response.content


def test_an_expired_link_gets_a_clear_page(client, invitee, settings):
    link = invite_link(invitee)
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client.get(link)
    assert response.status_code == 400
    assert not default_token_generator.check_token(invitee, link.rstrip("/").rsplit("/", 1)[1])


def test_inviting_again_retires_the_earlier_links(client, invitee, ada, mailoutbox):
    shown, mailed = invite_link(invitee), invite_link(invitee, mailed=True)
    again = people_invite(
        emails=["newbie@example.com"], roles=[REVIEWER], by=ada, site_url="http://testserver"
    ).invited[0]

    assert again.again
    for old in (shown, mailed):
        response = client.get(old)
        assert response.status_code == 400
        assert b"This invitation link does not work" in response.content
    assert client.get(invite_link(again.user)).status_code == 200
    assert client.get(invite_link(again.user, mailed=True)).status_code == 200

import re
import smtplib

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from annotation.models import AuditEvent
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER
from tests.factories import make_user

URL = reverse("people:invite")


def invite(client, emails: str, *roles: str, **headers):
    return client.post(URL, {"emails": emails, "roles": list(roles) or [CONTRIBUTOR]}, **headers)


def role_names(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_the_form_defaults_to_contributor(as_ada):
    response = as_ada.get(URL)
    assert response.status_code == 200
    assert response.context["form"]["roles"].value() == [CONTRIBUTOR]


def test_creates_accounts_with_roles_and_shows_their_links(as_ada, ada, mailoutbox):
    response = invite(as_ada, "Ann.Lee@Example.com\n\n  bo+x@example.org \n", REVIEWER, ADMIN)

    assert response.status_code == 200
    ann = User.objects.get(email="Ann.Lee@example.com")
    box = User.objects.get(email="bo+x@example.org")
    assert (ann.username, box.username) == ("ann.lee", "bo+x")
    for user in (ann, box):
        assert role_names(user) == [ADMIN, REVIEWER]
        assert user.is_staff and not user.is_superuser
        assert not user.has_usable_password()
    links = [invitation.link for invitation in response.context["outcome"].invited]
    assert len(links) == 2
    assert links[0].startswith("http://testserver/invite/")
    assert links[0].encode() in response.content
    assert [mail.to for mail in mailoutbox] == [[ann.email], [box.email]]
    # Ann's own working link, but not the admin's copy: the mailed one proves the address.
    mailed = re.search(r"http://testserver(/invite/\S+/)", mailoutbox[0].body).group(1)
    assert links[0] not in mailoutbox[0].body
    assert Client().get(mailed).context["invitee"] == ann
    events = AuditEvent.objects.filter(verb="user.invite", actor=ada)
    assert sorted(e.data["email"] for e in events) == ["Ann.Lee@example.com", "bo+x@example.org"]


def test_usernames_are_made_unique(as_ada, db):
    make_user("ann")
    invite(as_ada, "ann@one.example\nANN@two.example")
    assert set(
        User.objects.filter(email__endswith=".example").values_list("username", flat=True)
    ) == {
        "ann2",
        "ann3",
    }


def test_an_existing_address_gets_no_second_account(as_ada, alice):
    response = invite(as_ada, "ALICE@example.com\nnew.person@example.com")

    assert User.objects.filter(email__iexact="alice@example.com").count() == 1
    outcome = response.context["outcome"]
    assert outcome.existing == [alice]
    assert [i.user.email for i in outcome.invited] == ["new.person@example.com"]
    assert b"Already have an account" in response.content
    assert role_names(alice) == [CONTRIBUTOR]


def test_inviting_a_pending_address_again_gives_a_fresh_link(as_ada):
    invite(as_ada, "late@example.com", REVIEWER)
    response = invite(as_ada, "late@example.com", ADMIN)

    assert User.objects.filter(email="late@example.com").count() == 1
    invitation = response.context["outcome"].invited[0]
    assert invitation.again
    assert role_names(invitation.user) == [REVIEWER]
    # The audit trail records the roles the account holds, not the ones asked for again.
    event = AuditEvent.objects.filter(verb="user.invite").latest("pk")
    assert event.data["roles"] == [REVIEWER] and event.data["again"] is True


def test_invalid_addresses_create_nothing(as_ada, db):
    before = User.objects.count()
    too_long = "a" * 60 + "@" + "b" * 200 + ".example"
    response = invite(as_ada, f"good@example.com\nnot-an-address\n@example.com\n{too_long}")

    assert response.status_code == 422
    errors = response.context["form"].errors["emails"]
    assert errors == [
        "Line 2: “not-an-address” is not an email address.",
        "Line 3: “@example.com” is not an email address.",
        f"Line 4: “{too_long[:80]}” is not an email address.",
    ]
    assert "not-an-address" in response.content.decode()
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(verb="user.invite").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"emails": "  \n", "roles": [CONTRIBUTOR]}, "emails"),
        ({"emails": "a@b.example"}, "roles"),
        ({}, "emails"),
    ],
)
def test_empty_fields_are_errors(as_ada, db, data, field):
    response = as_ada.post(URL, data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not User.objects.filter(email="a@b.example").exists()


def test_htmx_gets_the_panel_only(as_ada):
    response = invite(as_ada, "hx@example.com", HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b'id="invite-link-1"' in response.content
    assert "HX-Request" in response["Vary"]


def test_pending_invitations_are_listed(as_ada, alice):
    invite(as_ada, "waiting@example.com")
    page = as_ada.get(URL)
    assert [u.email for u in page.context["pending"]] == ["waiting@example.com"]


@pytest.mark.parametrize("persona", ["as_alice", "as_bob", "as_carol"])
def test_only_admins_invite(request, persona, db):
    client = request.getfixturevalue(persona)
    assert client.get(URL).status_code == 403
    assert invite(client, "sneaky@example.com", ADMIN).status_code == 403
    assert not User.objects.filter(email="sneaky@example.com").exists()


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_mail_that_cannot_go_out_still_shows_the_link(as_ada, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPConnectError(421, "no mail server here")

    monkeypatch.setattr("people.invites.send_mail", refuse)
    response = invite(as_ada, "offline@example.com")

    assert response.status_code == 200
    assert User.objects.filter(email="offline@example.com").exists()
    assert len(response.context["outcome"].invited) == 1

"""Django's admin, opened by someone signed in without the admin role: the site's 403 page
with a way home, not the admin's own sign-in form."""

import pytest
from django.urls import reverse

NOT_ALLOWED = "The admin site is for the admin role."


@pytest.mark.parametrize(
    "url",
    [reverse("admin:index"), reverse("admin:annotation_pair_changelist"), reverse("admin:login")],
)
def test_a_contributor_gets_the_sites_403_with_a_link_home(as_alice, url):
    response = as_alice.get(url, follow=True)
    assert response.status_code == 403
    page = response.content.decode()
    assert NOT_ALLOWED in page
    assert f'href="{reverse("annotation:home")}"' in page
    assert 'name="password"' not in page and "Django administration" not in page


def test_the_admins_form_does_not_sign_a_contributor_in_as_someone_else(as_alice, alice, ada):
    response = as_alice.post(reverse("admin:login"), {"username": "ada", "password": "x"})
    assert response.status_code == 403
    assert as_alice.session["_auth_user_id"] == str(alice.pk)


def test_staff_still_get_the_admin(as_ada):
    assert as_ada.get(reverse("admin:index")).status_code == 200
    response = as_ada.get(reverse("admin:login"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_someone_signed_out_is_still_sent_to_the_sites_sign_in(client, db):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login") + "?next=")

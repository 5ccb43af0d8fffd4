import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from annotation.models import AuditEvent
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER
from annotation.setup import roles_setup


@pytest.fixture
def as_staff_ada(ada, as_ada):
    """ada as seeded: the admin group with its permissions, staff, not a superuser."""
    roles_setup()
    return as_ada


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", "root@example.com", "root-passphrase-1")


def person_form(user: User, **changes) -> dict:
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
        "roles": list(user.groups.values_list("name", flat=True)),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def roles_of(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_user_list_shows_roles_and_links_to_invitations(as_staff_ada, alice, bob):
    response = as_staff_ada.get(reverse("admin:auth_user_changelist"))
    content = response.content.decode()
    assert reverse("people:invite") in content
    assert '<td class="field-role_list">reviewer</td>' in content
    reviewers = Group.objects.get(name=REVIEWER)
    filtered = as_staff_ada.get(
        reverse("admin:auth_user_changelist"), {"groups__id__exact": reviewers.pk}
    )
    assert [u.username for u in filtered.context["cl"].result_list] == ["bob"]


def test_an_admin_sets_roles_but_cannot_make_a_superuser(as_staff_ada, alice):
    url = reverse("admin:auth_user_change", args=[alice.pk])
    page = as_staff_ada.get(url).content.decode()
    assert 'name="roles"' in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    delete_user = Permission.objects.get(codename="delete_user")

    response = as_staff_ada.post(
        url,
        person_form(
            alice,
            roles=[CONTRIBUTOR, ADMIN],
            is_superuser="on",
            is_staff="on",
            user_permissions=[delete_user.pk],
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert roles_of(alice) == [ADMIN, CONTRIBUTOR]
    assert alice.is_staff  # staff follows the admin role
    assert not alice.is_superuser
    assert not alice.user_permissions.exists()
    event = AuditEvent.objects.get(verb="user.roles", object_id=str(alice.pk))
    assert event.data == {"before": [CONTRIBUTOR], "after": [ADMIN, CONTRIBUTOR]}

    as_staff_ada.post(url, person_form(alice, roles=[REVIEWER]))
    alice.refresh_from_db()
    assert roles_of(alice) == [REVIEWER] and not alice.is_staff


def test_an_admin_cannot_change_a_superuser(as_staff_ada, root):
    url = reverse("admin:auth_user_change", args=[root.pk])
    assert 'name="username"' not in as_staff_ada.get(url).content.decode()
    assert as_staff_ada.post(url, person_form(root, email="me@evil.example")).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert as_staff_ada.get(password_url).status_code == 403
    root.refresh_from_db()
    assert root.email == "root@example.com"


def test_an_admin_cannot_drop_their_own_admin_role_or_account(as_staff_ada, ada):
    url = reverse("admin:auth_user_change", args=[ada.pk])
    response = as_staff_ada.post(url, person_form(ada, roles=[CONTRIBUTOR], is_active=None))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "own admin role" in str(errors["roles"])
    assert "deactivate your own" in str(errors["is_active"])
    ada.refresh_from_db()
    assert roles_of(ada) == [ADMIN] and ada.is_active


def test_a_superuser_sees_the_fields_beyond_roles(root, alice, client):
    client.force_login(root)
    page = client.get(reverse("admin:auth_user_change", args=[alice.pk])).content.decode()
    assert 'name="is_superuser"' in page and 'name="roles"' in page


def test_role_actions(as_staff_ada, ada, alice, dan, root):
    url = reverse("admin:auth_user_changelist")
    as_staff_ada.post(
        url,
        {"action": "give_reviewer", "_selected_action": [alice.pk, dan.pk, root.pk]},
    )
    assert roles_of(alice) == [CONTRIBUTOR, REVIEWER] and roles_of(dan) == [CONTRIBUTOR, REVIEWER]
    assert not root.groups.exists()

    as_staff_ada.post(url, {"action": "take_admin", "_selected_action": [ada.pk]})
    assert roles_of(ada) == [ADMIN]


def test_adding_a_person_sets_their_roles(as_staff_ada):
    response = as_staff_ada.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "usable_password": "true",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "roles": [REVIEWER],
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    newbie = User.objects.get(username="newbie")
    assert roles_of(newbie) == [REVIEWER] and not newbie.is_superuser


def test_renaming_to_a_look_alike_or_reserved_name_is_refused(as_staff_ada, alice, bob):
    url = reverse("admin:auth_user_change", args=[alice.pk])
    for name in ["Bob", "ＢＯＢ", "importer", "Support"]:
        response = as_staff_ada.post(url, person_form(alice, username=name))
        assert response.status_code == 200
        assert "not available" in str(response.context["adminform"].form.errors["username"])
    alice.refresh_from_db()
    assert alice.username == "alice"
    # Keeping one's own name, in another case too, is not a collision.
    assert as_staff_ada.post(url, person_form(alice, username="Alice")).status_code == 302


def test_the_admin_is_entered_through_the_sites_sign_in(client, ada):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    # The admin's own form cannot be used to sign in around verification and axes.
    response = client.post(
        reverse("admin:login"), {"username": "ada", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 302 and "_auth_user_id" not in client.session

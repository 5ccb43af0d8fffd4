import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse

from annotation.models import AuditEvent, Category
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER
from annotation.setup import roles_setup
from tests.factories import make_pair


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


@pytest.mark.parametrize(
    "model",
    [
        "annotation_dataset",
        "annotation_category",
        "auth_user",
        "annotation_pair",
        "annotation_revision",
        "annotation_assignment",
        "annotation_auditevent",
        "annotation_openprompt",
        "annotation_licenceacceptance",
    ],
)
def test_admins_open_the_changelists(as_staff_ada, dolly, alice, model):
    assert as_staff_ada.get(reverse(f"admin:{model}_changelist")).status_code == 200


def test_non_admins_are_kept_out(as_alice):
    response = as_alice.get(reverse("admin:annotation_category_changelist"))
    assert response.status_code == 302


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


def category_form(category: Category, **changes) -> dict:
    data = {
        "dataset": category.dataset_id,
        "slug": category.slug,
        "name": category.name,
        "active": "on" if category.active else None,
        "guidelines": category.guidelines,
        "examples": "[]",
        "context_policy": category.context_policy,
        "reviews_required": category.reviews_required,
        "target_share": category.target_share,
        "target_count": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_category_page_opens_and_refuses_shares_over_one(as_staff_ada, open_qa):
    url = reverse("admin:annotation_category_change", args=[open_qa.pk])
    assert as_staff_ada.get(url).status_code == 200

    response = as_staff_ada.post(url, category_form(open_qa, target_share="0.5"))

    assert response.status_code == 200
    error = str(response.context["adminform"].form.errors["target_share"])
    assert "add up to 125%" in error and "at most 25%" in error
    open_qa.refresh_from_db()
    assert open_qa.target_share == 0.25


def test_an_inactive_category_does_not_count_towards_the_shares(as_staff_ada, open_qa):
    url = reverse("admin:annotation_category_change", args=[open_qa.pk])
    response = as_staff_ada.post(url, category_form(open_qa, target_share="0.9", active=None))
    assert response.status_code == 302
    open_qa.refresh_from_db()
    assert open_qa.target_share == 0.9 and not open_qa.active


def dataset_form(response) -> dict:
    """The POST a browser would send for the dataset page as rendered."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[name] = form[name].value()
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form[name].value()
        for sub in formset.forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is None or value is False:
                    continue
                data[sub.add_prefix(name)] = "on" if value is True else value
    return data


def test_dataset_page_checks_the_shares_of_all_its_categories_together(as_staff_ada, dolly):
    url = reverse("admin:annotation_dataset_change", args=[dolly.pk])
    data = dataset_form(as_staff_ada.get(url))
    slugs = {value: key[: -len("-slug")] for key, value in data.items() if key.endswith("-slug")}

    data[f"{slugs['open_qa']}-target_share"] = "0.45"
    response = as_staff_ada.post(url, data)
    assert response.status_code == 200
    assert "add up to 120%" in str(
        response.context["inline_admin_formsets"][0].formset.non_form_errors()
    )

    # Moving share from one category to another in one go is fine.
    data[f"{slugs['general_qa']}-target_share"] = "0.0"
    data[f"{slugs['brainstorming']}-target_share"] = "0.07"
    response = as_staff_ada.post(url, data)
    assert response.status_code == 302
    assert dolly.categories.get(slug="open_qa").target_share == 0.45


def test_pair_page_links_to_its_revisions_and_stays_read_only(as_staff_ada, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa)
    other = make_pair(author=alice, category=open_qa)
    url = reverse("admin:annotation_pair_change", args=[pair.pk])
    page = as_staff_ada.get(url).content.decode()
    revisions_url = reverse("admin:annotation_revision_changelist") + f"?pair__id__exact={pair.pk}"
    assert revisions_url in page
    assert pair.current_revision.instruction in page

    listed = as_staff_ada.get(revisions_url).context["cl"].result_list
    assert [r.pair_id for r in listed] == [pair.pk]
    assert other.pk != pair.pk
    assert as_staff_ada.post(url, {"status": "approved"}).status_code == 403
    pair.refresh_from_db()
    assert pair.status == "submitted"

from io import StringIO

from django.contrib.auth.models import Group
from django.core.management import call_command

from annotation.roles import ADMIN, ROLES
from annotation.setup import ADMIN_PERMISSIONS


def setup_roles() -> str:
    out = StringIO()
    call_command("setup_roles", stdout=out)
    return out.getvalue()


def test_creates_the_role_groups_and_admin_permissions_idempotently(db):
    output = setup_roles()
    setup_roles()

    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLES)
    admin = Group.objects.get(name=ADMIN)
    expected = {
        f"{app}.{action}_{model}" for app, model, actions in ADMIN_PERMISSIONS for action in actions
    }
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in admin.permissions.all()}
    assert granted == expected
    # Nothing is deleted, except a reviewer's stuck lease (which only frees the pair).
    deletes = {name for name in granted if name.split(".")[1].startswith("delete_")}
    assert deletes == {"review.delete_lease"}
    for role in ROLES:
        assert f"Role group {role}" in output
    assert f"{len(expected)} permissions" in output


def test_other_roles_get_no_model_permissions(db):
    setup_roles()
    assert not Group.objects.exclude(name=ADMIN).filter(permissions__isnull=False).exists()

from io import StringIO

from django.contrib.auth.models import Group, User
from django.core.management import call_command

from annotation.models import Category, Dataset
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER, is_admin, is_contributor, is_reviewer


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {
        "datasets": Dataset.objects.count(),
        "categories": Category.objects.count(),
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "memberships": User.groups.through.objects.count(),
    }


def test_seed_demo_is_idempotent_and_gives_everyone_their_roles(db):
    output = seed()
    first = snapshot()
    seed()

    assert snapshot() == first
    assert first["datasets"] == 1 and first["categories"] == 8
    assert "alice" in output and "ada" in output
    users = {u.username: u for u in User.objects.all()}
    assert is_contributor(users["alice"]) and not is_reviewer(users["alice"])
    assert is_reviewer(users["bob"]) and is_contributor(users["bob"])
    assert is_admin(users["ada"]) and users["ada"].is_staff and not users["ada"].is_superuser
    assert not users["dan"].is_staff
    assert sorted(users["rita"].groups.values_list("name", flat=True)) == [CONTRIBUTOR, REVIEWER]
    assert Group.objects.get(name=ADMIN).permissions.filter(codename="change_category").exists()

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from annotation.roles import ADMIN, ROLES
from annotation.setup import roles_setup


class Command(BaseCommand):
    help = (
        "Create the role groups (contributor, reviewer, admin) and give the admin group its "
        "permissions in Django's admin. Idempotent; seed_demo runs it too."
    )

    def handle(self, *args, **options) -> None:
        roles_setup()
        for group in Group.objects.filter(name__in=ROLES).order_by("name"):
            detail = f"{group.permissions.count()} permissions" if group.name == ADMIN else ""
            self.stdout.write(f"Role group {group.name}" + (f": {detail}" if detail else ""))

import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER
from annotation.seeding import dataset_seed_dolly
from annotation.setup import roles_setup
from people.accounts import mark_email_verified

# username, roles, staff. Passwords are fixed so a demo can be followed from the README.
DEMO_USERS = [
    ("alice", [CONTRIBUTOR], False),
    ("dan", [CONTRIBUTOR], False),
    ("bob", [REVIEWER, CONTRIBUTOR], False),
    ("rita", [REVIEWER, CONTRIBUTOR], False),
    ("ada", [ADMIN, REVIEWER, CONTRIBUTOR], True),
]
# A known password only for a local DEBUG site; anywhere else each run draws fresh ones.
LOCAL_DEMO_PASSWORD = "handwritten-demo"  # noqa: S105


class Command(BaseCommand):
    help = "Create the demo dataset (dolly, 8 categories) and one user per role. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        roles_setup()
        dataset = dataset_seed_dolly()
        count = dataset.categories.count()
        self.stdout.write(f"Dataset '{dataset.slug}' with {count} categories.")
        self.stdout.write("Demo users (username / password / roles):")
        for username, roles, staff in DEMO_USERS:
            user, _ = User.objects.get_or_create(
                username=username, defaults={"email": f"{username}@example.com"}
            )
            password = LOCAL_DEMO_PASSWORD if settings.DEBUG else secrets.token_urlsafe(12)
            user.set_password(password)
            user.is_staff = staff
            user.save()
            mark_email_verified(user)
            user.groups.add(*Group.objects.filter(name__in=roles))
            self.stdout.write(f"  {username:<6} {password:<18} {', '.join(roles)}")

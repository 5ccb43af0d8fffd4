"""``manage.py createadmin``: Django's createsuperuser, whose account can sign in.

Sign-in asks for a verified email address (allauth, mandatory verification), and an
account made at the server's shell has none: createsuperuser's account would be sent to
verify an address, or, with none given, could never sign in. Whoever runs this command
already holds the server, so the address they give is recorded as verified.
"""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError

from people.accounts import mark_email_verified


class Command(createsuperuser.Command):
    help = "Create a superuser whose email address is recorded as verified, so it can sign in."

    def handle(self, *args, **options) -> None:
        if not options["interactive"] and not (options.get("email") or self._env_email()):
            raise CommandError("An email address is required: sign-in needs a verified one.")
        users = get_user_model()._default_manager.db_manager(options["database"])
        newest = users.order_by("-pk").values_list("pk", flat=True).first() or 0
        super().handle(*args, **options)
        for user in users.filter(pk__gt=newest, is_superuser=True):
            if not user.email:
                user.delete()
                raise CommandError("An email address is required: sign-in needs a verified one.")
            mark_email_verified(user=user)
            self.stdout.write(f"{user.email} is recorded as verified: {user} can sign in.")

    @staticmethod
    def _env_email() -> str:
        return os.environ.get("DJANGO_SUPERUSER_EMAIL", "")

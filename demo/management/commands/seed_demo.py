from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotation.seeding import dataset_seed_dolly, demo_users_seed
from annotation.setup import roles_setup
from demo.content import SeedFailed, demo_content_seed
from people.accounts import mark_email_verified


class Command(BaseCommand):
    help = (
        "Create the demo: dataset dolly (8 categories), one user per role, pairs from the "
        "Dolly sample in every state, reviews, an edit proposal and a ready release v1. "
        "Idempotent. Existing accounts are never changed. Refuses to run with DEBUG off "
        "unless given --allow-production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run although DEBUG is off (new accounts get random passwords).",
        )

    def handle(self, *args, allow_production: bool, **options) -> None:
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off: this looks like a production site, where demo accounts and "
                "demo pairs do not belong. Run with --allow-production if you mean it."
            )
        roles_setup()
        dataset = dataset_seed_dolly()
        self.stdout.write(f"Dataset '{dataset.slug}' with {dataset.categories.count()} categories.")
        seeded_users = demo_users_seed(local=settings.DEBUG)
        self.stdout.write("Demo users (username / password / roles):")
        for seeded in seeded_users:
            if seeded.password is not None:
                mark_email_verified(user=seeded.user)  # demo accounts sign in without a mail
            password = seeded.password or "(existed: left as it is)"
            roles = ", ".join(seeded.roles)
            self.stdout.write(f"  {seeded.user.username:<6} {password:<24} {roles}")
        people = {seeded.user.username: seeded.user for seeded in seeded_users}
        try:
            content = demo_content_seed(dataset=dataset, people=people, admin=people["ada"])
        except SeedFailed as failed:
            raise CommandError(str(failed)) from failed
        states = ", ".join(f"{n} {status}" for status, n in sorted(content.by_status.items()))
        self.stdout.write(f"Pairs: {content.pairs} ({states}).")
        if content.skipped:
            self.stdout.write(f"  ({content.skipped})")
        if content.release is not None:
            self.stdout.write(f"Release v{content.release.version}: {content.release.state}.")

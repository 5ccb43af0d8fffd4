"""The seeded demo for browser tests that walk its pages."""

from django.contrib.auth.models import User
from django.core.management import call_command

from annotation.models import Dataset
from review.insights import insights_refresh, insights_snapshot
from tests.factories import PASSWORD


def seed_demo_for_browser(settings, tmp_path) -> None:
    """The seeded demo, its people signing in with the test password and its dataset's
    insights figures computed (the page shows stored figures, not ones made on view)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--allow-production", stdout=None)
    for user in User.objects.filter(username__in=["alice", "bob", "rita", "ada", "dan"]):
        user.set_password(PASSWORD)
        user.save()
    insights_refresh(snapshot_id=insights_snapshot(dataset=Dataset.objects.get()).pk)

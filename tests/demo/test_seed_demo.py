from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from annotation.models import Category, Dataset, OpenPrompt, Pair, Revision
from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER, is_admin, is_contributor, is_reviewer
from annotation.seeding import LOCAL_DEMO_PASSWORD
from exports.models import Release
from review.edits import edit_take_next
from review.models import EditProposal, Review
from review.queue import pair_take_next

S = Pair.Status


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {
        "datasets": Dataset.objects.count(),
        "categories": Category.objects.count(),
        "users": User.objects.count(),
        "groups": Group.objects.count(),
        "memberships": User.groups.through.objects.count(),
        "pairs": Pair.objects.count(),
        "revisions": Revision.objects.count(),
        "reviews": Review.objects.count(),
        "edits": EditProposal.objects.count(),
        "prompts": OpenPrompt.objects.count(),
        "releases": Release.objects.count(),
    }


# The release is built on a second connection on PostgreSQL, which must see the pairs.
@pytest.mark.django_db(transaction=True)
def test_seed_demo_fills_every_state_and_is_idempotent(settings):
    settings.DEBUG = True
    output = seed()
    first = snapshot()
    again = seed()

    assert snapshot() == first
    assert "already has pairs" in again
    assert first["datasets"] == 1 and first["categories"] == 8
    assert "alice" in output and LOCAL_DEMO_PASSWORD in output and "Release v1: ready" in output
    dataset = Dataset.objects.get(slug="dolly")
    pairs = Pair.objects.filter(dataset=dataset)
    # Waiting for review in every category.
    for category in dataset.categories.all():
        assert pairs.filter(category=category, status=S.SUBMITTED).exists(), category.slug
    assert pairs.filter(status=S.APPROVED).count() >= 8
    rejected = pairs.get(status=S.REJECTED)
    assert rejected.reviews.filter(decision=Review.Decision.REJECT).exclude(reason="").count() == 2
    revised = pairs.get(current_revision__number=2)
    assert revised.status == S.SUBMITTED
    assert revised.current_revision.kind == Revision.Kind.AUTHOR_REVISION
    assert revised.reviews.filter(decision=Review.Decision.REQUEST_CHANGES).exists()
    edit = EditProposal.objects.get()
    assert edit.status == EditProposal.Status.PENDING and edit.proposer.username == "rita"
    reviewers = set(Review.objects.values_list("reviewer__username", flat=True))
    assert reviewers == {"bob", "rita"}
    assert OpenPrompt.objects.filter(author__username="alice").exists()
    release = Release.objects.get(dataset=dataset)
    assert release.state == Release.State.READY and release.version == 1
    assert release.files.filter(name="dolly.jsonl").exists()
    # A newcomer finds work in both queues.
    bob = User.objects.get(username="bob")
    assert pair_take_next(reviewer=bob) is not None
    assert edit_take_next(reviewer=bob) is not None


@pytest.mark.django_db(transaction=True)
def test_seed_demo_gives_everyone_their_roles(settings):
    settings.DEBUG = True
    seed()
    users = {u.username: u for u in User.objects.all()}
    assert is_contributor(users["alice"]) and not is_reviewer(users["alice"])
    assert is_reviewer(users["bob"]) and is_contributor(users["bob"])
    assert is_admin(users["ada"]) and users["ada"].is_staff and not users["ada"].is_superuser
    assert not users["dan"].is_staff
    assert sorted(users["rita"].groups.values_list("name", flat=True)) == [CONTRIBUTOR, REVIEWER]
    assert Group.objects.get(name=ADMIN).permissions.filter(codename="change_category").exists()
    assert users["alice"].check_password(LOCAL_DEMO_PASSWORD)


def test_seed_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    before = snapshot()  # system accounts exist from the migrations
    with pytest.raises(CommandError, match="--allow-production"):
        seed()
    assert snapshot() == before
    assert not User.objects.filter(username="alice").exists() and not Dataset.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_seed_demo_with_allow_production_draws_random_passwords(settings):
    settings.DEBUG = False
    output = seed("--allow-production")
    alice = User.objects.get(username="alice")
    assert not alice.check_password(LOCAL_DEMO_PASSWORD)
    assert LOCAL_DEMO_PASSWORD not in output


@pytest.mark.django_db(transaction=True)
def test_seed_demo_never_touches_an_account_it_did_not_create(settings):
    settings.DEBUG = True
    ada = User.objects.create_user("ada", password="her-own-password")
    seed()
    seed()
    ada.refresh_from_db()
    assert ada.check_password("her-own-password")
    assert not ada.groups.exists() and not ada.is_staff

"""Release tests: files land in a temporary MEDIA_ROOT; helpers build real releases."""

import hashlib
import uuid

import pytest
from django.utils import timezone

from annotation.models import AuditEvent, Pair
from annotation.workflow import S, transition
from config.celery import app as celery_app
from exports.building import release_build
from exports.models import Release
from exports.services import release_create
from exports.storage import release_storage
from review.models import Review
from tests.factories import make_pair, resubmit


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eager_tasks():
    """Run enqueued tasks in-process even when REDIS_URL points at a real broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def approve(pair: Pair, *, by, reviewers=()) -> Pair:
    """Approve the pair's current revision, after a review by each of ``reviewers``."""
    for reviewer in reviewers:
        Review.objects.create(
            pair=pair,
            revision=pair.current_revision,
            reviewer=reviewer,
            round=pair.review_round,
            decision=Review.Decision.APPROVE,
        )
    return transition(
        pair=pair,
        to=S.APPROVED,
        by=by,
        verb="pair.approve",
        fields={"approved_revision": pair.current_revision, "approved_at": timezone.now()},
    )


def approved_pair(*, author, category, by, reviewers=(), **text) -> Pair:
    pair = make_pair(author=author, category=category, status=S.SUBMITTED, **text)
    return approve(pair, by=by, reviewers=reviewers)


def improve(pair: Pair, *, response: str) -> Pair:
    """The author submits a new revision of an approved pair; it waits for review."""
    return resubmit(pair, response=response)


def build(dataset, *, by=None, categories=(), test_fraction=0.1, notes="") -> Release:
    """A release built and published in-process, as the task would."""
    release = release_create(
        dataset=dataset, by=by, notes=notes, categories=categories, test_fraction=test_fraction
    )
    release_build(release_id=release.pk)
    release.refresh_from_db()
    return release


def split_of(public_id: str, test_fraction: float) -> str:
    """train or test, as the release's rule puts it, computed here independently: test when
    the first 64 bits of the sha256 of the public id, as a fraction of 2**64, are below."""
    digest = hashlib.sha256(public_id.encode("ascii")).digest()
    return "test" if int.from_bytes(digest[:8], "big") / 2**64 < test_fraction else "train"


def place_in_splits(dataset, splits: list[str], fraction: float) -> None:
    """Give the dataset's pairs, in creation order, public ids that put them in ``splits``:
    the split comes from a hash of the id, and random ids leave a split of a few pairs
    empty now and then (five at a fraction of 0.5: 1 time in 16)."""
    pairs = Pair.objects.filter(category__dataset=dataset).order_by("pk")
    assert len(pairs) == len(splits)
    for pair, split in zip(pairs, splits, strict=True):
        public_id = uuid.uuid4()
        while split_of(str(public_id), fraction) != split:
            public_id = uuid.uuid4()
        Pair.objects.filter(pk=pair.pk).update(public_id=public_id)
        # The audit trail names pairs by public id (approvals among them).
        AuditEvent.objects.filter(object_type="pair", object_id=str(pair.public_id)).update(
            object_id=str(public_id)
        )


def read(release: Release, name: str) -> bytes:
    with release_storage().open(release.files.get(name=name).storage_path, "rb") as handle:
        return handle.read()

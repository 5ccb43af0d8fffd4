"""The Celery task that refreshes a dataset's stored insights figures."""

from annotation.models import Pair
from review.models import InsightsSnapshot
from review.tasks import refresh_insights
from tests.factories import make_pair


def test_task_stores_the_figures(dolly, open_qa, alice):
    make_pair(author=alice, category=open_qa, status=Pair.Status.APPROVED)
    snapshot = InsightsSnapshot.objects.create(dataset=dolly)
    refresh_insights.apply(args=[snapshot.pk]).get()
    snapshot.refresh_from_db()
    assert snapshot.computed_at is not None and snapshot.requested_at is None
    assert snapshot.figures["approved"] == 1
    assert snapshot.figures["reviewers"] == []  # stored whole; cut per viewer when served


def test_task_for_a_vanished_snapshot_does_nothing(db):
    refresh_insights.apply(args=[12345]).get()
    assert not InsightsSnapshot.objects.exists()

"""Celery tasks of review: thin. The work is in review.insights."""

from celery import shared_task

from review.insights import insights_refresh


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_insights(snapshot_id: int) -> None:
    """Recompute a dataset's stored insights figures."""
    insights_refresh(snapshot_id=snapshot_id)

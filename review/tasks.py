"""Celery tasks of review: thin. The work is in review.insights and review.moderation."""

from celery import shared_task

from review.insights import insights_refresh
from review.moderation import bulk_action_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def refresh_insights(snapshot_id: int) -> None:
    """Recompute a dataset's stored insights figures."""
    insights_refresh(snapshot_id=snapshot_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_action_apply(bulk_id: int) -> str:
    """Carry out bulk action ``bulk_id``; a no-op once it is done or failed."""
    return bulk_action_run(bulk_id=bulk_id).state

"""Celery tasks of the review app: thin, the work is in review.moderation."""

from celery import shared_task

from review.moderation import bulk_action_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_action_apply(bulk_id: int) -> str:
    """Carry out bulk action ``bulk_id``; a no-op once it is done or failed."""
    return bulk_action_run(bulk_id=bulk_id).state

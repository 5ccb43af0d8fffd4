"""The Celery task: thin. The work is in exports.building's release_build, which the
build_release management command runs too."""

from celery import Task, shared_task
from django.conf import settings

from exports.attempts import BUSY, STALE_AFTER
from exports.building import release_build

# Another live attempt holds the release: look again well before it could go stale.
BUSY_RETRY_SECONDS = max(5, int(STALE_AFTER.total_seconds() / 10))


# Acknowledged only once done, and given back to the broker if its worker dies: the broker
# then hands it to another worker after its visibility timeout (longer than the time
# limit, see the settings), which takes the stalled build over.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    time_limit=settings.HANDWRITTEN_RELEASE_TIME_LIMIT,
)
def build_release(self: Task, release_id: int) -> str:
    """Build and publish release ``release_id``; a no-op when it is ready or failed."""
    outcome = release_build(release_id=release_id)
    if outcome == BUSY and not self.request.is_eager:
        raise self.retry(countdown=BUSY_RETRY_SECONDS)
    return outcome if isinstance(outcome, str) else outcome.state

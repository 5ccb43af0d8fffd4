"""Leases: a reviewer's hold on the item they work on, in the review queue (a pair) or the
edit queue (a proposed edit). One set of rules for both:

- take: :func:`lease_next` renews the lease its holder already has while its item is
  still theirs to work on, else leases the item the queue's ``find`` returns (locked);
- renew: :func:`lease_renew` extends an unexpired lease (the page's heartbeat);
- release: :func:`lease_release` gives the item back unworked; deciding the item, or the
  item leaving its queue, ends any lease on it (:func:`lease_end`);
- expire: a lease past ``expires_at`` is nobody's. Queues offer its item again, its
  holder gets :class:`LeaseExpired`, and its row is replaced when the holder or the item
  is leased again.

One lease per person and kind is the database's rule (``lease_one_per_holder``). Two
requests of one person at the same moment (a double click, two tabs) are also taken one
after the other (a row lock on the person), so the second finds the lease the first made
and both tabs show the same item: without the lock, the second could find every item
locked by the first and say the queue is empty.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from review.models import Lease

Kind = Lease.Kind

# A found item can turn out leased between the lookup and the lock (another reviewer
# committed a lease); each retry sees that lease, so a few tries always suffice.
MAX_TRIES = 5


class LeaseLost(Exception):
    """The person does not hold an unexpired lease on this item."""


class NotHeld(LeaseLost):
    """The person never held this item, or it has been leased to someone else since."""


class LeaseExpired(LeaseLost):
    """The person's lease ran out; the item is back in its queue for anyone."""


def lease_until(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=settings.HANDWRITTEN_CLAIM_MINUTES)


def _field(kind: str) -> str:
    return "pair" if kind == Kind.REVIEW else "proposal"


def leases_active(now: datetime | None = None) -> models.QuerySet[Lease]:
    """Unexpired leases: the ones that keep their item from everyone else."""
    return Lease.objects.filter(expires_at__gt=now or timezone.now())


def lease_held(*, holder: User, kind: str) -> Lease | None:
    """``holder``'s unexpired lease of ``kind``, its item loaded, or None."""
    return leases_active().filter(holder=holder, kind=kind).select_related(_field(kind)).first()


# Whether a held lease's item is still the holder's to work on.
StillGood = Callable[[Lease], bool]
# The queue's next item for the holder at a time, its row locked; None when there is none.
Find = Callable[[datetime], models.Model | None]


def lease_next(*, holder: User, kind: str, still_good: StillGood, find: Find) -> Lease | None:
    """The lease ``holder`` holds (renewed) if ``still_good`` says its item is still theirs
    to work on, else a lease on the item ``find`` returns; None when ``find`` finds none.

    ``find(now)`` returns the next item of the queue for ``holder``, its row locked until
    the transaction ends (``select_for_update(skip_locked=True)`` on PostgreSQL, so that
    two people asking at once never wait for, or get, the same row).
    """
    for _ in range(MAX_TRIES):
        try:
            return _take(holder, kind, still_good, find)
        except IntegrityError:
            # Someone leased the item after the lookup's snapshot: the next try sees it.
            continue
    return None


def _take(holder: User, kind: str, still_good: StillGood, find: Find) -> Lease | None:
    now = timezone.now()
    field = _field(kind)
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=holder.pk).only("pk").first()
        held = (
            Lease.objects.select_for_update(of=("self",))
            .select_related(field)
            .filter(holder=holder, kind=kind)
            .first()
        )
        if held is not None:
            if held.expires_at > now and still_good(held):
                held.expires_at = lease_until(now)
                held.save(update_fields=["expires_at"])
                return held
            held.delete()
        item = find(now)
        if item is None:
            return None
        # An expired lease may still sit on the item. An unexpired one, committed by
        # someone else after the lookup's snapshot, makes the insert fail: try again.
        Lease.objects.filter(expires_at__lte=now, **{field: item}).delete()
        return Lease.objects.create(
            kind=kind, holder=holder, taken_at=now, expires_at=lease_until(now), **{field: item}
        )


def lease_get(*, holder: User, kind: str, item: models.Model) -> Lease:
    """``holder``'s unexpired lease on ``item``; raises NotHeld or LeaseExpired."""
    lease = Lease.objects.filter(holder=holder, kind=kind, **{_field(kind): item}).first()
    if lease is None:
        raise NotHeld(f"You do not hold this {_noun(kind)}.")
    if lease.expires_at <= timezone.now():
        raise LeaseExpired(
            f"Your lease on this {_noun(kind)} has expired; it went back to the queue."
        )
    return lease


def lease_renew(*, holder: User, kind: str, item: models.Model) -> Lease:
    """Extend an unexpired lease (a heartbeat while the page is open); raises LeaseLost."""
    now = timezone.now()
    Lease.objects.filter(
        holder=holder, kind=kind, expires_at__gt=now, **{_field(kind): item}
    ).update(expires_at=lease_until(now))
    return lease_get(holder=holder, kind=kind, item=item)


def lease_release(*, holder: User, kind: str, item: models.Model) -> bool:
    """Give ``item`` back to its queue unworked. True if ``holder`` had a lease on it."""
    deleted, _ = Lease.objects.filter(holder=holder, kind=kind, **{_field(kind): item}).delete()
    return bool(deleted)


def lease_end(*, kind: str, item: models.Model) -> None:
    """Whoever holds ``item`` holds it no more: it was decided, or left its queue."""
    leases_end(kind=kind, items=[item])


def leases_end(*, kind: str, items: Iterable) -> None:
    """:func:`lease_end` for many items (rows or primary keys) at once."""
    Lease.objects.filter(kind=kind, **{f"{_field(kind)}__in": items}).delete()


def _noun(kind: str) -> str:
    return "pair" if kind == Kind.REVIEW else "edit"

"""Contribution licences: a contributor accepts a dataset's licence before writing for it."""

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from annotation.audit import audit
from annotation.models import Dataset, LicenceAcceptance


def licence_accepted(*, user: User, dataset: Dataset) -> bool:
    """Whether ``user`` accepted the current version of ``dataset``'s licence."""
    return LicenceAcceptance.objects.filter(
        user=user, dataset=dataset, licence_version=dataset.licence_version
    ).exists()


def licence_acceptance(*, user: User, dataset: Dataset) -> LicenceAcceptance | None:
    return LicenceAcceptance.objects.filter(
        user=user, dataset=dataset, licence_version=dataset.licence_version
    ).first()


def licence_accept(*, user: User, dataset: Dataset) -> LicenceAcceptance:
    """Record that ``user`` accepts the current licence version; idempotent."""
    existing = licence_acceptance(user=user, dataset=dataset)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            acceptance = LicenceAcceptance.objects.create(
                user=user,
                dataset=dataset,
                licence=dataset.licence,
                licence_version=dataset.licence_version,
            )
            audit(
                actor=user,
                verb="licence.accept",
                obj=dataset,
                licence=dataset.licence,
                version=dataset.licence_version,
            )
    except IntegrityError:
        # Accepted in another tab at the same moment: that acceptance stands.
        return LicenceAcceptance.objects.get(
            user=user, dataset=dataset, licence_version=dataset.licence_version
        )
    return acceptance

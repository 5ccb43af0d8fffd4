"""Findings kept with revisions: recording them, confirming them, and what they keep out
of releases. The detectors are in annotation.findings; the rule for which pairs ship, in
annotation.pairs, reads what is recorded here.

A credential never reaches this module: the checks refuse the text. Personal data is kept
only with a confirmation that it is fictional or public: the writer's at submit (ticked
beside each finding), or a reviewer's or admin's later on the review pages.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import capfirst

from annotation import findings
from annotation.audit import audit
from annotation.models import Dataset, Finding, Pair, Revision
from annotation.pairs import is_written_by, releasable_pairs
from annotation.roles import is_admin, is_reviewer

_TOKEN_SALT = "annotation.flags.finding_token"  # noqa: S105 (a salt, not a secret)


def finding_token(*, pair: Pair, finding: findings.Finding, text: str) -> str:
    """Names a finding in the writer's form across edits (it follows the value, not its
    position), keyed so that the page never carries the value in any other form."""
    value = text[finding.start : finding.end]
    message = f"{pair.public_id}|{finding.field}|{finding.kind}|{value}"
    return salted_hmac(_TOKEN_SALT, message, algorithm="sha256").hexdigest()[:24]


@dataclass(frozen=True)
class Shown:
    """A finding as a page shows it: the value highlighted in a little of its text."""

    finding: findings.Finding
    token: str
    before: str
    value: str
    after: str
    position: str
    confirmed: bool
    # The same value again in the same field: one tick (the first's) confirms both.
    repeat: bool = False

    @property
    def label(self) -> str:
        return self.finding.label

    @property
    def refused(self) -> bool:
        return self.finding.category == findings.CREDENTIAL


@dataclass(frozen=True)
class RecordedShown(Shown):
    """A finding kept with a revision, with its row (who confirmed it, when)."""

    row: Finding | None = None
    confirmable: bool = False
    # Confirmed by whoever wrote the pair: review pages say "the author", not a name.
    by_author: bool = False


_AROUND = 40


def _snippet(text: str, start: int, end: int) -> tuple[str, str, str]:
    before = text[max(0, start - _AROUND) : start]
    after = text[end : end + _AROUND]
    return (
        ("…" if start > _AROUND else "") + before,
        text[start:end],
        after + ("…" if end + _AROUND < len(text) else ""),
    )


def draft_findings(
    *, pair: Pair, text_fields: Mapping[str, str], confirmed: Collection[str] = ()
) -> list[Shown]:
    """What the writer's findings panel lists for this text; ``confirmed`` are the tokens
    the writer ticked."""
    shown, seen = [], set()
    for finding in findings.findings_scan(text_fields=text_fields):
        text = text_fields[finding.field]
        token = finding_token(pair=pair, finding=finding, text=text)
        before, value, after = _snippet(text, finding.start, finding.end)
        shown.append(
            Shown(
                finding=finding,
                token=token,
                before=before,
                value=value,
                after=after,
                position=finding.position(text),
                confirmed=token in confirmed,
                repeat=token in seen,
            )
        )
        seen.add(token)
    return shown


def unconfirmed_messages(
    *,
    pair: Pair,
    found: Iterable[findings.Finding],
    text_fields: Mapping[str, str],
    confirmed: Collection[str],
) -> list[tuple[str, str]]:
    """(field, message) for each piece of personal data the writer has not confirmed."""
    messages = []
    for finding in found:
        if finding.category != findings.PERSONAL:
            continue
        text = text_fields[finding.field]
        if finding_token(pair=pair, finding=finding, text=text) in confirmed:
            continue
        messages.append(
            (
                finding.field,
                f"{capfirst(finding.label)} at {finding.position(text)}: remove it, or tick "
                "that it is fictional or public under “Personal data and credentials”.",
            )
        )
    return messages


def finding_rows(
    *, revision_id: int, found: Iterable[findings.Finding], confirmed_by: User | None = None
) -> list[Finding]:
    """Unsaved rows for ``found`` on a revision (for bulk_create in an import)."""
    now = timezone.now() if confirmed_by is not None else None
    return [
        Finding(
            revision_id=revision_id,
            field=finding.field,
            kind=finding.kind,
            category=finding.category,
            start=finding.start,
            end=finding.end,
            confirmed_by=confirmed_by,
            confirmed_at=now,
        )
        for finding in found
    ]


def findings_record(
    *, revision: Revision, found: Iterable[findings.Finding], confirmed_by: User | None = None
) -> list[Finding]:
    """Keep ``found`` with ``revision``: confirmed by ``confirmed_by`` (the writer, who
    ticked each one at submit), or unconfirmed (an import, an accepted edit)."""
    return Finding.objects.bulk_create(
        finding_rows(revision_id=revision.pk, found=found, confirmed_by=confirmed_by)
    )


def may_confirm(*, revision: Revision, user: User) -> bool:
    """Admins confirm any revision's findings; a reviewer, those of the revision under review
    of a pair that is not their own (the writer confirms their own at submit). Not an
    older revision's: the approved text of a pair being improved ships, and a finding on it
    that nobody confirmed is what keeps it out of a release until an admin looks."""
    if is_admin(user):
        return True
    pair = revision.pair
    return (
        is_reviewer(user)
        and not is_written_by(pair=pair, user=user)
        and pair.status == Pair.Status.SUBMITTED
        and pair.current_revision_id == revision.pk
    )


def finding_confirm(*, finding: Finding, by: User) -> Finding:
    """Record that ``by`` confirmed the finding fictional or public; idempotent."""
    if not may_confirm(revision=finding.revision, user=by):
        raise PermissionDenied(
            "Only an admin, or a reviewer of the revision under review of someone else's "
            "pair, may confirm a finding."
        )
    with transaction.atomic():
        locked = (
            Finding.objects.select_for_update().select_related("revision__pair").get(pk=finding.pk)
        )
        if locked.confirmed_at is not None:
            return locked
        locked.confirmed_by = by
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_by", "confirmed_at"])
        audit(
            actor=by,
            verb="finding.confirm",
            obj=locked.revision.pair,
            revision=locked.revision.number,
            finding=locked.pk,
            kind=locked.kind,
            field=locked.field,
        )
    return locked


def revision_findings(*, revision: Revision, viewer: User | None = None) -> list[RecordedShown]:
    """Every finding kept with ``revision``, for the review pages, in text order; each
    says whether ``viewer`` may confirm it."""
    rows = revision.findings.select_related("confirmed_by").order_by("field", "start")
    confirmable = viewer is not None and may_confirm(revision=revision, user=viewer)
    pair = revision.pair
    shown = []
    for row in rows:
        text = getattr(revision, row.field, "")
        before, value, after = _snippet(text, row.start, row.end)
        finding = findings.Finding(field=row.field, kind=row.kind, start=row.start, end=row.end)
        shown.append(
            RecordedShown(
                finding=finding,
                token="",
                before=before,
                value=value,
                after=after,
                position=finding.position(text),
                confirmed=row.confirmed_at is not None,
                row=row,
                confirmable=confirmable and row.confirmed_at is None,
                by_author=row.confirmed_by is not None
                and is_written_by(pair=pair, user=row.confirmed_by),
            )
        )
    return shown


def unconfirmed(*, dataset: Dataset, categories: Collection[str] = ()) -> QuerySet[Finding]:
    """Unconfirmed findings on the approved revisions of the pairs a release weighs
    (:func:`~annotation.pairs.releasable_pairs`): those keep their pairs out."""
    return Finding.objects.filter(
        confirmed_at__isnull=True,
        revision__pair__in=releasable_pairs(dataset=dataset, categories=categories),
        revision__pair__approved_revision=F("revision"),
    )


def unshippable_findings(
    *, dataset: Dataset, categories: Collection[str] = (), limit: int | None = None
) -> list[tuple[UUID, list[str]]]:
    """(pair public id, kinds) of each approved pair a release leaves out for an
    unconfirmed finding, in pair order; never the values. ``limit`` caps the pairs."""
    rows = (
        unconfirmed(dataset=dataset, categories=categories)
        .values_list("revision__pair_id", "revision__pair__public_id", "kind")
        .order_by("revision__pair_id", "kind")
        .distinct()
    )
    result: dict[int, tuple[UUID, list[str]]] = {}
    for pair_id, public_id, kind in rows.iterator():
        if pair_id not in result:
            if limit is not None and len(result) >= limit:
                break
            result[pair_id] = (public_id, [])
        result[pair_id][1].append(kind)
    return list(result.values())

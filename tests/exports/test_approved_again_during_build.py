"""A pair approved again while a release builds (its improvement) ships as the release
recorded it: the revision, its approval's time and the reviews given until then."""

import json
from datetime import timedelta

from annotation.models import Pair
from exports import building
from exports.models import ReleaseEntry
from review.models import Review
from tests.exports.conftest import build, read
from tests.factories import make_pair, resubmit
from tests.review.conftest import decide


def _approve(pair: Pair, *reviewers) -> Pair:
    for reviewer in reviewers:
        decide(pair, reviewer, "approve")
    pair.refresh_from_db()
    assert pair.status == Pair.Status.APPROVED
    return pair


def test_an_improvement_approved_mid_build_changes_nothing_in_the_files(
    dolly, open_qa, alice, bob, rita, monkeypatch
):
    pair = _approve(make_pair(author=alice, category=open_qa), bob, rita)
    first_approval = pair.approved_at
    real_record = building.entries_record

    def record_then_the_improvement_is_approved(*, release):
        recorded = real_record(release=release)
        improved = _approve(resubmit(pair, response="A better answer."), bob, rita)
        # An hour later, so that the two approvals and their reviews differ in the file.
        later = timedelta(hours=1)
        Review.objects.filter(revision=improved.approved_revision).update(
            created_at=improved.approved_at + later
        )
        Pair.objects.filter(pk=pair.pk).update(approved_at=improved.approved_at + later)
        return recorded

    monkeypatch.setattr(building, "entries_record", record_then_the_improvement_is_approved)
    release = build(dolly)

    assert release.state == "ready", release.error
    (row,) = [json.loads(line) for line in read(release, "full.jsonl").splitlines()]
    assert row["revision"] == 1
    assert row["response"] != "A better answer."
    assert row["approved_at"] == first_approval.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert row["review_count"] == 2
    assert ReleaseEntry.objects.get(release=release).approved_at == first_approval

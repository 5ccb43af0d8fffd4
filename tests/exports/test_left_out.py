"""A pair with an unconfirmed finding never ships; the release lists it by id and kind."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from annotation.models import Finding
from exports import building
from tests.exports.conftest import approved_pair, build, read

EMAIL = "jane.doe@example.org"


def _flag(pair) -> Finding:
    """An unconfirmed finding on the EMAIL in the pair's approved response."""
    start = pair.approved_revision.response.index(EMAIL)
    return Finding.objects.create(
        revision=pair.approved_revision,
        field="response",
        kind="email",
        category=Finding.Category.PERSONAL,
        start=start,
        end=start + len(EMAIL),
    )


def test_an_unconfirmed_finding_keeps_the_pair_out_and_the_page_lists_it(
    as_ada, dolly, open_qa, alice, ada
):
    kept = approved_pair(author=alice, category=open_qa, by=ada)
    flagged = approved_pair(
        author=alice, category=open_qa, by=ada, response=f"Write to {EMAIL} for details."
    )
    _flag(flagged)
    release = build(dolly)
    assert release.total_count == 1
    assert str(kept.public_id) in read(release, "full.jsonl").decode()
    assert str(flagged.public_id) not in read(release, "full.jsonl").decode()
    assert release.counts["left_out"] == [{"id": str(flagged.public_id), "kinds": ["email"]}]
    page = as_ada.get(reverse("exports:release", args=["dolly", release.ref])).content.decode()
    assert f"<code>{flagged.public_id}</code>: email" in page
    assert EMAIL not in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_finding_confirmed_while_the_entries_are_recorded_still_lists_its_pair(
    dolly, open_qa, alice, ada, monkeypatch
):
    """The entries and the left-out list come from one view of the data: a confirmation
    between the two statements changes neither (the pair ships in the next release)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a second PostgreSQL connection beside the build's transaction")
    approved_pair(author=alice, category=open_qa, by=ada)
    flagged = approved_pair(
        author=alice, category=open_qa, by=ada, response=f"Write to {EMAIL} for details."
    )
    finding = _flag(flagged)
    left_out = building._left_out

    def confirmed_meanwhile(release):
        def confirm() -> None:
            try:
                Finding.objects.filter(pk=finding.pk).update(confirmed_at=timezone.now())
            finally:
                connections.close_all()

        elsewhere = threading.Thread(target=confirm)
        elsewhere.start()
        elsewhere.join()
        return left_out(release)

    monkeypatch.setattr(building, "_left_out", confirmed_meanwhile)
    release = build(dolly)

    finding.refresh_from_db()
    assert finding.confirmed_at is not None  # committed by the other connection
    assert release.total_count == 1
    assert release.counts["left_out"] == [{"id": str(flagged.public_id), "kinds": ["email"]}]

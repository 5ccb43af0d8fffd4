"""A pair with an unconfirmed finding never ships; the release lists it by id and kind."""

from django.urls import reverse

from annotation.models import Finding
from tests.exports.conftest import approved_pair, build, read

EMAIL = "jane.doe@example.org"


def test_an_unconfirmed_finding_keeps_the_pair_out_and_the_page_lists_it(
    as_ada, dolly, open_qa, alice, ada
):
    kept = approved_pair(author=alice, category=open_qa, by=ada)
    flagged = approved_pair(
        author=alice, category=open_qa, by=ada, response=f"Write to {EMAIL} for details."
    )
    start = flagged.approved_revision.response.index(EMAIL)
    Finding.objects.create(
        revision=flagged.approved_revision,
        field="response",
        kind="email",
        category=Finding.Category.PERSONAL,
        start=start,
        end=start + len(EMAIL),
    )
    release = build(dolly)
    assert release.total_count == 1
    assert str(kept.public_id) in read(release, "full.jsonl").decode()
    assert str(flagged.public_id) not in read(release, "full.jsonl").decode()
    assert release.counts["left_out"] == [{"id": str(flagged.public_id), "kinds": ["email"]}]
    page = as_ada.get(reverse("exports:release", args=["dolly", release.ref])).content.decode()
    assert f"<code>{flagged.public_id}</code>: email" in page
    assert EMAIL not in page

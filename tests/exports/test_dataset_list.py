from django.urls import reverse

from annotation.models import Dataset
from exports.models import Release
from tests.exports.conftest import approved_pair, build


def test_lists_datasets_with_their_latest_release(as_ada, dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    build(dolly)
    latest = build(dolly)
    Release.objects.create(dataset=dolly)  # queued
    Dataset.objects.create(name="Empty one", slug="empty-one")

    response = as_ada.get(reverse("exports:datasets"))

    assert response.status_code == 200
    page = response.context["page"]
    assert [d.slug for d in page.object_list] == ["dolly", "empty-one"]
    assert page.object_list[0].latest == latest and page.object_list[0].building
    assert page.object_list[1].latest is None
    assert reverse("exports:release", kwargs={"slug": "dolly", "ref": "v2"}).encode() in (
        response.content
    )
    assert b"none yet" in response.content


def test_a_release_of_one_category_is_not_the_datasets_latest(as_ada, dolly, open_qa, alice, ada):
    approved_pair(author=alice, category=open_qa, by=ada)
    full = build(dolly)
    one = build(dolly, categories=["open_qa"])

    listed = as_ada.get(reverse("exports:datasets")).context["page"].object_list[0]
    releases = as_ada.get(reverse("exports:releases", args=["dolly"])).content.decode()

    assert not full.filters.get("categories") and one.filters["categories"] == ["open_qa"]
    assert listed.latest == full
    assert f'>{one.label}</a> <span class="muted small">only open_qa</span>' in releases


def test_paginates(as_ada, settings):
    settings.HANDWRITTEN_PAGE_SIZE = 2
    for i in range(3):
        Dataset.objects.create(name=f"Set {i}", slug=f"set-{i}")
    first = as_ada.get(reverse("exports:datasets"))
    second = as_ada.get(reverse("exports:datasets"), {"page": 2})
    assert len(first.context["page"].object_list) == 2
    assert [d.slug for d in second.context["page"].object_list] == ["set-2"]
    assert b"Page 2 of 2" in second.content

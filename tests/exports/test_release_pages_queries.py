"""The release pages and downloads cost the same queries for a few releases and pairs as
for many."""

import pytest
from django.test import override_settings
from django.urls import reverse

from annotation.roles import ADMIN
from annotation.seeding import dataset_seed_dolly
from exports.models import Release
from exports.services import release_create
from tests.exports.conftest import approved_pair, build
from tests.factories import make_user


def _approved(author, categories, admin, reviewers, count: int) -> None:
    for _ in range(count):
        for category in categories:
            approved_pair(author=author, category=category, by=admin, reviewers=reviewers)


def _releases(dataset, admins, count: int) -> list[Release]:
    """``count`` rounds of: a full release by each admin, a release of one category, and
    one queued by the command line (no one)."""
    made = []
    for _ in range(count):
        for admin in admins:
            made.append(build(dataset, by=admin, notes="Another cut."))
        made.append(build(dataset, by=admins[0], categories=["open_qa"]))
        made.append(release_create(dataset=dataset, by=None, test_fraction=0.1))
    return made


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _cost(client, url: str, cap: int, assert_max) -> int:
    """Queries of a GET, the streamed body read in full (a zip reads as it streams)."""
    with assert_max(cap) as captured:
        response = client.get(url)
        assert response.status_code == 200
        _body(response)
    return len(captured.captured_queries)


@override_settings(HANDWRITTEN_PAGE_SIZE=5)
def test_the_release_list_costs_the_same_queries_for_a_few_releases_or_many(
    as_ada, alice, bob, ada, dolly, open_qa, closed_qa, django_assert_max_num_queries
):
    url = reverse("exports:releases", kwargs={"slug": dolly.slug})
    _approved(alice, [open_qa, closed_qa], ada, [bob], 1)
    _releases(dolly, [ada], 1)
    _cost(as_ada, url, 50, django_assert_max_num_queries)  # warm the caches
    small = [
        _cost(as_ada, f"{url}{query}", 20, django_assert_max_num_queries)
        for query in ("", "?page=2")
    ]

    ed = make_user("ed", ADMIN, is_staff=True)
    _approved(alice, [open_qa, closed_qa], ada, [bob], 4)
    _releases(dolly, [ada, ed], 3)
    for query, cost in zip(("", "?page=2"), small, strict=True):
        _cost(as_ada, f"{url}{query}", cost, django_assert_max_num_queries)
    response = as_ada.get(url)
    assert response.context["page"].paginator.count == 3 + 4 * 3
    assert response.context["shippable"] == 10


@override_settings(HANDWRITTEN_PAGE_SIZE=5)
def test_the_dataset_list_costs_the_same_queries_for_a_few_datasets_or_many(
    as_ada, alice, ada, dolly, open_qa, django_assert_max_num_queries
):
    url = reverse("exports:datasets")
    _approved(alice, [open_qa], ada, [], 1)
    _releases(dolly, [ada], 1)
    _cost(as_ada, url, 50, django_assert_max_num_queries)  # warm the caches
    cost = _cost(as_ada, url, 15, django_assert_max_num_queries)

    for n in range(5):
        more = dataset_seed_dolly(slug=f"more-{n}", name=f"More {n}")
        _approved(alice, [more.categories.get(slug="open_qa")], ada, [], 1)
        _releases(more, [ada], 1)
    _cost(as_ada, url, cost, django_assert_max_num_queries)
    response = as_ada.get(url)
    assert response.context["page"].paginator.count == 6
    assert all(dataset.latest for dataset in response.context["page"].object_list)


@pytest.mark.parametrize("kind", ["detail", "file", "zip"])
def test_a_release_costs_the_same_queries_for_a_few_pairs_or_many(
    as_ada, alice, bob, rita, ada, dolly, open_qa, closed_qa, kind, django_assert_max_num_queries
):
    def url(release: Release) -> str:
        ref = {"slug": dolly.slug, "ref": release.ref}
        if kind == "detail":
            return reverse("exports:release", kwargs=ref)
        if kind == "file":
            return reverse("exports:file", kwargs={**ref, "name": "full.jsonl"})
        return reverse("exports:zip", kwargs=ref)

    _approved(alice, [open_qa, closed_qa], ada, [bob, rita], 1)
    first = build(dolly, by=ada)
    _approved(alice, [open_qa], ada, [bob], 1)
    small = build(dolly, by=ada)  # with a previous release, so a changelog
    _cost(as_ada, url(small), 50, django_assert_max_num_queries)  # warm the caches
    cost = _cost(as_ada, url(small), 20, django_assert_max_num_queries)

    _approved(alice, [open_qa, closed_qa], ada, [bob, rita], 10)
    _releases(dolly, [ada], 2)
    big = build(dolly, by=make_user("ed", ADMIN, is_staff=True), categories=["open_qa"])
    assert big.total_count == 12 and first.total_count == 2
    _cost(as_ada, url(big), cost, django_assert_max_num_queries)
    big = build(dolly, by=ada)
    assert big.total_count == 23
    _cost(as_ada, url(big), cost, django_assert_max_num_queries)

"""The leaderboard costs the same queries for a few contributors as for many."""

from django.test import override_settings
from django.urls import reverse

from annotation.models import Category
from annotation.roles import CONTRIBUTOR
from annotation.workflow import S
from people.profiles import profile_update
from tests.factories import make_pair, make_user


def _contributors(categories, start: int, count: int) -> None:
    """``count`` new contributors, each with approved, waiting and rejected pairs; every
    third one has left the leaderboard."""
    for n in range(start, start + count):
        writer = make_user(f"writer{n}", CONTRIBUTOR)
        if n % 3 == 0:
            profile_update(user=writer, leaderboard_opt_out=True)
        for category in categories:
            for status in (S.APPROVED, S.APPROVED, S.SUBMITTED, S.REJECTED)[: 2 + n % 3]:
                make_pair(author=writer, category=category, status=status)


@override_settings(HANDWRITTEN_PAGE_SIZE=5)
def test_the_leaderboard_costs_the_same_queries_for_a_few_contributors_or_many(
    as_alice, alice, dolly, open_qa, closed_qa, django_assert_max_num_queries
):
    url = reverse("leaderboard:board", args=[dolly.slug])
    for status in (S.APPROVED, S.SUBMITTED, S.REJECTED):
        make_pair(author=alice, category=open_qa, status=status)
    _contributors([open_qa, closed_qa], 0, 2)
    queries = [
        {},
        {"period": "all"},
        {"period": "all", "category": open_qa.slug},
        {"period": "all", "page": 2},
    ]
    assert as_alice.get(url).status_code == 200  # warm the caches
    small = []
    for query in queries:
        with django_assert_max_num_queries(20) as captured:
            response = as_alice.get(url, query)
        assert response.status_code == 200
        small.append(len(captured.captured_queries))
    assert response.context["page"].paginator.count == 3

    _contributors([open_qa, closed_qa], 2, 16)
    for _ in range(4):
        make_pair(author=alice, category=closed_qa, status=S.APPROVED)
    for query, cost in zip(queries, small, strict=True):
        with django_assert_max_num_queries(cost):
            response = as_alice.get(url, query)
        assert response.status_code == 200
    assert response.context["page"].paginator.count == 19
    assert len(response.context["page"].object_list) == 5
    assert response.context["progress"].approved == 5


def test_the_leaderboard_costs_the_same_queries_for_a_few_categories_or_many(
    as_alice, alice, dolly, open_qa, django_assert_max_num_queries
):
    url = reverse("leaderboard:board", args=[dolly.slug])
    make_pair(author=alice, category=open_qa, status=S.APPROVED)
    assert as_alice.get(url).status_code == 200  # warm the caches
    with django_assert_max_num_queries(20) as small:
        assert as_alice.get(url).status_code == 200
    for n in range(8):
        Category.objects.create(dataset=dolly, slug=f"extra_{n}", name=f"Extra {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_alice.get(url)
    assert response.status_code == 200
    assert "Extra 7" in response.content.decode()

"""The open questions page costs the same queries for a few questions as for many."""

from django.test import override_settings
from django.urls import reverse

from annotation.licence import licence_accept
from annotation.models import Category
from annotation.prompts import prompt_ask, prompt_take
from tests.factories import make_user

URL = reverse("annotation:open_prompts")


def _ask(authors, categories, count: int, start: int) -> None:
    """``count`` questions by each author in each category."""
    for n in range(start, start + count):
        for author in authors:
            for category in categories:
                prompt_ask(
                    by=author,
                    category=category,
                    instruction=f"Question {n} by {author.username} on {category.slug}: why?",
                )


@override_settings(HANDWRITTEN_PAGE_SIZE=10)
def test_the_open_questions_cost_the_same_queries_for_a_few_or_many(
    as_alice, alice, dan, dolly, django_assert_max_num_queries
):
    erin = make_user("erin", "contributor")
    for person in (alice, dan, erin):
        licence_accept(user=person, dataset=dolly)
    open_qa = dolly.categories.get(slug="open_qa")
    brainstorming = dolly.categories.get(slug="brainstorming")
    _ask([dan, alice], [open_qa, brainstorming], 1, start=0)
    taken = prompt_ask(by=dan, category=open_qa, instruction="Taken question: how do tides work?")
    prompt_take(prompt=taken, by=erin)
    queries = [{}, {"category": "open_qa"}, {"page": 2}]
    assert as_alice.get(URL).status_code == 200  # warm the caches
    small = []
    for query in queries:
        with django_assert_max_num_queries(15) as captured:
            response = as_alice.get(URL, query)
        assert response.status_code == 200
        small.append(len(captured.captured_queries))
    assert as_alice.get(URL).context["page"].paginator.count == 2

    _ask([dan, erin, alice], [open_qa, brainstorming], 6, start=1)
    for query, cost in zip(queries, small, strict=True):
        with django_assert_max_num_queries(cost):
            response = as_alice.get(URL, query)
        assert response.status_code == 200
    response = as_alice.get(URL)
    assert response.context["page"].paginator.count == 2 + 6 * 2 * 2
    assert len(response.context["page"].object_list) == 10


def test_the_ask_page_costs_the_same_queries_for_a_few_categories_or_many(
    as_alice, alice, dolly, django_assert_max_num_queries
):
    licence_accept(user=alice, dataset=dolly)
    url = reverse("annotation:ask")
    assert as_alice.get(url).status_code == 200  # warm the caches
    with django_assert_max_num_queries(15) as small:
        assert as_alice.get(url).status_code == 200
    for n in range(6):
        Category.objects.create(
            dataset=dolly, slug=f"extra_{n}", name=f"Extra {n}", allows_open_prompts=True
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_alice.get(url)
    assert response.status_code == 200
    assert len(response.context["categories"]) == 10

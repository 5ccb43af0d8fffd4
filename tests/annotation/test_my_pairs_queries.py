"""My pairs costs the same queries for a few pairs and questions as for many."""

from django.test import override_settings
from django.urls import reverse

from annotation.licence import licence_accept
from annotation.prompts import prompt_ask, prompt_take
from annotation.workflow import S
from tests.exports.conftest import improve
from tests.factories import make_pair

URL = reverse("annotation:my_pairs")
STATUSES = (S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED)


def _pairs(author, categories, rounds: int) -> None:
    """``rounds`` pairs in every status and category, and as many approved ones under
    review again (their approved version still ships)."""
    for _ in range(rounds):
        for category in categories:
            for status in STATUSES:
                make_pair(author=author, category=category, status=status)
            improve(
                make_pair(author=author, category=category, status=S.APPROVED),
                response="A better hand-written response, submitted again for review.",
            )


def _questions(author, answerer, category, rounds: int, start: int) -> None:
    """``rounds`` open questions by ``author`` and as many answered by ``answerer``."""
    for n in range(start, start + rounds):
        prompt_ask(by=author, category=category, instruction=f"Open question {n}: why so?")
        taken = prompt_ask(by=author, category=category, instruction=f"Taken question {n}: how?")
        prompt_take(prompt=taken, by=answerer)


@override_settings(HANDWRITTEN_PAGE_SIZE=10)
def test_my_pairs_costs_the_same_queries_for_a_few_pairs_or_many(
    as_alice, alice, dan, dolly, open_qa, closed_qa, django_assert_max_num_queries
):
    licence_accept(user=alice, dataset=dolly)
    licence_accept(user=dan, dataset=dolly)
    _pairs(alice, [open_qa, closed_qa], 1)
    _questions(alice, dan, open_qa, 1, start=0)
    assert as_alice.get(URL).status_code == 200  # warm the caches
    # The whole list, a filtered one, and later pages of both lists.
    queries = [{}, {"status": S.APPROVED, "category": open_qa.pk}, {"page": 2, "questions": 2}]
    small = []
    for query in queries:
        with django_assert_max_num_queries(15) as captured:
            response = as_alice.get(URL, query)
        assert response.status_code == 200
        small.append(len(captured.captured_queries))
    response = as_alice.get(URL)
    assert response.context["page"].paginator.count == 12
    assert response.context["questions"].paginator.count == 2

    _pairs(alice, [open_qa, closed_qa], 4)
    _questions(alice, dan, open_qa, 8, start=1)
    make_pair(author=dan, category=open_qa)  # someone else's: not listed
    for query, cost in zip(queries, small, strict=True):
        with django_assert_max_num_queries(cost):
            response = as_alice.get(URL, query)
        assert response.status_code == 200
    response = as_alice.get(URL)
    assert response.context["page"].paginator.count == 60
    assert response.context["questions"].paginator.count == 18
    assert len(response.context["page"].object_list) == 10
    assert len(response.context["questions"].object_list) == 10

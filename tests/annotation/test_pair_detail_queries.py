"""The author's page of one pair costs the same queries for one revision or many."""

from django.urls import reverse

from annotation.licence import licence_accept
from annotation.models import Pair
from annotation.prompts import prompt_ask, prompt_take
from annotation.workflow import S
from review.edits import edit_accept, edit_take_next
from tests.exports.conftest import improve
from tests.factories import make_pair, resubmit
from tests.review.conftest import changes_rounds, decide, edited


def _url(pair: Pair) -> str:
    return reverse("annotation:pair_detail", args=[pair.public_id])


def test_the_pair_page_costs_the_same_queries_for_one_revision_or_many(
    as_alice, alice, dan, bob, rita, dolly, open_qa, django_assert_max_num_queries
):
    # alice answers dan's question; bob asks for changes once; bob's edit, which rita
    # accepts, approves it; alice submits an improvement, under review again.
    licence_accept(user=alice, dataset=dolly)
    licence_accept(user=dan, dataset=dolly)
    question = prompt_ask(by=dan, category=open_qa, instruction="Why does bread go stale?")
    answer = prompt_take(prompt=question, by=alice)
    pair = resubmit(answer, response="Starch crystallises as it cools.")
    pair = changes_rounds(pair, bob, [2])
    decide(pair, bob, "approve_with_edit", edit=edited(pair, response="Starch recrystallises."))
    edit_take_next(reviewer=rita)
    edit_accept(proposal=pair.edit_proposals.get(), by=rita)
    pair.refresh_from_db()
    assert pair.status == S.APPROVED
    pair = improve(pair, response="Starch recrystallises as the bread cools and dries.")
    make_pair(author=alice, category=open_qa)  # another pair of hers
    assert as_alice.get(_url(pair)).status_code == 200  # warm the caches
    with django_assert_max_num_queries(15) as small:
        response = as_alice.get(_url(pair))
    assert response.status_code == 200
    assert len(response.context["history"]) == 4

    pair = changes_rounds(pair, rita, range(5, 12))
    for _ in range(5):
        make_pair(author=alice, category=open_qa)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_alice.get(_url(pair))
    assert response.status_code == 200
    assert len(response.context["history"]) == 11
    assert len(response.context["feedback"]) >= 9

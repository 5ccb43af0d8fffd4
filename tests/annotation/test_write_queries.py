"""The write page and the editor cost the same queries for a few pairs as for many."""

from django.urls import reverse

from annotation.licence import licence_accept
from annotation.models import Category, Pair
from annotation.seeding import dataset_seed_dolly
from annotation.workflow import S
from tests.factories import make_pair, make_user, resubmit
from tests.review.conftest import changes_rounds, decide

WRITE = reverse("annotation:write")
TOPIC = "Explain how undersea volcanoes form new islands over many thousands of years"


def _editor(pair: Pair) -> str:
    return reverse("annotation:edit_pair", args=[pair.public_id])


def _others(author, categories, count: int) -> None:
    """``count`` submitted, approved and rejected pairs of ``author`` in each category."""
    for _ in range(count):
        for category in categories:
            for status in (S.SUBMITTED, S.APPROVED, S.REJECTED):
                make_pair(author=author, category=category, status=status)


def test_the_write_page_costs_the_same_queries_for_a_few_pairs_or_many(
    as_alice, alice, dan, dolly, open_qa, closed_qa, django_assert_max_num_queries
):
    # No assignment in hand: the page offers to start one and lists the other datasets.
    dataset_seed_dolly(slug="second", name="Second")
    licence_accept(user=alice, dataset=dolly)
    _others(alice, [open_qa, closed_qa], 1)
    _others(dan, [open_qa], 1)
    query = {"dataset": dolly.slug}
    assert as_alice.get(WRITE, query).status_code == 200  # warm the caches
    with django_assert_max_num_queries(20) as small:
        response = as_alice.get(WRITE, query)
    assert response.status_code == 200 and response.context["open"]
    assert len(response.context["others"]) == 1

    for n in range(5):
        dataset_seed_dolly(slug=f"more-{n}", name=f"More {n}")
    _others(alice, [open_qa, closed_qa], 4)
    _others(dan, [open_qa, closed_qa], 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_alice.get(WRITE, query)
    assert response.status_code == 200 and response.context["open"]
    assert len(response.context["others"]) == 6


def test_write_sends_to_the_assignment_in_hand_whatever_the_pairs(
    as_alice, alice, dan, dolly, open_qa, closed_qa, django_assert_max_num_queries
):
    licence_accept(user=alice, dataset=dolly)
    draft = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    _others(alice, [open_qa], 1)
    query = {"dataset": dolly.slug}
    assert as_alice.get(WRITE, query).status_code == 302  # warm the caches
    with django_assert_max_num_queries(20) as small:
        response = as_alice.get(WRITE, query)
    assert response.status_code == 302 and response.url == _editor(draft)

    _others(alice, [open_qa, closed_qa], 5)
    _others(dan, [open_qa, closed_qa], 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_alice.get(WRITE, query)
    assert response.status_code == 302 and response.url == _editor(draft)


def test_the_editor_costs_the_same_queries_for_one_near_duplicate_or_many(
    as_alice, alice, dan, dolly, open_qa, closed_qa, django_assert_max_num_queries
):
    licence_accept(user=alice, dataset=dolly)
    second = dataset_seed_dolly(slug="second", name="Second")
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT, instruction=f"{TOPIC}?")
    make_pair(author=dan, category=open_qa, instruction=f"{TOPIC}, part one?")
    assert as_alice.get(_editor(pair)).status_code == 200  # warm the caches
    with django_assert_max_num_queries(25) as small:
        response = as_alice.get(_editor(pair))
    assert response.status_code == 200
    assert len(response.context["near_duplicates"]) == 1
    assert response.context["skip_form"] is not None and response.context["choices"]

    # Near-duplicates by alice (linked), by others, in this dataset and another one.
    writers = [alice, dan, make_user("erin", "contributor")]
    categories = [open_qa, closed_qa, second.categories.get(slug="open_qa")]
    for n in range(9):
        make_pair(
            author=writers[n % 3],
            category=categories[n // 3],
            instruction=f"{TOPIC}, part {n + 2}?",
        )
    _others(dan, [open_qa, closed_qa], 2)
    # More categories to choose from instead.
    choices = len(response.context["choices"])
    for n in range(4):
        Category.objects.create(
            dataset=dolly, slug=f"extra_{n}", name=f"Extra {n}", target_share=0.1
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_alice.get(_editor(pair))
    assert response.status_code == 200
    assert len(response.context["near_duplicates"]) == 5
    offered = {category.slug for category in response.context["choices"]}
    assert {f"extra_{n}" for n in range(4)} <= offered
    assert len(offered) > choices


def test_revising_costs_the_same_queries_after_one_request_for_changes_or_many(
    as_alice, alice, bob, rita, dolly, open_qa, django_assert_max_num_queries
):
    licence_accept(user=alice, dataset=dolly)
    pair = changes_rounds(make_pair(author=alice, category=open_qa), bob, [2])
    decide(pair, rita, "request_changes", comment="Round 3: say even more.")
    assert as_alice.get(_editor(pair)).status_code == 200  # warm the caches
    with django_assert_max_num_queries(25) as small:
        response = as_alice.get(_editor(pair))
    assert response.status_code == 200
    assert len(response.context["feedback"]) == 2

    pair = resubmit(pair, response="Revision 3 of the answer, with more detail than before.")
    pair = changes_rounds(pair, bob, range(4, 12))
    decide(pair, rita, "request_changes", comment="Last round: nearly there.")
    pair.refresh_from_db()
    assert pair.status == S.CHANGES_REQUESTED and pair.revisions.count() == 11
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_alice.get(_editor(pair))
    assert response.status_code == 200
    assert len(response.context["feedback"]) == 3  # the newest three

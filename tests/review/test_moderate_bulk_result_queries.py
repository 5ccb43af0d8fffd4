"""A bulk action's result page costs the same queries for a few pairs as for many."""

from django.urls import reverse

from annotation.workflow import S
from review.models import BulkAction
from review.moderation import bulk_action_create, bulk_action_run
from tests.factories import make_pair


def _url(bulk: BulkAction) -> str:
    return reverse("review:moderate_bulk_result", args=[bulk.public_id])


def _pairs(author, category, count: int, admin) -> list[int]:
    """``count`` approved pairs, which a retraction takes, and as many submitted ones,
    which it refuses."""
    ids = []
    for _ in range(count):
        ids.append(make_pair(author=author, category=category, status=S.APPROVED, by=admin).pk)
        ids.append(make_pair(author=author, category=category).pk)
    return ids


def _run(admin, kind: str, ids: list[int], **extra) -> BulkAction:
    bulk = bulk_action_create(by=admin, kind=kind, pair_ids=ids, **extra)
    return bulk_action_run(bulk_id=bulk.pk)


def _get(client, url: str, htmx: bool):
    # htmx polls the progress alone while the action runs.
    return client.get(url, headers={"HX-Request": "true"} if htmx else {})


def test_the_result_page_costs_the_same_queries_for_a_few_pairs_or_many(
    as_ada, alice, ada, open_qa, closed_qa, django_assert_max_num_queries
):
    few = _pairs(alice, open_qa, 2, ada)
    retract = _run(ada, "retract", few, text="Names a customer.")
    move = _run(ada, "move", few, category=closed_qa)
    assert (retract.done, retract.refused) == (2, 2)
    pages = [(retract, False), (move, False), (move, True)]
    assert as_ada.get(_url(retract)).status_code == 200  # warm the caches
    small = []
    for bulk, htmx in pages:
        with django_assert_max_num_queries(15) as captured:
            assert _get(as_ada, _url(bulk), htmx).status_code == 200
        small.append(len(captured.captured_queries))

    many = _pairs(alice, open_qa, 20, ada)
    retract = _run(ada, "retract", many, text="Names a customer.")
    move = _run(ada, "move", many, category=closed_qa)
    assert (retract.done, retract.refused) == (20, 20)
    pages = [(retract, False), (move, False), (move, True)]
    for (bulk, htmx), cost in zip(pages, small, strict=True):
        with django_assert_max_num_queries(cost):
            response = _get(as_ada, _url(bulk), htmx)
        assert response.status_code == 200
    assert len(as_ada.get(_url(retract)).context["bulk"].refusals) == 20

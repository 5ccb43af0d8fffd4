"""Many reviewers pressing "Review next" at the same moment never get the same pair, and
one reviewer pressing it twice at once (a double click, two tabs) gets one lease."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from review.edits import edit_take_next
from review.models import Lease
from review.queue import pair_take_next
from tests.factories import make_pair, make_user
from tests.review.conftest import decide, edited

REVIEWERS = 12
PAIRS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_claims_hand_each_pair_to_one_reviewer(alice, open_qa):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    for _ in range(PAIRS):
        make_pair(author=alice, category=open_qa)
    reviewers = [make_user(f"reviewer{i}", "reviewer") for i in range(REVIEWERS)]
    start = threading.Barrier(REVIEWERS)
    got: dict[int, int | None] = {}
    errors: list[BaseException] = []

    def take(reviewer) -> None:
        try:
            start.wait()
            claim = pair_take_next(reviewer=reviewer)
            got[reviewer.pk] = claim.pair_id if claim else None
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    handed = [pair_id for pair_id in got.values() if pair_id is not None]
    assert len(handed) == PAIRS
    assert len(set(handed)) == PAIRS
    assert sorted(Lease.objects.values_list("pair_id", flat=True)) == sorted(handed)
    assert list(got.values()).count(None) == REVIEWERS - PAIRS


def _at_once(count: int, work) -> tuple[list, list[BaseException]]:
    """``work(n)`` on ``count`` threads released at the same moment, each with its own
    database connection; their results and errors."""
    start = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            results[n] = work(n)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_take_next_gives_one_reviewer_one_lease(alice, bob, open_qa):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    # Fewer pairs than requests: a request must not find them all locked by the others
    # and say the queue is empty.
    for _ in range(2):
        make_pair(author=alice, category=open_qa)

    leases, errors = _at_once(6, lambda n: pair_take_next(reviewer=bob))

    assert errors == []
    assert len({lease.pair_id for lease in leases}) == 1
    assert Lease.objects.filter(holder=bob).count() == 1
    # The other pairs are still free for everyone else.
    eve = make_user("eve", "reviewer")
    assert pair_take_next(reviewer=eve).pair_id != leases[0].pair_id


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_take_next_over_http_opens_the_same_pair(alice, bob, open_qa):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    for _ in range(PAIRS):
        make_pair(author=alice, category=open_qa)
    clients = [Client() for _ in range(2)]
    for client in clients:
        client.force_login(bob)

    responses, errors = _at_once(2, lambda n: clients[n].post(reverse("review:next")))

    assert errors == []
    assert [response.status_code for response in responses] == [302, 302]
    assert responses[0].url == responses[1].url
    assert Lease.objects.filter(holder=bob).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_take_next_edit_gives_one_reviewer_one_edit_lease(alice, bob, rita, open_qa):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    for _ in range(2):
        pair = make_pair(author=alice, category=open_qa)
        decide(pair, bob, "approve_with_edit", edit=edited(pair, response="A better response."))

    leases, errors = _at_once(6, lambda n: edit_take_next(reviewer=rita))

    assert errors == []
    assert len({lease.proposal_id for lease in leases}) == 1
    assert Lease.objects.filter(holder=rita, kind=Lease.Kind.EDIT).count() == 1

"""Many reviewers pressing "Review next" at the same moment never get the same pair."""

import threading

import pytest
from django.db import connection, connections

from review.models import Claim
from review.queue import claim_next
from tests.factories import make_pair, make_user

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
            claim = claim_next(reviewer=reviewer)
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
    assert sorted(Claim.objects.values_list("pair_id", flat=True)) == sorted(handed)
    assert list(got.values()).count(None) == REVIEWERS - PAIRS

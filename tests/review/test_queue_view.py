"""The review queue page, "Review next" and releasing a pair."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from review.models import Lease
from tests.factories import make_pair
from tests.review.conftest import decide, lease


def test_queue_page_counts_what_waits_for_the_reviewer(as_bob, alice, bob, rita, open_qa):
    make_pair(author=alice, category=open_qa)
    make_pair(author=alice, category=open_qa)
    make_pair(author=bob, category=open_qa)
    done = make_pair(author=alice, category=open_qa)
    decide(done, bob, "approve")
    response = as_bob.get(reverse("review:queue"))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.waiting == 2
    assert summary.reviewed_today["approve"] == 1
    assert b"Review next" in response.content


def test_queue_counts_refresh_as_a_partial(as_bob, alice, open_qa):
    make_pair(author=alice, category=open_qa)
    response = as_bob.get(reverse("review:queue"), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'id="queue-counts"' in response.content
    assert b"<html" not in response.content


def test_review_next_claims_and_opens_the_pair(as_bob, bob, submitted):
    response = as_bob.post(reverse("review:next"))
    assert response.status_code == 302
    assert response.url == reverse("review:pair", args=[submitted.public_id])
    assert Lease.objects.get(pair=submitted).holder == bob


def test_review_next_on_an_empty_queue_says_so(as_bob, bob, open_qa):
    make_pair(author=bob, category=open_qa)
    response = as_bob.post(reverse("review:next"))
    assert response.status_code == 200
    assert b"Nothing to review" in response.content
    assert not Lease.objects.exists()


def test_queue_page_offers_to_continue_a_held_pair(as_bob, bob, submitted):
    lease(submitted, bob)
    response = as_bob.get(reverse("review:queue"))
    assert reverse("review:pair", args=[submitted.public_id]).encode() in response.content
    assert b"Continue reviewing" in response.content


def test_release_returns_the_pair_to_the_queue(as_bob, bob, submitted):
    lease(submitted, bob)
    response = as_bob.post(reverse("review:release", args=[submitted.public_id]))
    assert response.status_code == 302 and response.url == reverse("review:queue")
    assert not Lease.objects.exists()


def test_release_of_someone_elses_claim_changes_nothing(as_bob, rita, submitted):
    lease(submitted, rita)
    as_bob.post(reverse("review:release", args=[submitted.public_id]))
    assert Lease.objects.get(pair=submitted).holder == rita


def test_next_needs_post(as_bob, submitted):
    assert as_bob.get(reverse("review:next")).status_code == 405
    assert not Lease.objects.exists()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_queue_page_costs_the_same_queries_for_one_pair_or_many(
    as_bob, alice, bob, rita, open_qa
):
    first = make_pair(author=alice, category=open_qa)
    decide(first, rita, "approve")
    lease(first, bob)
    url = reverse("review:queue")
    few = _queries(as_bob, url)
    for n in range(12):
        pair = make_pair(author=alice, category=open_qa)
        if n % 2:
            decide(pair, rita, "approve")
        if n < 6:
            decide(pair, bob, ["approve", "reject"][n % 2], reason="duplicate")
    lease(make_pair(author=alice, category=open_qa), bob)
    assert _queries(as_bob, url) == few <= 12


def test_a_long_queue_is_counted_up_to_a_cap(as_bob, alice, open_qa, monkeypatch):
    monkeypatch.setattr("review.queue.COUNT_CAP", 2)
    for _ in range(4):
        make_pair(author=alice, category=open_qa)
    response = as_bob.get(reverse("review:queue"))
    assert response.context["summary"].waiting == 3
    assert '<div class="stat">2+</div>' in response.content.decode()


def _review_next(client) -> str:
    response = client.post(reverse("review:next"))
    assert response.status_code == 302
    return response.url


def test_a_pair_given_back_comes_last_for_that_reviewer(as_bob, as_rita, alice, open_qa):
    older = make_pair(author=alice, category=open_qa)
    newer = make_pair(author=alice, category=open_qa)
    older_page = reverse("review:pair", args=[older.public_id])
    newer_page = reverse("review:pair", args=[newer.public_id])
    assert _review_next(as_bob) == older_page
    as_bob.post(reverse("review:release", args=[older.public_id]))
    assert _review_next(as_bob) == newer_page
    # Both given back: the queue offers them again rather than saying it is empty.
    as_bob.post(reverse("review:release", args=[newer.public_id]))
    assert _review_next(as_bob) == older_page
    # Someone else still gets the oldest waiting pair.
    as_bob.post(reverse("review:release", args=[older.public_id]))
    assert _review_next(as_rita) == older_page

"""The leaderboard (this week, all time, by category) and a contributor's own progress."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from annotation.models import Pair
from people.profiles import profile_update
from review.leaderboard import week_start
from tests.factories import make_pair

S = Pair.Status


def _approved(author, category, *, at=None):
    pair = make_pair(author=author, category=category, status=S.APPROVED)
    if at is not None:
        Pair.objects.filter(pk=pair.pk).update(approved_at=at)
    return pair


def _url(dataset):
    return reverse("leaderboard:board", args=[dataset.slug])


def _board(response):
    return [(row["author__username"], row["approved"]) for row in response.context["page"]]


@pytest.fixture
def history(dolly, open_qa, closed_qa, alice, dan):
    long_ago = timezone.now() - timedelta(days=30)
    for _ in range(3):
        _approved(alice, open_qa, at=long_ago)
    _approved(dan, closed_qa)
    _approved(dan, open_qa)
    make_pair(author=alice, category=open_qa)  # waiting
    make_pair(author=alice, category=open_qa, status=S.REJECTED)


def test_this_week_by_default_and_all_time(as_alice, dolly, history):
    week = as_alice.get(_url(dolly))
    assert week.status_code == 200 and _board(week) == [("dan", 2)]
    ever = as_alice.get(_url(dolly), {"period": "all"})
    assert _board(ever) == [("alice", 3), ("dan", 2)]


def test_by_category(as_alice, dolly, history):
    assert _board(as_alice.get(_url(dolly), {"period": "all", "category": "closed_qa"})) == [
        ("dan", 1)
    ]


def test_bad_choice_shows_the_default_and_says_so(as_alice, dolly, history):
    response = as_alice.get(_url(dolly), {"period": "forever", "category": "nope"})
    assert response.status_code == 200 and _board(response) == [("dan", 2)]
    assert "That choice is not known" in response.text


def test_own_progress(as_alice, dolly, history, open_qa):
    open_qa.target_count = 100
    open_qa.save()
    progress = as_alice.get(_url(dolly)).context["progress"]
    assert (progress.approved, progress.waiting, progress.rejected) == (3, 1, 1)
    assert progress.approval_rate == pytest.approx(0.75)
    assert progress.goal == 100 and progress.goal_part == pytest.approx(0.03)
    assert progress.collection_part == pytest.approx(3 / 5)


def test_htmx_swaps_the_board_only(as_alice, dolly, history):
    response = as_alice.get(_url(dolly), {"period": "all"}, headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section class="card" id="board"')
    assert "Your progress" not in response.text


def test_paginates(as_alice, dolly, open_qa, settings):
    from tests.factories import make_user

    settings.HANDWRITTEN_PAGE_SIZE = 2
    for i in range(3):
        _approved(make_user(f"writer{i}", "contributor"), open_qa)
    first = as_alice.get(_url(dolly))
    second = as_alice.get(_url(dolly), {"page": 2})
    assert len(first.context["page"]) == 2 and len(second.context["page"]) == 1
    assert 'rel="next"' in first.text


def test_outsider_is_refused_and_index_redirects(as_carol, as_alice, dolly):
    assert as_carol.get(_url(dolly)).status_code == 403
    response = as_alice.get(reverse("leaderboard:index"))
    assert response.status_code == 302 and response["Location"] == _url(dolly)


def test_week_starts_on_monday():
    wednesday = timezone.make_aware(timezone.datetime(2026, 12, 2, 15, 30))
    assert week_start(wednesday) == timezone.make_aware(timezone.datetime(2026, 11, 30))


def test_opted_out_people_are_counted_but_not_named(as_alice, as_dan, dan, dolly, history):
    profile_update(user=dan, leaderboard_opt_out=True)
    seen_by_alice = as_alice.get(_url(dolly), {"period": "all"})
    assert [row["approved"] for row in seen_by_alice.context["page"]] == [3, 2]
    assert "Someone who prefers not to be named" in seen_by_alice.text
    assert ">dan<" not in seen_by_alice.text and "dan (you" not in seen_by_alice.text
    seen_by_dan = as_dan.get(_url(dolly), {"period": "all"})
    assert "dan (you; others do not see your name)" in seen_by_dan.text


def test_approved_work_counts_while_an_improvement_is_reviewed_but_not_once_retracted(
    as_alice, dolly, open_qa, alice, dan
):
    improving = _approved(alice, open_qa)
    # Its author submitted an improvement: back in review, the approved revision standing.
    Pair.objects.filter(pk=improving.pk).update(status=S.SUBMITTED)
    retracted = _approved(dan, open_qa)
    Pair.objects.filter(pk=retracted.pk).update(status=S.RETRACTED)
    _approved(dan, open_qa)
    assert _board(as_alice.get(_url(dolly), {"period": "all"})) == [("alice", 1), ("dan", 1)]
    progress = as_alice.get(_url(dolly)).context["progress"]
    assert (progress.approved, progress.collection_approved) == (1, 2)

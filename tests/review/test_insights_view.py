"""The insights page and its JSON: who sees what, the figures, and a bounded query count."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from annotation.models import Pair
from review.insights import REFRESH_LOST, insights_refresh
from review.models import InsightsSnapshot, Review
from review.tasks import refresh_insights
from tests.factories import make_pair
from tests.review.conftest import decide
from tests.review.insights_data import review, reviewers

D = Review.Decision
S = Pair.Status


def _url(dataset, name="review:insights"):
    return reverse(name, args=[dataset.slug])


@pytest.fixture(autouse=True)
def refresh_in_process(monkeypatch):
    """The refresh task runs in the test's process whether or not a broker is configured
    (tests/review/test_insights_task.py runs the task itself)."""
    monkeypatch.setattr(
        refresh_insights, "delay", lambda snapshot_id: insights_refresh(snapshot_id=snapshot_id)
    )


@pytest.fixture
def fresh(django_capture_on_commit_callbacks):
    """GET after the stored figures were refreshed: the first request asks for the
    refresh, which runs when its transaction commits (at once without Redis)."""

    def get(client, url, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            client.get(url, *args, **kwargs)
        return client.get(url, *args, **kwargs)

    return get


@pytest.mark.parametrize("client_name", ["as_alice", "as_carol"])
def test_contributors_and_outsiders_are_refused(request, dolly, client_name):
    client = request.getfixturevalue(client_name)
    assert client.get(_url(dolly)).status_code == 403
    assert client.get(_url(dolly, "review:insights_json")).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, dolly):
    response = client.get(_url(dolly))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_dataset_is_404(as_ada, dolly):
    assert as_ada.get(reverse("review:insights", args=["nope"])).status_code == 404


def test_reviewers_see_the_collection_but_not_each_reviewer(
    fresh, as_bob, dolly, open_qa, alice, rita
):
    pair = make_pair(author=alice, category=open_qa)
    review(pair, rita, D.APPROVE)
    page = fresh(as_bob, _url(dolly))
    assert page.status_code == 200
    assert "Reviewer agreement" in page.text and 'id="reviewers"' not in page.text
    data = fresh(as_bob, _url(dolly, "review:insights_json")).json()
    assert "reviewers" not in data
    assert data["categories"][0]["slug"]


def test_admins_see_each_reviewer(fresh, as_ada, dolly, open_qa, alice, rita):
    pair = make_pair(author=alice, category=open_qa)
    review(pair, rita, D.APPROVE)
    page = fresh(as_ada, _url(dolly))
    assert 'id="reviewers"' in page.text and "rita" in page.text
    data = fresh(as_ada, _url(dolly, "review:insights_json")).json()
    assert [r["reviewer"] for r in data["reviewers"]] == ["rita"]


def test_index_goes_to_the_only_dataset(as_bob, dolly):
    response = as_bob.get(reverse("review:insights_index"))
    assert response.status_code == 302 and response["Location"] == _url(dolly)


def test_figures_through_the_review_services(
    fresh, as_ada, dolly, open_qa, closed_qa, alice, bob, rita
):
    """Two pairs decided by the real services: composition, verdict times, reasons,
    scores, agreement with the outcome."""
    approved = make_pair(author=alice, category=open_qa)
    decide(approved, bob, D.APPROVE, scores=_scores(5, 4, 3))
    decide(approved, rita, D.APPROVE, scores=_scores(3, 4, 5))
    rejected = make_pair(author=alice, category=closed_qa)
    decide(rejected, bob, D.REJECT, reason=Review.Reason.FACTUALLY_WRONG)
    decide(rejected, rita, D.APPROVE)
    # A split vote asks for one more: two more rejections decide it.
    judge0, judge1 = reviewers(2)
    decide(rejected, judge0, D.REJECT, reason=Review.Reason.DUPLICATE)
    decide(rejected, judge1, D.REJECT, reason=Review.Reason.DUPLICATE)
    make_pair(author=alice, category=open_qa)  # waiting
    approved.refresh_from_db(), rejected.refresh_from_db()
    assert (approved.status, rejected.status) == (S.APPROVED, S.REJECTED)

    data = fresh(as_ada, _url(dolly, "review:insights_json")).json()
    rows = {c["slug"]: c for c in data["categories"]}
    assert rows["open_qa"]["approved"] == 1 and rows["open_qa"]["statuses"]["submitted"] == 1
    assert rows["closed_qa"]["statuses"]["rejected"] == 1
    assert data["approved"] == 1 and rows["open_qa"]["share"] == 1.0
    assert rows["open_qa"]["scores"] == {"helpfulness": 4.0, "correctness": 4.0, "writing": 4.0}
    reasons = {r["reason"]: r["count"] for r in data["rejection_reasons"]}
    assert reasons["factually_wrong"] == 1 and reasons["duplicate"] == 2
    assert data["decision_time"]["decided"] == 2
    assert data["per_day"]["approved"][-1] == 1 and data["per_day"]["cumulative"][-1] == 1
    assert data["per_day"]["reviewed"][-1] == 6 and data["per_day"]["submitted"][-1] == 3
    lengths = rows["open_qa"]["lengths"]
    assert lengths["pairs"] == 1 and sum(lengths["response"]["words"]) == 1
    assert rows["open_qa"]["lengths"]["context"]["chars"][0] == 1  # empty context
    by_name = {r["reviewer"]: r for r in data["reviewers"]}
    # rita approved both: agrees with the approval, not with the rejection.
    assert by_name["rita"]["agreement"] == 0.5 and by_name["rita"]["pairs"] == 2
    assert by_name["bob"]["agreement"] == 1.0
    assert by_name["judge0"]["approval_rate"] == 0.0


def _scores(h, c, w):
    from review.decisions import Scores

    return Scores(helpfulness=h, correctness=c, writing=w)


def test_decision_time_median_and_p90(fresh, as_ada, dolly, open_qa, alice, bob, rita):
    now = timezone.now()
    for hours in (1, 2, 3, 4, 10):
        pair = make_pair(author=alice, category=open_qa)
        review(pair, bob, D.APPROVE, at=now)
        Pair.objects.filter(pk=pair.pk).update(
            status=S.APPROVED,
            approved_revision=pair.current_revision,
            submitted_at=now - timedelta(hours=hours),
            approved_at=now,
        )
    timing = fresh(as_ada, _url(dolly, "review:insights_json")).json()["decision_time"]
    assert timing["decided"] == 5
    assert timing["median_seconds"] == pytest.approx(3 * 3600, abs=1)
    # percentile_cont: 4h + 0.6 * (10h - 4h)
    assert timing["p90_seconds"] == pytest.approx(7.6 * 3600, abs=1)


def test_reviewer_time_on_a_pair_and_flags(fresh, as_ada, dolly, open_qa, alice, bob):
    start = timezone.now() - timedelta(hours=5)
    for i in range(12):
        pair = make_pair(author=alice, category=open_qa)
        # 5 seconds apart, then a two-hour break that is not time on a pair.
        at = start + timedelta(seconds=5 * i) + (timedelta(hours=2) if i == 6 else timedelta())
        review(pair, bob, D.APPROVE, at=at)
    data = fresh(as_ada, _url(dolly, "review:insights_json")).json()
    record = data["reviewers"][0]
    assert record["median_seconds"] == pytest.approx(5, abs=0.01)
    assert "approves nearly everything" in record["flags"]
    assert "decides in seconds" in record["flags"]


def test_lengths_section_htmx_and_bad_choice(fresh, as_ada, dolly, open_qa, alice):
    pair = make_pair(author=alice, category=open_qa)
    Pair.objects.filter(pk=pair.pk).update(
        status=S.APPROVED, approved_revision=pair.current_revision
    )
    partial = fresh(
        as_ada,
        _url(dolly),
        {"category": "open_qa", "unit": "words"},
        headers={"HX-Request": "true"},
    )
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith('<section class="card" id="lengths-section"')
    assert 'data-unit="words"' in partial.text and "<html" not in partial.text
    bad = as_ada.get(_url(dolly), {"category": "nope", "unit": "furlongs"})  # stored by now
    assert bad.status_code == 200 and 'data-unit="chars"' not in bad.text  # brainstorming: empty
    assert "No approved pairs in this category yet." in bad.text


def _populate(dataset, authors, judges, count):
    categories = list(dataset.categories.all())
    for i in range(count):
        pair = make_pair(author=authors[i % len(authors)], category=categories[i % 8])
        review(pair, judges[i % len(judges)], D.APPROVE)
        review(pair, judges[(i + 1) % len(judges)], D.REJECT if i % 3 else D.APPROVE)
        if i % 2:
            Pair.objects.filter(pk=pair.pk).update(
                status=S.APPROVED,
                approved_revision=pair.current_revision,
                approved_at=timezone.now(),
            )


@pytest.mark.parametrize("count", [2, 24])
def test_query_count_does_not_grow_with_the_data(
    as_ada, fresh, dolly, alice, dan, count, django_assert_max_num_queries
):
    _populate(dolly, [alice, dan], reviewers(5), count)
    snapshot = InsightsSnapshot.objects.create(dataset=dolly)
    # The computation: loading the snapshot, eleven aggregate queries, six progress
    # updates, storing the figures and reading them back.
    with django_assert_max_num_queries(20):
        insights_refresh(snapshot_id=snapshot.pk)
    # Serving the stored figures: session, user, roles, dataset, snapshot.
    with django_assert_max_num_queries(5):
        assert as_ada.get(_url(dolly)).status_code == 200
    with django_assert_max_num_queries(5):
        assert as_ada.get(_url(dolly, "review:insights_json")).status_code == 200


def test_first_visit_shows_progress_and_asks_once(
    as_ada, as_bob, dolly, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as asked:
        page = as_ada.get(_url(dolly))
        again = as_bob.get(_url(dolly, "review:insights_json"))
    assert page.status_code == 200 and "Computing the figures" in page.text
    assert 'http-equiv="refresh"' in page.text
    assert again.status_code == 202 and again.json()["state"] == "computing"
    assert len(asked) == 1  # the second visitor found the refresh already asked for
    snapshot = InsightsSnapshot.objects.get(dataset=dolly)
    assert snapshot.requested_at is not None and snapshot.computed_at is None


def test_stale_figures_are_served_and_refreshed(
    as_ada, fresh, dolly, open_qa, alice, settings, django_capture_on_commit_callbacks
):
    assert fresh(as_ada, _url(dolly, "review:insights_json")).json()["approved"] == 0
    pair = make_pair(author=alice, category=open_qa)
    Pair.objects.filter(pk=pair.pk).update(
        status=S.APPROVED, approved_at=timezone.now(), approved_revision=F("current_revision")
    )
    # Still fresh: the stored figures, no refresh.
    with django_capture_on_commit_callbacks() as asked:
        assert as_ada.get(_url(dolly, "review:insights_json")).json()["approved"] == 0
    assert asked == []
    settings.HANDWRITTEN_INSIGHTS_STALE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True) as asked:
        stale = as_ada.get(_url(dolly, "review:insights_json"))
    assert stale.json()["approved"] == 0 and len(asked) == 1  # the old figures meanwhile
    snapshot = InsightsSnapshot.objects.get(dataset=dolly)
    snapshot.refresh_from_db()
    assert snapshot.figures["approved"] == 1 and snapshot.requested_at is None
    assert (snapshot.parts_done, snapshot.parts_total) == (6, 6)


def test_a_lost_refresh_is_asked_for_again(as_ada, dolly, django_capture_on_commit_callbacks):
    InsightsSnapshot.objects.create(
        dataset=dolly, requested_at=timezone.now() - REFRESH_LOST - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks() as asked:
        as_ada.get(_url(dolly))
    assert len(asked) == 1


def test_a_pair_whose_improvement_is_in_review_counts_as_approved_work(dolly, open_qa, alice):
    from review.insights import dataset_insights

    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED)
    Pair.objects.filter(pk=pair.pk).update(status=S.SUBMITTED)
    figures = dataset_insights(dataset=dolly, reviewer_detail=False)
    (row,) = [row for row in figures["categories"] if row["slug"] == "open_qa"]
    assert (figures["approved"], row["approved"], row["statuses"]["submitted"]) == (1, 1, 1)

"""The profile page costs the same queries however much its owner and others have done."""

from django.urls import reverse

from annotation.roles import CONTRIBUTOR, REVIEWER
from annotation.workflow import S
from people.profiles import profile_update
from tests.factories import make_pair, make_user
from tests.review.conftest import decide

URL = reverse("people:profile")
LEAVE = {"leaderboard_opt_out": "on"}


def _work(writer, reviewer, category, count: int) -> None:
    """``count`` pairs by ``writer`` in several states, each reviewed by ``reviewer``."""
    for _ in range(count):
        decide(make_pair(author=writer, category=category), reviewer, "approve")
        make_pair(author=writer, category=category, status=S.APPROVED)
        make_pair(author=writer, category=category, status=S.DRAFT)


def test_the_profile_costs_the_same_queries_for_a_new_person_or_a_busy_one(
    client, rita, open_qa, django_assert_max_num_queries
):
    # Someone who writes and reviews, as a contributor and reviewer.
    busy = make_user("busy", CONTRIBUTOR, REVIEWER)
    client.force_login(busy)
    other = make_user("other", CONTRIBUTOR)
    _work(busy, rita, open_qa, 1)
    _work(other, busy, open_qa, 1)
    assert client.get(URL).status_code == 200  # warm the caches (and make the profile)
    costs = []
    for method in ("get", "post"):
        with django_assert_max_num_queries(15) as captured:
            response = client.get(URL) if method == "get" else client.post(URL, LEAVE)
        assert response.status_code == (200 if method == "get" else 302)
        costs.append(len(captured.captured_queries))
    profile_update(user=busy, leaderboard_opt_out=False)

    _work(busy, rita, open_qa, 6)
    _work(other, busy, open_qa, 6)
    for n in range(6):
        profile_update(user=make_user(f"someone{n}", CONTRIBUTOR), leaderboard_opt_out=True)
    for method, cost in zip(("get", "post"), costs, strict=True):
        with django_assert_max_num_queries(cost):
            response = client.get(URL) if method == "get" else client.post(URL, LEAVE)
        assert response.status_code == (200 if method == "get" else 302)
    assert client.get(URL).context["form"].initial == {"leaderboard_opt_out": True}

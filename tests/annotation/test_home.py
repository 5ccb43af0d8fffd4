import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotation.roles import ADMIN, CONTRIBUTOR, REVIEWER
from annotation.workflow import S
from tests.factories import make_pair, make_user

URL = reverse("annotation:home")
WRITE = reverse("annotation:write")
REVIEW = reverse("review:queue")
EDITS = reverse("review:edits")
RELEASES = reverse("exports:datasets")
ADMIN_SITE = reverse("admin:index")
NO_ROLE = "You have no role yet"


@pytest.mark.parametrize(
    ("roles", "shown", "hidden"),
    [
        ((), [NO_ROLE], [WRITE, REVIEW, RELEASES]),
        ((CONTRIBUTOR,), [WRITE, "Write a pair"], [NO_ROLE, REVIEW, RELEASES]),
        ((REVIEWER,), [REVIEW, EDITS], [NO_ROLE, "Write a pair", RELEASES]),
        ((ADMIN,), [RELEASES, ADMIN_SITE, "Dataset progress"], [NO_ROLE, "Write a pair"]),
        ((CONTRIBUTOR, REVIEWER), ["Write a pair", REVIEW], [NO_ROLE, "Dataset progress"]),
        ((CONTRIBUTOR, REVIEWER, ADMIN), ["Write a pair", REVIEW, "Dataset progress"], [NO_ROLE]),
    ],
)
def test_sections_follow_the_roles_held(client, dolly, roles, shown, hidden):
    client.force_login(make_user("someone", *roles))
    content = client.get(URL).content.decode()
    for text in shown:
        assert text in content
    for text in hidden:
        assert text not in content


def test_contributor_sees_counts_and_what_needs_attention(as_alice, alice, ada, open_qa):
    make_pair(author=alice, category=open_qa, status=S.SUBMITTED)
    make_pair(author=alice, category=open_qa, status=S.SUBMITTED)
    needs_changes = make_pair(
        author=alice,
        category=open_qa,
        status=S.CHANGES_REQUESTED,
        instruction="Fix me please?",
        by=ada,
    )
    draft = make_pair(author=alice, category=open_qa, status=S.DRAFT, instruction="Still writing")
    response = as_alice.get(URL)
    assert ("submitted", "In review", 2) in response.context["status_counts"]
    assert response.context["attention"] == [needs_changes, draft]
    assert b"Fix me please?" in response.content
    assert b"Still writing" in response.content


def test_contributor_counts_leave_out_others_pairs(as_alice, dan, open_qa):
    make_pair(author=dan, category=open_qa)
    response = as_alice.get(URL)
    assert response.context["status_counts"] == []
    assert response.context["attention"] == []


def test_admin_progress_counts_shipping_and_in_review_pairs(as_ada, alice, open_qa, closed_qa):
    make_pair(author=alice, category=open_qa, status=S.APPROVED)
    make_pair(author=alice, category=open_qa, status=S.APPROVED)
    make_pair(author=alice, category=closed_qa, status=S.SUBMITTED)
    make_pair(author=alice, category=closed_qa, status=S.DRAFT)
    [dolly] = as_ada.get(URL).context["progress"]
    rows = {row.category.slug: row for row in dolly.categories}
    assert (dolly.approved, dolly.in_review) == (2, 1)
    assert (rows["open_qa"].approved, rows["open_qa"].in_review, rows["open_qa"].share) == (
        2,
        0,
        1.0,
    )
    assert (rows["closed_qa"].approved, rows["closed_qa"].in_review) == (0, 1)
    assert rows["open_qa"].percent_of_target == 100
    assert rows["closed_qa"].percent_of_target == 0


def test_progress_shows_shares_as_insights_does_and_how_far_past_a_target(
    as_ada, alice, open_qa, closed_qa
):
    open_qa.target_share, closed_qa.target_share = 0.25, 0.125
    open_qa.save()
    closed_qa.save()
    for _ in range(7):
        make_pair(author=alice, category=open_qa, status=S.APPROVED)
    make_pair(author=alice, category=closed_qa, status=S.APPROVED)

    response = as_ada.get(URL)

    rows = {row.category.slug: row for row in response.context["progress"][0].categories}
    assert rows["open_qa"].reached_percent == 350 and rows["open_qa"].percent_of_target == 100
    assert rows["closed_qa"].reached_percent == 100
    text = response.content.decode()
    assert "<td>87.5%</td>" in text and "<td>12.5%</td>" in text  # not rounded to 88 and 12
    assert '<span class="small">350%</span>' in text


def test_queries_do_not_grow_with_pairs(client, alice, open_qa, closed_qa):
    everyone = make_user("everyone", CONTRIBUTOR, REVIEWER, ADMIN)
    client.force_login(everyone)
    make_pair(author=everyone, category=open_qa, status=S.DRAFT)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for category in (open_qa, closed_qa):
        for status in (S.DRAFT, S.SUBMITTED, S.APPROVED):
            make_pair(author=everyone, category=category, status=status)
            make_pair(author=alice, category=category, status=status)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

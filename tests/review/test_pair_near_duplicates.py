"""The reviewer's pair page shows the pair's near-duplicates across every dataset (issue 15)."""

from django.urls import reverse

from annotation.models import Category, Dataset
from tests.factories import make_pair
from tests.review.conftest import lease

SKY = "Why is the sky blue at noon on a summer day?"


def test_the_reviewer_sees_near_duplicates_and_the_flag(as_bob, bob, alice, dan, open_qa):
    earlier = make_pair(author=dan, category=open_qa, instruction=SKY)
    support = Dataset.objects.create(name="Support answers", slug="support")
    faq = Category.objects.create(dataset=support, slug="faq", name="FAQ")
    make_pair(author=dan, category=faq, instruction="Why is the sky blue at noon on summer days?")
    pair = make_pair(
        author=alice, category=open_qa, instruction="Why is the sky blue at noon on a summer's day?"
    )
    lease(pair, bob)

    text = as_bob.get(reverse("review:pair", args=[pair.public_id])).content.decode()

    assert 'id="near-duplicates"' in text
    assert "Possible near-duplicates" in text
    assert "98% similar" in text and "Dolly · Open QA" in text and "Support answers · FAQ" in text
    # A reviewer reads the similar instruction, but has no page to open someone's pair on.
    assert SKY in text
    assert str(earlier.public_id) in text  # in the warning recorded at submit
    assert reverse("review:moderate_pair", args=[earlier.public_id]) not in text
    assert "Flagged when it was submitted" in text and "Near-duplicate: 98% similar" in text
    assert "hx-post" not in text.split('id="near-duplicates"')[1].split(">")[0]


def test_nothing_similar_says_so(as_bob, bob, alice, open_qa):
    pair = make_pair(author=alice, category=open_qa, instruction=SKY)
    lease(pair, bob)
    text = as_bob.get(reverse("review:pair", args=[pair.public_id])).content.decode()
    assert "No existing pair is 70% or more similar." in text

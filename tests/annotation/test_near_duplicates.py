"""The write page's near-duplicate panel and its endpoint (issue 15)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from annotation.models import Category, Dataset, Revision
from annotation.roles import CONTRIBUTOR
from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX, accept_licence, editor_data
from tests.factories import make_pair

SKY = "Why is the sky blue at noon on a summer day?"
SKY_AGAIN = "Why is the sky blue at noon on a summer's day?"
OTHER = "Which three rivers carry the most water to the sea?"


@pytest.fixture
def writing(alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    return make_pair(author=alice, category=open_qa, status=S.DRAFT)


@pytest.fixture
def elsewhere(db) -> Category:
    dataset = Dataset.objects.create(name="Support answers", slug="support")
    return Category.objects.create(dataset=dataset, slug="faq", name="FAQ")


def panel(client, pair, instruction: str):
    url = reverse("annotation:near_duplicates", args=[pair.public_id])
    return client.post(url, {"instruction": instruction}, **HTMX)


def test_the_panel_lists_similar_pairs_of_every_dataset_with_a_score(
    as_alice, writing, dan, open_qa, elsewhere
):
    here = make_pair(author=dan, category=open_qa, instruction=SKY)
    there = make_pair(
        author=dan, category=elsewhere, instruction="Why is the sky blue at noon on summer days?"
    )
    make_pair(author=dan, category=open_qa, instruction=OTHER)

    response = panel(as_alice, writing, SKY_AGAIN)

    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text and 'id="near-duplicates-list"' in text
    assert "close to 2 existing pairs" in text
    assert "98% similar" in text and "Dolly · Open QA" in text and "Support answers · FAQ" in text
    assert text.index("Dolly · Open QA") < text.index("Support answers · FAQ")  # most similar first
    # Dan's pairs: alice may neither open nor read them.
    for pair in (here, there):
        assert str(pair.public_id) not in text
    assert SKY not in text and "Another writer's pair." in text
    assert OTHER not in text


def test_own_pairs_are_linked_and_readable(as_alice, alice, writing, open_qa):
    mine = make_pair(author=alice, category=open_qa, instruction=SKY)
    text = panel(as_alice, writing, SKY_AGAIN).content.decode()
    assert reverse("annotation:pair_detail", args=[mine.public_id]) in text
    assert SKY in text


def test_an_admin_gets_the_moderation_link(as_ada, ada, dan, open_qa):
    ada.groups.add(Group.objects.get_or_create(name=CONTRIBUTOR)[0])
    accept_licence(ada, dataset=open_qa.dataset)
    writing = make_pair(author=ada, category=open_qa, status=S.DRAFT)
    theirs = make_pair(author=dan, category=open_qa, instruction=SKY)
    text = panel(as_ada, writing, SKY_AGAIN).content.decode()
    assert reverse("review:moderate_pair", args=[theirs.public_id]) in text


def test_disguises_do_not_hide_a_near_duplicate(as_alice, writing, dan, open_qa):
    make_pair(author=dan, category=open_qa, instruction=SKY)
    text = panel(as_alice, writing, "Why is the sky blu\u0435 at n\u043eon on a summer's day?")
    assert "98% similar" in text.content.decode()


def test_the_threshold_is_the_datasets(as_alice, writing, dan, open_qa):
    make_pair(author=dan, category=open_qa, instruction=SKY)
    Dataset.objects.filter(pk=open_qa.dataset_id).update(near_duplicate_threshold=0.99)
    text = panel(as_alice, writing, SKY_AGAIN).content.decode()
    assert "No existing pair is 99% or more similar to your instruction." in text


def test_the_threshold_has_a_floor_where_the_band_search_still_finds_pairs(db):
    # Below 0.65 the LSH bands would miss more than one near-duplicate in ten.
    dataset = Dataset(name="Low", slug="low", near_duplicate_threshold=0.6)
    with pytest.raises(ValidationError, match="greater than or equal to 0.65"):
        dataset.full_clean()
    dataset.near_duplicate_threshold = 0.65
    dataset.full_clean()


def test_the_pair_itself_and_dead_pairs_are_not_near_duplicates(
    as_alice, alice, writing, dan, open_qa
):
    withdrawn = make_pair(author=dan, category=open_qa, instruction=SKY)
    from annotation.workflow import transition

    transition(pair=withdrawn, to=S.WITHDRAWN, by=dan, verb="pair.withdraw")
    as_alice.post(
        reverse("annotation:autosave", args=[writing.public_id]),
        editor_data(writing, instruction=SKY_AGAIN),
        **HTMX,
    )
    text = panel(as_alice, writing, SKY_AGAIN).content.decode()
    assert "No existing pair is 70% or more similar" in text


def test_the_write_page_shows_the_panel_for_the_saved_instruction(as_alice, writing, dan, open_qa):
    make_pair(author=dan, category=open_qa, instruction=SKY)
    as_alice.post(
        reverse("annotation:autosave", args=[writing.public_id]),
        editor_data(writing, instruction=SKY_AGAIN),
        **HTMX,
    )
    text = as_alice.get(reverse("annotation:edit_pair", args=[writing.public_id])).content.decode()
    assert 'id="near-duplicates"' in text
    assert f'hx-post="{reverse("annotation:near_duplicates", args=[writing.public_id])}"' in text
    assert "98% similar" in text


def test_a_writer_may_still_submit_and_the_revision_carries_the_flag(
    as_alice, writing, dan, open_qa
):
    theirs = make_pair(author=dan, category=open_qa, instruction=SKY)
    response = as_alice.post(
        reverse("annotation:submit", args=[writing.public_id]),
        editor_data(writing, instruction=SKY_AGAIN, response="Rayleigh scattering."),
    )
    assert response.status_code == 302
    writing.refresh_from_db()
    assert writing.status == S.SUBMITTED
    revision = Revision.objects.get(pair=writing)
    assert any(
        w.startswith("Near-duplicate: 98% similar") and str(theirs.public_id) in w
        for w in revision.warnings
    )


def test_only_the_author_asks_about_their_pair(as_dan, as_carol, writing):
    assert panel(as_dan, writing, SKY).status_code == 404
    assert panel(as_carol, writing, SKY).status_code == 403


def test_the_endpoint_is_post_only(as_alice, writing):
    url = reverse("annotation:near_duplicates", args=[writing.public_id])
    assert as_alice.get(url).status_code == 405


def test_an_exact_copy_is_said_to_be_refused_not_allowed(as_alice, writing, dan, open_qa):
    make_pair(author=dan, category=open_qa, instruction=SKY)

    text = panel(
        as_alice, writing, "  why is the SKY blue at noon on a summer day? "
    ).content.decode()

    # The same instruction by the duplicate rule (normalised): submitting would refuse it.
    assert "This instruction already exists in the dataset." in text
    assert "you may still submit" not in text and "100% similar" in text


def test_an_exact_copy_in_another_dataset_is_only_near(as_alice, writing, dan, elsewhere):
    make_pair(author=dan, category=elsewhere, instruction=SKY)
    text = panel(as_alice, writing, SKY).content.decode()
    assert "already exists" not in text and "you may still submit" in text


def test_before_any_instruction_the_panel_says_what_it_will_show(as_alice, writing):
    text = panel(as_alice, writing, "").content.decode()
    assert "show here as you write the instruction" in text
    assert "No existing pair" not in text

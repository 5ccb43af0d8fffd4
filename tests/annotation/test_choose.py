"""Writers choose a category: the policy's pick is offered first; choosing is not a skip."""

import pytest
from django.urls import reverse

from annotation.assignment import assignment_give, categories_open, category_pick, skips_today
from annotation.drafts import pair_start
from annotation.models import Assignment, AuditEvent, Pair
from annotation.workflow import S
from tests.annotation.writing_helpers import accept_licence, editor_data
from tests.factories import make_pair

Outcome = Assignment.Outcome


@pytest.fixture
def pair(alice, dolly):
    accept_licence(alice, dataset=dolly)
    assignment = assignment_give(contributor=alice, dataset=dolly)
    return pair_start(assignment=assignment, by=alice)


def choose(client, pair, slug: str):
    return client.post(reverse("annotation:choose", args=[pair.public_id]), {"category": slug})


def test_the_policys_pick_comes_first_then_every_category_below_target(alice, dolly):
    accept_licence(alice, dataset=dolly)
    chosen = categories_open(user=alice, dataset=dolly)
    assert chosen[0] == category_pick(user=alice, dataset=dolly)
    assert {c.slug for c in chosen} == set(dolly.categories.values_list("slug", flat=True))


def test_a_category_at_its_target_is_not_offered(alice, dan, dolly):
    accept_licence(alice, dataset=dolly)
    full = dolly.categories.get(slug="creative_writing")
    full.target_count = 1
    full.save()
    make_pair(author=dan, category=full, status=S.SUBMITTED)
    assert full not in categories_open(user=alice, dataset=dolly)


def test_the_editor_offers_the_other_open_categories(as_alice, pair):
    page = as_alice.get(reverse("annotation:edit_pair", args=[pair.public_id])).content.decode()
    assert "Write in another category" in page
    assert 'value="closed_qa"' in page or pair.category.slug == "closed_qa"
    assert f'value="{pair.category.slug}"' not in page


def test_choosing_switches_category_and_is_not_a_skip(as_alice, alice, pair):
    target = "closed_qa" if pair.category.slug != "closed_qa" else "open_qa"
    response = choose(as_alice, pair, target)

    following = Pair.objects.get(author=alice, status=S.DRAFT)
    assert following.category.slug == target
    assert response.status_code == 302
    assert response.url == reverse("annotation:edit_pair", args=[following.public_id])
    pair.refresh_from_db()
    pair.assignment.refresh_from_db()
    assert pair.status == S.WITHDRAWN  # nothing was typed
    assert pair.assignment.outcome == Outcome.SWITCHED
    assert following.assignment.outcome == Outcome.OPEN
    assert skips_today(contributor=alice) == 0
    assert AuditEvent.objects.filter(verb="assignment.switch", actor=alice).exists()


def test_choosing_keeps_what_was_typed_as_a_draft(as_alice, alice, pair):
    as_alice.post(
        reverse("annotation:autosave", args=[pair.public_id]),
        editor_data(pair, response="Half an answer."),
    )
    target = "closed_qa" if pair.category.slug != "closed_qa" else "open_qa"
    choose(as_alice, pair, target)
    pair.refresh_from_db()
    assert pair.status == S.DRAFT and pair.draft.response == "Half an answer."
    assert Pair.objects.filter(author=alice, status=S.DRAFT).count() == 2


def test_a_closed_category_is_refused_with_422_and_nothing_changes(as_alice, alice, pair):
    pair.dataset.categories.exclude(pk=pair.category_id).filter(slug="summarization").update(
        active=False
    )
    response = choose(as_alice, pair, "summarization")
    assert response.status_code == 422
    assert "not open to you now" in response.content.decode()
    pair.assignment.refresh_from_db()
    assert pair.assignment.outcome == Outcome.OPEN
    assert Pair.objects.filter(author=alice).count() == 1


def test_nobody_chooses_on_someone_elses_pair(as_dan, dan, pair):
    accept_licence(dan, dataset=pair.dataset)
    assert choose(as_dan, pair, "closed_qa").status_code == 404
    pair.assignment.refresh_from_db()
    assert pair.assignment.outcome == Outcome.OPEN

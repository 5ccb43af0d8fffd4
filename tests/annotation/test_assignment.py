import random
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from annotation.assignment import (
    assignment_current,
    assignment_give,
    category_counts,
    category_pick,
)
from annotation.drafts import DraftText, draft_save, pair_start
from annotation.models import Assignment, Category, Pair
from annotation.submission import pair_submit
from annotation.workflow import S
from tests.factories import make_assignment, make_pair, make_user, unique_text

Outcome = Assignment.Outcome


def write(assignment: Assignment) -> Pair:
    """The contributor writes and submits the pair of ``assignment``, as the editor would."""
    author = assignment.contributor
    pair = pair_start(assignment=assignment, by=author)
    context = (
        "A reference passage long enough to ground the response in."
        if assignment.category.context_policy == Category.ContextPolicy.REQUIRED
        else ""
    )
    text = DraftText(instruction=unique_text(), context=context, response="A hand-written answer.")
    draft_save(pair=pair, by=author, text=text, base_version=pair.draft.version)
    pair_submit(pair=pair, by=author)
    return pair


def shares(dataset) -> dict[str, float]:
    live = Counter(
        Pair.objects.filter(dataset=dataset, status=S.SUBMITTED).values_list(
            "category__slug", flat=True
        )
    )
    total = sum(live.values())
    return {slug: n / total for slug, n in live.items()}


def test_shares_converge_on_targets_with_many_writers(dolly):
    rng = random.Random(7)
    writers = [make_user(f"writer{i}", "contributor") for i in range(25)]
    given = set()
    while len(given) < 400:
        writer = rng.choice(writers)
        assignment = assignment_give(contributor=writer, dataset=dolly)
        given.add(assignment.pk)
        # Some write at once, others leave it open a while: concurrent writers.
        if rng.random() < 0.6:
            write(assignment)
    for assignment in Assignment.objects.filter(outcome=Outcome.OPEN):
        write(assignment)
    targets = dict(dolly.categories.values_list("slug", "target_share"))
    actual = shares(dolly)
    assert Pair.objects.filter(status=S.SUBMITTED).count() == 400
    for slug, target in targets.items():
        assert abs(actual.get(slug, 0) - target) < 0.02, (slug, actual.get(slug), target)
    # Variety: a writer is rarely given the category of their previous assignment.
    repeats = 0
    for writer in writers:
        seen = list(
            writer.assignments.order_by("created_at", "pk").values_list("category", flat=True)
        )
        repeats += sum(a == b for a, b in zip(seen, seen[1:], strict=False))
    assert repeats < 0.05 * 400, repeats


def test_the_category_furthest_below_target_comes_first(alice, dolly):
    open_qa = dolly.categories.get(slug="open_qa")
    for category in dolly.categories.exclude(pk=open_qa.pk):
        make_pair(author=make_user(f"w-{category.slug}", "contributor"), category=category)
    assert category_pick(user=alice, dataset=dolly) == open_qa


def test_open_assignments_count_so_simultaneous_writers_spread(dolly):
    first, second = make_user("first", "contributor"), make_user("second", "contributor")
    a = assignment_give(contributor=first, dataset=dolly)
    b = assignment_give(contributor=second, dataset=dolly)
    assert a.category != b.category
    assert category_counts(dataset=dolly) == {a.category_id: 1, b.category_id: 1}


def test_one_person_gets_variety_even_when_one_category_lags(alice, dan, dolly):
    """A pure deficit policy would give alice open_qa three times in a row here."""
    others = make_user("others", "contributor")
    wanted = {"open_qa": 22, "general_qa": 15, "closed_qa": 12, "classification": 14}
    wanted |= {"information_extraction": 10, "brainstorming": 12, "summarization": 8}
    wanted |= {"creative_writing": 4}
    for slug, count in wanted.items():
        category = dolly.categories.get(slug=slug)
        for _ in range(count):
            write(make_assignment(contributor=others, category=category))
    mine = []
    for _ in range(3):
        assignment = assignment_give(contributor=alice, dataset=dolly)
        mine.append(assignment.category.slug)
        write(assignment)
    assert mine[0] == "open_qa"
    assert len(set(mine)) == 3, mine
    # The lag still pulls: someone without a history gets the lagging category.
    assert assignment_give(contributor=dan, dataset=dolly).category.slug == "open_qa"


def test_an_open_assignment_is_reused(alice, dolly):
    first = assignment_give(contributor=alice, dataset=dolly)
    assert assignment_give(contributor=alice, dataset=dolly) == first
    assert Assignment.objects.filter(contributor=alice).count() == 1


def test_assignment_expires_after_the_configured_hours(alice, dolly, settings):
    settings.HANDWRITTEN_ASSIGNMENT_HOURS = 3
    assignment = assignment_give(contributor=alice, dataset=dolly)
    expected = timezone.now() + timedelta(hours=3)
    assert abs((assignment.expires_at - expected).total_seconds()) < 60


def test_expired_assignments_are_closed_lazily(alice, dolly):
    untouched = assignment_give(contributor=alice, dataset=dolly)
    empty_pair = pair_start(assignment=untouched, by=alice)
    Assignment.objects.filter(pk=untouched.pk).update(expires_at=timezone.now() - timedelta(1))
    fresh = assignment_give(contributor=alice, dataset=dolly)
    assert fresh != untouched
    untouched.refresh_from_db()
    empty_pair.refresh_from_db()
    assert untouched.outcome == Outcome.EXPIRED and untouched.closed_at is not None
    assert empty_pair.status == S.WITHDRAWN  # nothing typed, nothing lost


def test_expiry_keeps_typed_text_as_a_draft(alice, dolly):
    assignment = assignment_give(contributor=alice, dataset=dolly)
    pair = pair_start(assignment=assignment, by=alice)
    draft_save(pair=pair, by=alice, text=DraftText(instruction="Half a thought"), base_version=0)
    Assignment.objects.filter(pk=assignment.pk).update(expires_at=timezone.now() - timedelta(1))
    assert assignment_current(contributor=alice, dataset=dolly) is None
    pair.refresh_from_db()
    assert pair.status == S.DRAFT
    assert pair.draft.instruction == "Half a thought"


def test_expired_open_assignments_do_not_count(alice, dolly):
    assignment = assignment_give(contributor=alice, dataset=dolly)
    Assignment.objects.filter(pk=assignment.pk).update(expires_at=timezone.now() - timedelta(1))
    assert category_counts(dataset=dolly) == {}


def test_a_withdrawn_pair_ends_its_assignment(alice, dolly):
    from annotation.submission import pair_withdraw

    assignment = assignment_give(contributor=alice, dataset=dolly)
    pair_withdraw(pair=pair_start(assignment=assignment, by=alice), by=alice)
    assert assignment_give(contributor=alice, dataset=dolly) != assignment


def test_allowed_groups_restrict_categories(alice, dan, dolly):
    experts = Group.objects.create(name="legal-experts")
    dan.groups.add(experts)
    restricted = dolly.categories.get(slug="open_qa")  # the largest target: picked first
    restricted.allowed_groups.add(experts)
    given_to_alice = set()
    for _ in range(12):
        assignment = assignment_give(contributor=alice, dataset=dolly)
        given_to_alice.add(assignment.category.slug)
        write(assignment)
    assert "open_qa" not in given_to_alice
    assert assignment_give(contributor=dan, dataset=dolly).category == restricted


def test_no_category_left_gives_none(alice, dolly):
    dolly.categories.update(active=False)
    assert assignment_give(contributor=alice, dataset=dolly) is None
    assert not Assignment.objects.exists()


def test_a_category_at_its_target_count_is_not_given(alice, dolly):
    dolly.categories.exclude(slug="creative_writing").update(active=False)
    creative = dolly.categories.get(slug="creative_writing")
    creative.target_count = 1
    creative.save()
    write(assignment_give(contributor=alice, dataset=dolly))
    assert assignment_give(contributor=alice, dataset=dolly) is None


@pytest.mark.parametrize("inactive", ["open_qa"])
def test_inactive_categories_are_never_given(alice, dolly, inactive):
    dolly.categories.filter(slug=inactive).update(active=False)
    for _ in range(10):
        assignment = assignment_give(contributor=alice, dataset=dolly)
        assert assignment.category.slug != inactive
        write(assignment)

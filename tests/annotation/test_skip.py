import pytest
from django.urls import reverse

from annotation.assignment import SkipRefused, assignment_give, assignment_skip
from annotation.drafts import pair_start
from annotation.models import Assignment, AuditEvent, OpenPrompt, Pair
from annotation.prompts import prompt_take
from annotation.workflow import S
from tests.annotation.writing_helpers import HTMX, accept_licence, editor_data

Outcome = Assignment.Outcome


@pytest.fixture
def pair(alice, dolly):
    accept_licence(alice, dataset=dolly)
    assignment = assignment_give(contributor=alice, dataset=dolly)
    return pair_start(assignment=assignment, by=alice)


def skip(client, pair, **data):
    return client.post(reverse("annotation:skip", args=[pair.public_id]), data)


def test_skip_records_the_reason_and_gives_another_category(as_alice, alice, pair):
    response = skip(as_alice, pair, reason="unclear", detail="What counts as open?")
    pair.refresh_from_db()
    assignment = pair.assignment
    assignment.refresh_from_db()
    assert assignment.outcome == Outcome.SKIPPED
    assert assignment.skip_reason == "The guidelines are unclear to me: What counts as open?"
    assert assignment.closed_at is not None
    assert pair.status == S.WITHDRAWN  # nothing was typed
    following = Pair.objects.get(author=alice, status=S.DRAFT)
    assert following.category != pair.category
    assert response.status_code == 302
    assert response.url == reverse("annotation:edit_pair", args=[following.public_id])
    assert AuditEvent.objects.filter(verb="assignment.skip", actor=alice).exists()


def test_a_reason_is_required(as_alice, pair):
    response = skip(as_alice, pair)
    assert response.status_code == 422
    assert "Pick a reason." in response.content.decode()
    pair.assignment.refresh_from_db()
    assert pair.assignment.outcome == Outcome.OPEN


def test_other_needs_words(as_alice, pair):
    response = skip(as_alice, pair, reason="other")
    assert response.status_code == 422
    assert "Say in a few words why you skip." in response.content.decode()
    pair.assignment.refresh_from_db()
    assert pair.assignment.outcome == Outcome.OPEN


def test_typed_text_is_kept_as_a_draft(as_alice, alice, pair):
    as_alice.post(
        reverse("annotation:autosave", args=[pair.public_id]),
        editor_data(pair, instruction="An idea I want to keep"),
        **HTMX,
    )
    response = skip(as_alice, pair, reason="no_idea")
    pair.refresh_from_db()
    assert pair.status == S.DRAFT
    assert pair.draft.instruction == "An idea I want to keep"
    pair.assignment.refresh_from_db()
    assert pair.assignment.outcome == Outcome.SKIPPED
    followed = as_alice.get(response.url)
    assert "kept as a draft in My pairs" in followed.content.decode()


def test_skips_are_bounded_per_day(as_alice, alice, pair, settings):
    settings.HANDWRITTEN_MAX_SKIPS_PER_DAY = 2
    current = pair
    for _ in range(2):
        skip(as_alice, current, reason="no_idea")
        current = Pair.objects.get(author=alice, status=S.DRAFT)
    response = skip(as_alice, current, reason="no_idea")
    assert response.status_code == 302
    assert response.url == reverse("annotation:edit_pair", args=[current.public_id])
    assert "daily limit" in as_alice.get(response.url).content.decode()
    current.assignment.refresh_from_db()
    assert current.assignment.outcome == Outcome.OPEN
    assert Assignment.objects.filter(contributor=alice, outcome=Outcome.SKIPPED).count() == 2


def test_skipping_an_untouched_answer_puts_the_question_back(alice, dan, open_qa):
    accept_licence(dan, dataset=open_qa.dataset)
    prompt = OpenPrompt.objects.create(
        dataset=open_qa.dataset, category=open_qa, author=alice, instruction="Why do we yawn?"
    )
    answer = prompt_take(prompt=prompt, by=dan)
    assignment_skip(assignment=answer.assignment, by=dan, reason="Not for me")
    prompt.refresh_from_db()
    answer.refresh_from_db()
    assert prompt.status == OpenPrompt.Status.OPEN and prompt.taken_by is None
    assert answer.status == S.WITHDRAWN and answer.prompt is None


def test_a_closed_assignment_cannot_be_skipped(alice, pair):
    assignment_skip(assignment=pair.assignment, by=alice, reason="once")
    with pytest.raises(SkipRefused):
        assignment_skip(assignment=pair.assignment, by=alice, reason="twice")


def test_skip_on_a_pair_without_open_assignment_changes_nothing(as_alice, alice, pair):
    as_alice.post(
        reverse("annotation:submit", args=[pair.public_id]),
        editor_data(pair, instruction="How do magnets work?", response="Aligned spins."),
    )
    response = skip(as_alice, pair, reason="no_idea")
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    assert pair.assignment.outcome == Outcome.WRITTEN


def test_skip_when_nothing_else_is_open_says_so(as_alice, alice, pair, dolly):
    dolly.categories.exclude(pk=pair.category_id).update(active=False)
    response = skip(as_alice, pair, reason="no_idea")
    # The skipped category is the only one left: it comes back rather than nothing.
    following = Pair.objects.get(author=alice, status=S.DRAFT)
    assert following.category == pair.category
    assert response.url == reverse("annotation:edit_pair", args=[following.public_id])
    dolly.categories.update(active=False)
    response = skip(as_alice, following, reason="no_idea")
    assert response.url == reverse("annotation:write") + "?dataset=dolly"
    assert "Nothing to write right now" in as_alice.get(response.url).content.decode()

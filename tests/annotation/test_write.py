import pytest
from django.urls import reverse

from annotation.audit import audit
from annotation.models import Assignment, Category, Dataset, OpenPrompt, Pair
from annotation.seeding import dataset_seed_dolly
from annotation.workflow import S
from tests.annotation.writing_helpers import accept_licence
from tests.factories import make_pair


def edit_url(pair: Pair) -> str:
    return reverse("annotation:edit_pair", args=[pair.public_id])


def test_a_get_of_write_hands_out_no_work(as_alice, alice, dolly):
    accept_licence(alice, dataset=dolly)
    # A link prefetch or a crawler: it sees a button, and nothing is created.
    response = as_alice.get(reverse("annotation:write"))
    assert response.status_code == 200
    assert "Start writing" in response.content.decode()
    assert not Assignment.objects.exists() and not Pair.objects.exists()


def test_write_assigns_a_category_and_opens_its_pair(as_alice, alice, dolly):
    accept_licence(alice, dataset=dolly)
    response = as_alice.post(reverse("annotation:write"), {"dataset": "dolly"})
    pair = Pair.objects.get(author=alice)
    assert response.status_code == 302 and response.url == edit_url(pair)
    assert pair.status == S.DRAFT
    assert pair.assignment.outcome == Assignment.Outcome.OPEN
    assert pair.assignment.category == pair.category


def test_write_again_returns_to_the_same_pair(as_alice, alice, dolly):
    accept_licence(alice, dataset=dolly)
    first = as_alice.post(reverse("annotation:write")).url
    assert as_alice.get(reverse("annotation:write")).url == first
    assert as_alice.post(reverse("annotation:write")).url == first
    assert Pair.objects.filter(author=alice).count() == 1
    assert Assignment.objects.filter(contributor=alice).count() == 1


def test_write_picks_the_dataset_from_the_query(as_alice, alice, dolly):
    other = dataset_seed_dolly(slug="second", name="Second")
    accept_licence(alice, dataset=other)
    as_alice.post(reverse("annotation:write"), {"dataset": "second"})
    assert Pair.objects.get(author=alice).dataset == other
    assert as_alice.get(reverse("annotation:write") + "?dataset=nope").status_code == 404
    assert as_alice.post(reverse("annotation:write"), {"dataset": "nope"}).status_code == 404


def test_write_says_so_when_no_category_is_open(as_alice, alice, dolly):
    accept_licence(alice, dataset=dolly)
    dolly.categories.update(active=False)
    for response in (
        as_alice.get(reverse("annotation:write")),
        as_alice.post(reverse("annotation:write")),
    ):
        assert response.status_code == 200
        assert "Nothing to write right now" in response.content.decode()
    assert not Pair.objects.exists()


def test_write_without_any_dataset_is_404(as_alice, db):
    assert not Dataset.objects.exists()
    assert as_alice.get(reverse("annotation:write")).status_code == 404


def test_edit_page_shows_the_category_and_the_editor(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    response = as_alice.get(edit_url(pair))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Open QA" in text
    assert "No reference text" in text  # guidelines, rendered from markdown
    assert "<li>" in text
    assert "Why can camels survive" in text  # the example
    assert 'name="instruction"' in text and 'name="response"' in text
    assert 'name="context"' not in text  # open_qa takes no context
    assert "10–4,000 characters" in text
    assert 'data-counter-for="id_instruction"' in text
    assert pair.draft.instruction in text
    assert f'value="{pair.draft.version}"' in text
    assert "js/autosave.js" in text
    assert "Skip this category" in text
    # Right-to-left writing gets its direction from its own text.
    assert 'id="id_instruction" dir="auto"' in text and 'id="id_response" dir="auto"' in text
    # Limits the browser enforces before sending; Ctrl+Enter submits.
    assert 'data-max-bytes="' in text and 'data-shortcut="ctrl+enter"' in text


def test_edit_page_shows_required_context_and_source_url(as_alice, alice, closed_qa):
    accept_licence(alice, dataset=closed_qa.dataset)
    pair = make_pair(author=alice, category=closed_qa, status=S.DRAFT)
    text = as_alice.get(edit_url(pair)).content.decode()
    assert "Context (required)" in text
    assert 'name="source_url"' in text
    assert "<strong>only</strong>" in text


def test_guidelines_are_sanitized(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    open_qa.guidelines = "**Be kind** <script>alert(1)</script> [x](javascript:alert(2))"
    open_qa.save()
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    text = as_alice.get(edit_url(pair)).content.decode()
    assert "<strong>Be kind</strong>" in text
    assert "<script>alert(1)" not in text
    assert "javascript:alert(2)" not in text


@pytest.mark.parametrize("examples", [5, "text", [1], [{"instruction": 2, "response": "b"}]])
def test_examples_saved_before_they_were_checked_do_not_break_the_page(
    as_alice, alice, open_qa, examples, caplog
):
    accept_licence(alice, dataset=open_qa.dataset)
    # As an admin could save them before the field had a validator (annotation 0009).
    Category.objects.filter(pk=open_qa.pk).update(examples=examples)
    pair = make_pair(author=alice, category=open_qa, status=S.DRAFT)
    response = as_alice.get(edit_url(pair))
    assert response.status_code == 200
    text = response.content.decode()
    assert "No reference text" in text and "<h3>Example" not in text
    assert caplog.text.count(f"Category {open_qa.pk}: examples not shown") == 1


def test_changes_requested_pair_shows_the_reviewers_feedback(as_alice, alice, ada, bob, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.CHANGES_REQUESTED, by=ada)
    audit(actor=bob, verb="review.request_changes", obj=pair, revision=1, comment="Add a source.")
    text = as_alice.get(edit_url(pair)).content.decode()
    assert "What the reviewer asked" in text
    assert "Add a source." in text
    assert "bob" not in text  # authors see what, not who
    assert "Skip this category" not in text


def test_approved_pair_says_its_approved_text_keeps_shipping(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.APPROVED)
    text = as_alice.get(edit_url(pair)).content.decode()
    assert "approved text keeps shipping" in text


def test_a_pair_under_review_is_not_editable(as_alice, alice, open_qa):
    accept_licence(alice, dataset=open_qa.dataset)
    pair = make_pair(author=alice, category=open_qa, status=S.SUBMITTED)
    response = as_alice.get(edit_url(pair))
    assert response.status_code == 302
    assert response.url == reverse("annotation:pair_detail", args=[pair.public_id])


def test_an_answer_credits_the_question_author(as_dan, alice, dan, open_qa):
    accept_licence(dan, dataset=open_qa.dataset)
    prompt = OpenPrompt.objects.create(
        dataset=open_qa.dataset, category=open_qa, author=alice, instruction="Why do cats purr?"
    )
    response = as_dan.post(reverse("annotation:answer", args=[prompt.public_id]))
    text = as_dan.get(response.url).content.decode()
    assert "Question by <strong>alice</strong>" in text
    assert "Why do cats purr?" in text

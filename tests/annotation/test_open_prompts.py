import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from annotation.models import Assignment, AuditEvent, OpenPrompt, Pair
from annotation.prompts import PromptUnavailable, prompt_ask, prompt_take
from annotation.workflow import S
from tests.annotation.writing_helpers import accept_licence, editor_data
from tests.factories import make_user


@pytest.fixture
def writers(alice, dan, dolly):
    accept_licence(alice, dan, dataset=dolly)


def ask(client, category, instruction, **extra):
    data = {"dataset": "dolly", "category": category.pk, "instruction": instruction, **extra}
    return client.post(reverse("annotation:ask"), data)


def test_asking_publishes_a_question(as_alice, alice, open_qa, writers):
    response = ask(as_alice, open_qa, "What makes sourdough bread rise?")
    assert response.status_code == 302
    assert response.url == reverse("annotation:open_prompts") + "?dataset=dolly"
    prompt = OpenPrompt.objects.get()
    assert prompt.author == alice and prompt.category == open_qa
    assert prompt.status == OpenPrompt.Status.OPEN
    assert AuditEvent.objects.filter(verb="prompt.ask", object_id=str(prompt.public_id)).exists()


def test_ask_page_lists_only_categories_that_take_questions(as_alice, writers):
    text = as_alice.get(reverse("annotation:ask")).content.decode()
    assert "Open QA" in text and "Brainstorming" in text
    assert "Closed QA" not in text


@pytest.mark.parametrize(
    ("instruction", "message"),
    [("", "Write an instruction."), ("Too short", "Too short"), ("bad \x07", "Contains control")],
)
def test_asking_runs_the_instruction_checks(as_alice, open_qa, writers, instruction, message):
    response = ask(as_alice, open_qa, instruction)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not OpenPrompt.objects.exists()


def test_a_category_without_open_prompts_is_refused(as_alice, closed_qa, writers):
    response = ask(as_alice, closed_qa, "When did the airline start flying?")
    assert response.status_code == 422
    assert "Pick one of the listed categories." in response.content.decode()
    assert not OpenPrompt.objects.exists()


def test_the_same_open_question_twice_is_refused(as_alice, as_dan, open_qa, writers):
    ask(as_alice, open_qa, "Why is the sea salty?")
    response = ask(as_dan, open_qa, "why is the sea salty?")
    assert response.status_code == 422
    assert "already waiting for an answer" in response.content.decode()
    assert OpenPrompt.objects.count() == 1


def test_the_list_shows_others_questions_never_your_own(as_alice, alice, dan, open_qa, writers):
    prompt_ask(by=alice, category=open_qa, instruction="Alice asks: why do leaves fall?")
    prompt_ask(by=dan, category=open_qa, instruction="Dan asks: how do bees navigate?")
    text = as_alice.get(reverse("annotation:open_prompts")).content.decode()
    assert "Dan asks" in text and "Alice asks" not in text


def test_the_list_filters_by_category_and_paginates(as_alice, dan, dolly, writers, settings):
    settings.HANDWRITTEN_PAGE_SIZE = 2
    open_qa = dolly.categories.get(slug="open_qa")
    brainstorming = dolly.categories.get(slug="brainstorming")
    for n in range(3):
        prompt_ask(by=dan, category=open_qa, instruction=f"Open question number {n}?")
    prompt_ask(by=dan, category=brainstorming, instruction="Ideas for a team offsite?")
    url = reverse("annotation:open_prompts")
    first = as_alice.get(url, {"category": "open_qa"}).content.decode()
    assert "number 0" in first and "number 1" in first and "number 2" not in first
    assert "offsite" not in first
    assert "Page 1 of 2" in first
    second = as_alice.get(url, {"category": "open_qa", "page": 2}).content.decode()
    assert "number 2" in second
    assert "offsite" in as_alice.get(url, {"category": "brainstorming"}).content.decode()
    unknown = as_alice.get(url, {"category": "nope"}).content.decode()
    assert "no such category" in unknown


def test_answering_makes_a_draft_with_the_question(as_dan, alice, dan, open_qa, writers):
    prompt = prompt_ask(by=alice, category=open_qa, instruction="Why do onions make us cry?")
    response = as_dan.post(reverse("annotation:answer", args=[prompt.public_id]))
    pair = Pair.objects.get(author=dan)
    assert response.url == reverse("annotation:edit_pair", args=[pair.public_id])
    prompt.refresh_from_db()
    assert prompt.status == OpenPrompt.Status.TAKEN and prompt.taken_by == dan
    assert pair.prompt == prompt and pair.draft.instruction == prompt.instruction
    assert pair.assignment.category == open_qa
    assert pair.assignment.outcome == Assignment.Outcome.OPEN
    assert AuditEvent.objects.filter(verb="prompt.take", actor=dan).exists()
    # Rephrase, answer, submit: both are credited.
    as_dan.post(
        reverse("annotation:submit", args=[pair.public_id]),
        editor_data(pair, instruction="Why do onions make people cry?", response="Sulfur gas."),
    )
    pair.refresh_from_db()
    assert pair.status == S.SUBMITTED
    assert pair.author == dan and pair.prompt.author == alice
    assert pair.current_revision.instruction == "Why do onions make people cry?"


def test_the_answer_page_says_whose_category_it_is(as_dan, alice, dan, open_qa, writers):
    prompt = prompt_ask(by=alice, category=open_qa, instruction="Why do onions make us cry?")
    as_dan.post(reverse("annotation:answer", args=[prompt.public_id]))
    pair = Pair.objects.get(author=dan)
    text = as_dan.get(reverse("annotation:edit_pair", args=[pair.public_id])).content.decode()
    # The question's category, not the policy's pick for dan.
    assert "This answers a question asked in Open QA." in text
    assert "furthest below its target" not in text


def test_answering_twice_goes_back_to_the_same_draft(as_dan, alice, dan, open_qa, writers):
    prompt = prompt_ask(by=alice, category=open_qa, instruction="Why is the sea salty?")
    url = reverse("annotation:answer", args=[prompt.public_id])
    first, second = as_dan.post(url), as_dan.post(url)
    pair = Pair.objects.get(author=dan)
    assert first.url == second.url == reverse("annotation:edit_pair", args=[pair.public_id])
    assert "Someone else" not in as_dan.get(second.url).content.decode()


def test_two_people_answering_at_once_one_wins(as_dan, alice, dan, open_qa, writers):
    erin = make_user("erin", "contributor")
    accept_licence(erin, dataset=open_qa.dataset)
    prompt = prompt_ask(by=alice, category=open_qa, instruction="How far away is the Moon?")
    stale = OpenPrompt.objects.get(pk=prompt.pk)  # what the second person's page showed
    prompt_take(prompt=prompt, by=erin)
    with pytest.raises(PromptUnavailable):
        prompt_take(prompt=stale, by=dan)
    response = as_dan.post(reverse("annotation:answer", args=[prompt.public_id]))
    assert response.url == reverse("annotation:open_prompts") + "?dataset=dolly"
    assert "Someone else has just taken" in as_dan.get(response.url).content.decode()
    prompt.refresh_from_db()
    assert prompt.taken_by == erin
    assert Pair.objects.filter(prompt=prompt).count() == 1
    assert not Pair.objects.filter(author=dan).exists()


def test_you_cannot_answer_your_own_question(as_alice, alice, open_qa, writers):
    prompt = prompt_ask(by=alice, category=open_qa, instruction="Is a tomato a fruit, really?")
    response = as_alice.post(reverse("annotation:answer", args=[prompt.public_id]))
    assert response.status_code == 302
    prompt.refresh_from_db()
    assert prompt.status == OpenPrompt.Status.OPEN
    assert not Pair.objects.exists()


def test_answer_is_post_only(as_dan, alice, open_qa, writers):
    prompt = prompt_ask(by=alice, category=open_qa, instruction="Why do cats land on their feet?")
    assert as_dan.get(reverse("annotation:answer", args=[prompt.public_id])).status_code == 405


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_people_answering_at_the_same_moment_one_wins(alice, open_qa):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent transactions")
    accept_licence(alice, dataset=open_qa.dataset)
    prompt = prompt_ask(by=alice, category=open_qa, instruction="Why do stars twinkle at night?")
    takers = [make_user(f"taker{i}", "contributor") for i in range(8)]
    accept_licence(*takers, dataset=open_qa.dataset)
    start = threading.Barrier(len(takers))
    won, lost, errors = [], [], []

    def take(user) -> None:
        try:
            start.wait()
            won.append(prompt_take(prompt=OpenPrompt.objects.get(pk=prompt.pk), by=user))
        except PromptUnavailable:
            lost.append(user)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(user,)) for user in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(won) == 1 and len(lost) == len(takers) - 1
    prompt.refresh_from_db()
    assert prompt.taken_by == won[0].author
    assert Pair.objects.filter(prompt=prompt).count() == 1
    assert Assignment.objects.filter(category=open_qa).count() == 1


def test_the_ask_form_preselects_no_category(as_alice, open_qa, writers):
    html = as_alice.get(reverse("annotation:ask")).content.decode()
    assert "Choose a category…" in html and " selected>" not in html
    chosen = as_alice.get(reverse("annotation:ask") + f"?category={open_qa.slug}")
    assert f'value="{open_qa.pk}" selected>' in chosen.content.decode()


def test_asking_without_a_category_says_to_choose_one(as_alice, writers):
    response = as_alice.post(
        reverse("annotation:ask"), {"instruction": "What makes sourdough bread rise?"}
    )
    assert response.status_code in (200, 422)
    assert "Choose the category your question belongs to." in response.content.decode()
    assert not OpenPrompt.objects.exists()

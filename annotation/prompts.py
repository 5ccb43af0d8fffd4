"""Open prompts: a contributor asks (an instruction alone), another one answers it.

Whoever answers may rephrase the instruction; the pair keeps a link to the question, so
both people are credited.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from annotation.assignment import assignment_create, categories_allowed
from annotation.audit import audit
from annotation.checks import check_pair
from annotation.drafts import pair_start
from annotation.licence import licence_accepted
from annotation.models import Category, Dataset, OpenPrompt, Pair

P = OpenPrompt.Status


class PromptUnavailable(Exception):
    """Someone else took the question first, or it is no longer open."""


def prompt_categories(*, user: User, dataset: Dataset) -> QuerySet[Category]:
    """Categories of ``dataset`` in which ``user`` may ask and answer questions."""
    return categories_allowed(user=user, dataset=dataset).filter(allows_open_prompts=True)


def prompts_open(
    *, user: User, dataset: Dataset, category: Category | None = None
) -> QuerySet[OpenPrompt]:
    """Questions ``user`` may answer: open, someone else's, in a category open to them."""
    prompts = (
        OpenPrompt.objects.filter(
            dataset=dataset,
            status=P.OPEN,
            category__in=prompt_categories(user=user, dataset=dataset),
        )
        .exclude(author=user)
        .select_related("category", "author")
        .order_by("created_at", "pk")
    )
    if category is not None:
        prompts = prompts.filter(category=category)
    return prompts


def prompts_asked(*, author: User) -> QuerySet[OpenPrompt]:
    """The questions ``author`` asked, still open ones first, newest first."""
    return (
        OpenPrompt.objects.filter(author=author)
        .exclude(status=P.WITHDRAWN)
        .select_related("category", "dataset", "taken_by")
        .order_by("status", "-created_at", "-pk")  # "open" sorts before "taken"
    )


def prompt_ask(
    *,
    by: User,
    category: Category,
    instruction: str,
    context: str = "",
    source_url: str = "",
) -> OpenPrompt:
    """Publish an instruction for someone else to answer.

    Raises ValidationError (per field) when the instruction would fail the submit checks
    or is already an open question, PermissionDenied without the licence or the category.
    """
    dataset = category.dataset
    if not licence_accepted(user=by, dataset=dataset):
        raise PermissionDenied("Accept the dataset's contribution licence first.")
    if not prompt_categories(user=by, dataset=dataset).filter(pk=category.pk).exists():
        raise PermissionDenied("This category takes no questions from you.")
    instruction, context, source_url = instruction.strip(), context.strip(), source_url.strip()
    result = check_pair(
        category=category,
        instruction=instruction,
        context=context,
        response="",
        source_url=source_url,
        require_response=False,
    )
    if "instruction" not in result.errors and _asked_already(dataset, instruction):
        result.error("instruction", "This question is already waiting for an answer.")
    result.raise_if_errors()
    prompt = OpenPrompt.objects.create(
        dataset=dataset,
        category=category,
        author=by,
        instruction=instruction,
        context=context,
        source_url=source_url,
    )
    audit(actor=by, verb="prompt.ask", obj=prompt, category=category.slug)
    return prompt


def _asked_already(dataset: Dataset, instruction: str) -> bool:
    return OpenPrompt.objects.filter(
        dataset=dataset, status=P.OPEN, instruction__iexact=instruction
    ).exists()


def prompt_take(*, prompt: OpenPrompt, by: User) -> Pair:
    """Make ``prompt`` ``by``'s to answer; returns their new draft pair (the one they
    started already, if they took it before).

    Exactly one of two people taking the same question at once wins: the status moves
    from open to taken in one conditional UPDATE. The other gets PromptUnavailable.
    """
    if prompt.author_id == by.pk:
        raise PromptUnavailable("You cannot answer your own question.")
    if not licence_accepted(user=by, dataset=prompt.dataset):
        raise PermissionDenied("Accept the dataset's contribution licence first.")
    if (
        not prompt_categories(user=by, dataset=prompt.dataset)
        .filter(pk=prompt.category_id)
        .exists()
    ):
        raise PromptUnavailable("This question's category is not open to you.")
    with transaction.atomic():
        taken = (
            OpenPrompt.objects.filter(pk=prompt.pk, status=P.OPEN)
            .exclude(author=by)
            .update(status=P.TAKEN, taken_by=by)
        )
        if not taken:
            # A second click, or the page sent again: the answer already started is theirs.
            mine = Pair.objects.filter(prompt=prompt, author=by).first()
            if mine is not None:
                return mine
            raise PromptUnavailable("Someone else has just taken this question.")
        prompt.refresh_from_db()
        assignment = assignment_create(
            contributor=by, category=prompt.category, verb="assignment.answer"
        )
        pair = pair_start(assignment=assignment, by=by, prompt=prompt)
        audit(actor=by, verb="prompt.take", obj=prompt, pair=str(pair.public_id))
    return pair
